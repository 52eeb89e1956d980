import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/app/stores.ts';
import { PgDatabase } from '../../src/storage/pg/database.ts';
import { describeDatabaseUrl, redactDatabaseUrl } from '../../src/storage/pg/redact.ts';
import { systemClock } from '../../src/time/clock.ts';
import { freePort } from '../helpers/server-process.ts';

/** The connection string and its password never reach a log line or an error message (no database needed). */

const PASSWORD = 'p@ss:w0rd/with%special';
const URL_WITH_PASSWORD = `postgres://bot:${encodeURIComponent(PASSWORD)}@db.internal:5432/trogiup`;

function captureLogger(): { logger: pino.Logger; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), text: () => text };
}

describe('DATABASE_URL redaction', () => {
  it('removes the URL, its password (raw and encoded) and password=… pairs from any text', () => {
    const text = `connect failed for ${URL_WITH_PASSWORD} (password=${PASSWORD}); also postgresql://x:other-secret@h/db and ${encodeURIComponent(PASSWORD)}`;
    const out = redactDatabaseUrl(text, URL_WITH_PASSWORD);
    expect(out).not.toContain(PASSWORD);
    expect(out).not.toContain(encodeURIComponent(PASSWORD));
    expect(out).not.toContain('other-secret');
    expect(out).toContain('postgres://bot:***@db.internal:5432/trogiup');
    expect(describeDatabaseUrl(URL_WITH_PASSWORD)).toBe('postgres://bot:***@db.internal:5432/trogiup');
    expect(describeDatabaseUrl('postgres://db.internal/trogiup')).toBe('postgres://db.internal/trogiup');
  });

  it('turns driver errors into messages without secrets', () => {
    const db = new PgDatabase({
      url: URL_WITH_PASSWORD,
      poolMax: 4,
      connectTimeoutMs: 500,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
    });
    const err = db.fail(Object.assign(new Error(`boom at ${URL_WITH_PASSWORD}`), { code: 'ECONNREFUSED' }));
    expect(err.name).toBe('StoreUnavailableError');
    expect(err.message).not.toContain(encodeURIComponent(PASSWORD));
    expect(err.code).toBe('ECONNREFUSED');
    void db.close();
  });

  it('never echoes a wrong DATABASE_URL in the configuration error', () => {
    try {
      loadConfig({ DATABASE_URL: `mysql://bot:${PASSWORD}@h/db` });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/DATABASE_URL/);
      expect((err as Error).message).not.toContain(PASSWORD);
    }
    expect(loadConfig({ DATABASE_URL: URL_WITH_PASSWORD }).DATABASE_POOL_MAX).toBe(20);
  });

  it('an unreachable database at start is retried, then refused, with no secret in the logs or the error', async () => {
    const port = await freePort();
    const url = `postgres://bot:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/trogiup`;
    const { logger, text } = captureLogger();
    const started = systemClock.monotonicMs();
    const err = await openDatabase({ DATABASE_URL: url, DATABASE_POOL_MAX: 4, DATABASE_CONNECT_TIMEOUT_MS: 500 }, systemClock, logger, {
      startWaitMs: 2500,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/PostgreSQL \(postgres:\/\/bot:\*\*\*@127\.0\.0\.1:\d+\/trogiup\)/);
    expect(systemClock.monotonicMs() - started).toBeGreaterThan(2000);
    expect(text()).toMatch(/not reachable at start; retrying/);
    for (const s of [message, text()]) {
      expect(s).not.toContain(PASSWORD);
      expect(s).not.toContain(encodeURIComponent(PASSWORD));
    }
  });
});
