import pino from 'pino';

/** The structured JSON logger used everywhere (pino). Child loggers carry request ids. */
export type Logger = pino.Logger;

/**
 * Creates the process logger. Known secret fields are redacted wherever they appear, so a token
 * passed by mistake in a log object never reaches the output. Message text from residents must be
 * masked with `maskPersonalData` before it is logged.
 */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'tro-ly-giam-ngheo' },
      redact: {
        paths: [
          'token',
          '*.token',
          'accessToken',
          '*.accessToken',
          'refreshToken',
          '*.refreshToken',
          'secret',
          '*.secret',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'access_token',
          '*.access_token',
          'refresh_token',
          '*.refresh_token',
          'secret_key',
          '*.secret_key',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ dest: 2, sync: false }),
  );
}

/** A logger that drops everything (tests, batch commands whose stdout must stay clean). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
