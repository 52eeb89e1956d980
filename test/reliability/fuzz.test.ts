import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { startTestServer } from '../helpers/server.ts';
import { testCore } from '../helpers/core.ts';
import { FakeBotApi } from '../telegram/fake-bot-api.ts';
import { FakeZaloOa } from '../zalo/fakes/fake-zalo-oa.ts';
import { FakeZaloBot } from '../zalo/fakes/fake-zalo-bot.ts';

/**
 * Property-based fuzzing of every door: thousands of random and hostile strings and JSON shapes.
 * Never a crash, never a 5xx: always a clear 4xx (with a JSON error) or a polite reply.
 */

const hostileText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uFFFD\uFFFE',
    '😀'.repeat(500),
    'ư'.repeat(5000),
    '<script>alert(1)</script>',
    '{{rate}}',
    '%s%n',
    '../../etc/passwd',
    'kb:../../x',
    '\u202Eabc',
  ),
  fc.integer({ min: 1000, max: 100_000 }).map((n) => 'a'.repeat(n)),
);

const jsonShape = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    {
      conversationId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      text: fc.oneof(hostileText, fc.integer(), fc.array(fc.string())),
      payload: fc.option(fc.string()),
    },
    { requiredKeys: [] },
  ),
  fc.integer({ min: 1, max: 3000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
);

const rawBody = fc.oneof(
  jsonShape.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
  fc.uint8Array({ maxLength: 500 }).map((a) => Buffer.from(a)),
  fc.constantFrom(
    '{"conversationId":"x","text":"\\ud800"}',
    '{',
    'null',
    'true',
    '"text"',
    '{"__proto__":{"x":1},"conversationId":"p","text":"a"}',
  ),
);

let env: Awaited<ReturnType<typeof startTestServer>>;
let tg: FakeBotApi;
let oa: FakeZaloOa;
let bot: FakeZaloBot;

beforeAll(async () => {
  tg = await new FakeBotApi().start();
  oa = await new FakeZaloOa('fuzz-app', 'app-secret', { accessToken: 'acc-0', refreshToken: 'ref-0' }).start();
  bot = await new FakeZaloBot('fuzz-bot-token').start();
  env = await startTestServer({
    RATE_LIMIT_PER_MINUTE: '1000000',
    PUBLIC_URL: 'http://127.0.0.1:9',
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.apiRoot,
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: 'fuzz_secret-123',
    ZALO_OA_APP_ID: 'fuzz-app',
    ZALO_OA_SECRET_KEY: 'oa-secret',
    ZALO_APP_SECRET_KEY: 'app-secret',
    ZALO_OA_ACCESS_TOKEN: 'acc-0',
    ZALO_OA_REFRESH_TOKEN: 'ref-0',
    ZALO_OA_API_BASE: oa.url,
    ZALO_OAUTH_BASE: oa.url,
    ZALO_BOT_TOKEN: 'fuzz-bot-token',
    ZALO_BOT_API_BASE: bot.url,
    ZALO_BOT_MODE: 'webhook',
    ZALO_BOT_WEBHOOK_SECRET: 'bot-secret-123',
  });
}, 60_000);

afterAll(async () => {
  await env?.close();
  await Promise.allSettled([tg?.close(), oa?.close(), bot?.close()]);
});

async function send(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(env.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  return { status: res.status, text };
}

function expectClean(r: { status: number; text: string }) {
  expect(r.status).toBeLessThan(500);
  if (r.status >= 400) expect(() => JSON.parse(r.text)).not.toThrow();
}

describe('fuzz: the core', () => {
  it('answers any text or payload politely, never throws', async () => {
    const { core, cleanup } = await testCore({ persist: false });
    try {
      await fc.assert(
        fc.asyncProperty(hostileText, fc.option(fc.string({ maxLength: 80 })), async (text, payload) => {
          const r = await core.engine.handle({ channel: 'test', conversationId: 'fz', text, payload: payload ?? undefined });
          expect(r.replies.length).toBeGreaterThan(0);
          expect(r.replies[0].text).toMatch(/^(Dạ|Lưu ý|⚠️)/);
          expect(r.confidence).toBeGreaterThanOrEqual(0);
          expect(r.confidence).toBeLessThanOrEqual(1);
        }),
        { numRuns: 1500 },
      );
    } finally {
      await cleanup();
    }
  }, 120_000);
});

describe('fuzz: HTTP routes', () => {
  it('POST /api/chat gives 200 or a JSON 4xx for any body', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, async (body) => expectClean(await send('/api/chat', body))),
      { numRuns: 1000 },
    );
  }, 120_000);

  it('the three webhooks refuse unsigned junk with a 4xx and never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, fc.constantFrom('/webhooks/telegram', '/webhooks/zalo-oa', '/webhooks/zalo-bot'), async (body, path) => {
        const r = await send(path, body);
        expectClean(r);
        expect(r.status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 900 },
    );
  }, 120_000);

  it('webhooks with the right secret still never 5xx on junk bodies', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, async (body) => {
        expectClean(await send('/webhooks/telegram', body, { 'x-telegram-bot-api-secret-token': 'fuzz_secret-123' }));
        expectClean(await send('/webhooks/zalo-bot', body, { 'x-bot-api-secret-token': 'bot-secret-123' }));
      }),
      { numRuns: 400 },
    );
  }, 120_000);

  it('any method, target and content type: never 5xx, and every error is a JSON error', async () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
    const target = fc.oneof(
      fc.constantFrom('/api/chat', '/api/erase', '/healthz', '/readyz', '/', '/admin/inbox', '/api/admin/inbox', '/webhooks/telegram'),
      fc.string({ maxLength: 40 }).map((p) => `/${encodeURIComponent(p)}`),
      fc.tuple(fc.constantFrom('/api/chat', '/healthz'), fc.string({ maxLength: 3000 })).map(([p, q]) => `${p}?${encodeURIComponent(q)}`),
    );
    const contentType = fc.oneof(
      fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', ''),
      fc.string({ maxLength: 60 }).filter((t) => /^[\x20-\x7e]*$/.test(t)),
    );
    await fc.assert(
      fc.asyncProperty(method, target, contentType, fc.option(rawBody), async (m, path, type, body) => {
        const hasBody = body !== null && m !== 'GET' && m !== 'HEAD';
        const res = await fetch(env.url + path, {
          method: m,
          headers: type ? { 'content-type': type } : {},
          body: hasBody ? (typeof body === 'string' ? body : new Uint8Array(body as Buffer)) : undefined,
        });
        const text = await res.text();
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400 && m !== 'HEAD') expect(typeof JSON.parse(text).error).toBe('string');
        if (res.status === 405) expect(res.headers.get('allow')).toBeTruthy();
      }),
      { numRuns: 600 },
    );
  }, 120_000);

  it('refuses huge bodies on every route with 413', async () => {
    const huge = Buffer.alloc(3 * 1024 * 1024, 0x61);
    for (const path of ['/api/chat', '/webhooks/telegram', '/webhooks/zalo-oa', '/webhooks/zalo-bot', '/api/erase']) {
      const r = await send(path, huge);
      expect(r.status).toBe(413);
    }
  });

  it('is still healthy after the fuzzing', async () => {
    const res = await fetch(env.url + '/readyz');
    expect(res.status).toBe(200);
  });
});
