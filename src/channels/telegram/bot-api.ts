import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, HttpError, type Transformer } from 'grammy';
import { sleep } from '../../util/sleep.ts';

/** Tuning of the Telegram adapter (tests shorten every wait). */
export interface TelegramChannelOptions {
  /** getUpdates long-poll timeout in seconds (default 30). */
  pollTimeoutSeconds?: number;
  /** HTTP timeout of one Bot API request in seconds (default poll timeout + 20). */
  requestTimeoutSeconds?: number;
  /** auto-retry bounds for 429 and 5xx (defaults 3 attempts, 60 s max wait). */
  maxRetryAttempts?: number;
  maxRetryDelaySeconds?: number;
  /** Retries of a request that failed at the network level (default 2; never for getUpdates). */
  networkRetries?: number;
  /** Interval between "typing" indicators while a turn runs (default 4000 ms). */
  typingIntervalMs?: number;
  /** Pause when getUpdates returns empty at once (emulators that ignore `timeout`; default 300 ms). */
  idlePauseMs?: number;
  /** Pause polling while this many updates are queued (default 1000). */
  maxPendingUpdates?: number;
  /** First delay before retrying a failed start (default 1000 ms, doubling up to 60 s). */
  startRetryDelayMs?: number;
}

/** The options with their defaults filled in. */
export function resolveOptions(options: TelegramChannelOptions): Required<TelegramChannelOptions> {
  const poll = options.pollTimeoutSeconds ?? 30;
  return {
    pollTimeoutSeconds: poll,
    requestTimeoutSeconds: options.requestTimeoutSeconds ?? poll + 20,
    maxRetryAttempts: options.maxRetryAttempts ?? 3,
    maxRetryDelaySeconds: options.maxRetryDelaySeconds ?? 60,
    networkRetries: options.networkRetries ?? 2,
    typingIntervalMs: options.typingIntervalMs ?? 4000,
    idlePauseMs: options.idlePauseMs ?? 300,
    maxPendingUpdates: options.maxPendingUpdates ?? 1000,
    startRetryDelayMs: options.startRetryDelayMs ?? 1000,
  };
}

/**
 * The grammY bot for `token` against `apiRoot` (a self-hosted Bot API or a loopback emulator; a trailing `/`
 * would make grammY throw), with @grammyjs/auto-retry for 429 and 5xx (bounded) and a small retry of
 * network errors.
 */
export function createBot(token: string, apiRoot: string, opts: Required<TelegramChannelOptions>): Bot {
  const bot = new Bot(token, { client: { apiRoot: apiRoot.replace(/\/+$/, ''), timeoutSeconds: opts.requestTimeoutSeconds } });
  bot.api.config.use(networkRetry(opts.networkRetries));
  bot.api.config.use(
    autoRetry({ maxRetryAttempts: opts.maxRetryAttempts, maxDelaySeconds: opts.maxRetryDelaySeconds, rethrowHttpErrors: true }),
  );
  return bot;
}

/** Retries requests that failed at the network level a few times (not getUpdates: its loop backs off). */
function networkRetry(retries: number): Transformer {
  return async (prev, method, payload, signal) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (err) {
        if (!(err instanceof HttpError) || method === 'getUpdates' || signal?.aborted || attempt >= retries) throw err;
        await sleep(500 * 2 ** attempt, signal as unknown as AbortSignal | undefined);
      }
    }
  };
}

/** Errors retrying cannot fix at start-up: a refused token (401) or an unknown bot (404). */
export function isFatal(err: unknown): boolean {
  return err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404);
}

/** Vietnamese status detail for a fatal start-up error. */
export function fatalReason(err: unknown): string {
  return err instanceof GrammyError && err.error_code === 401 ? 'token bị từ chối (401)' : 'không tìm thấy bot (404)';
}
