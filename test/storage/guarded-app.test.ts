import { afterEach, describe, expect, it } from 'vitest';
import { GuardedHttpApp, MAINTENANCE_MESSAGE } from '../../src/app/guarded-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { StoreUnavailableError } from '../../src/storage/errors.ts';

/** Routes that reach the stores answer a polite 503 while the database is unreachable (no database needed). */

let app: GuardedHttpApp | undefined;
afterEach(async () => {
  await app?.close(1000);
  app = undefined;
});

async function serve(up: { value: boolean }, routes: (a: GuardedHttpApp) => void): Promise<string> {
  app = new GuardedHttpApp(silentLogger(), {}, { available: async () => up.value });
  routes(app);
  const port = await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${port}`;
}

describe('GuardedHttpApp', () => {
  it('answers 503 with Retry-After and the maintenance message before reading a guarded request while the database is down', async () => {
    const up = { value: false };
    let handled = 0;
    const base = await serve(up, (a) => {
      a.route('POST', '/api/chat', async () => {
        handled++;
        return { status: 200, body: { ok: true } };
      });
      a.route('GET', '/healthz', () => ({ status: 200, body: { status: 'ok' } }));
    });
    const down = await fetch(`${base}/api/chat`, { method: 'POST', body: '{}' });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect((await down.json()).error).toBe(MAINTENANCE_MESSAGE);
    expect(handled).toBe(0);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    up.value = true;
    expect((await fetch(`${base}/api/chat`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(handled).toBe(1);
  });

  it('turns a store failure in the handler or the admission check into the same 503, and leaves other errors alone', async () => {
    const base = await serve({ value: true }, (a) => {
      a.route('POST', '/webhooks/x', async () => {
        throw new StoreUnavailableError('PostgreSQL: Connection terminated', 'ECONNRESET');
      });
      a.route('POST', '/api/erase', async () => ({ status: 200, body: {} }), {
        admit: async () => {
          throw new StoreUnavailableError('PostgreSQL: timeout', 'BUSY');
        },
      });
      a.route('POST', '/api/bug', async () => {
        throw new TypeError('a bug');
      });
    });
    for (const p of ['/webhooks/x', '/api/erase']) {
      const r = await fetch(`${base}${p}`, { method: 'POST', body: '{}' });
      expect(r.status).toBe(503);
      expect((await r.json()).error).toMatch(/bảo trì/);
    }
    expect((await fetch(`${base}/api/bug`, { method: 'POST', body: '{}' })).status).toBe(500);
  });
});
