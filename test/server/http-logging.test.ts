import { describe, it, expect, vi, beforeEach } from 'vitest';
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { HttpApp } from '../../src/http/http-app.ts';
import { registerWebApi } from '../../src/channels/web/api.ts';
import type { Engine } from '../../src/core/engine.ts';
import type { Incoming } from '../../src/domain/types.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { monotonicMs } from '../../src/time/clock.ts';
import { post } from '../helpers/server.ts';

/**
 * What the request path logs: never a resident's words or personal data (not even when a handler
 * throws an error quoting them), and nothing at all, not even a timer reading, when debug is off.
 */

vi.mock('../../src/time/clock.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/time/clock.ts')>();
  return { ...actual, monotonicMs: vi.fn(actual.monotonicMs) };
});

const SECRET_TEXT = 'nhà em ở thôn Suối Đá, số điện thoại 0912345678, CCCD 079203001240, thư an.nguyen@example.com';
const NEEDLES = ['0912345678', '079203001240', 'an.nguyen@example.com', 'Suối Đá', '127.0.0.1'];

/** A logger writing JSON lines into an array. */
function capture(level: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, sink as never), lines };
}

async function serve(level: string) {
  const { logger, lines } = capture(level);
  const engine = {
    sessionKey: (i: Pick<Incoming, 'channel' | 'conversationId'>) =>
      createHash('sha256').update(`${i.channel}|${i.conversationId}`).digest('hex').slice(0, 32),
    handle: async (incoming: Incoming) => {
      if (incoming.text?.startsWith('nhà')) throw new Error(`could not read "${incoming.text}"`);
      return { replies: [{ text: 'Dạ.' }], topic: 'smalltalk', household: null, confidence: 1 };
    },
    erase: async () => true,
  } as unknown as Engine;
  const app = new HttpApp(logger);
  registerWebApi(app, { engine, ratePerMinute: 1000 });
  app.route('GET', '/plain', () => ({ status: 200, body: { ok: true } }));
  const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  return { url, lines, close: () => app.close(100) };
}

async function hostileTraffic(url: string) {
  expect((await post(`${url}/api/chat`, { conversationId: 'log-0912345678', text: SECRET_TEXT })).status).toBe(500);
  await post(`${url}/api/chat`, { conversationId: 'log-1', text: 'bình thường' });
  await post(`${url}/api/chat`, `{"conversationId": "x", "text": "${SECRET_TEXT}`);
  await post(`${url}/api/chat`, SECRET_TEXT, { 'content-type': 'text/plain' });
  await post(`${url}/api/erase`, { conversationId: SECRET_TEXT });
  await fetch(`${url}/nope?q=${encodeURIComponent(SECRET_TEXT)}`);
}

beforeEach(() => {
  vi.mocked(monotonicMs).mockClear();
});

describe('request logging', () => {
  it('at info level logs the failure but none of the text or personal data', async () => {
    const s = await serve('info');
    try {
      await hostileTraffic(s.url);
      const out = s.lines.join('\n');
      expect(s.lines.some((l) => /handler failed/.test(l))).toBe(true);
      for (const needle of NEEDLES) expect(out).not.toContain(needle);
    } finally {
      await s.close();
    }
  });

  it('at debug level adds request lines, still without the text or personal data', async () => {
    const s = await serve('debug');
    try {
      await hostileTraffic(s.url);
      const out = s.lines.join('\n');
      expect(s.lines.filter((l) => /"msg":"request"/.test(l)).length).toBeGreaterThan(0);
      for (const needle of NEEDLES) expect(out).not.toContain(needle);
    } finally {
      await s.close();
    }
  });

  it('does no work for request logging when debug is off (not even reading the clock)', async () => {
    const off = await serve('info');
    try {
      for (let i = 0; i < 20; i++) await fetch(`${off.url}/plain`);
      expect(vi.mocked(monotonicMs)).not.toHaveBeenCalled();
      expect(off.lines).toEqual([]);
    } finally {
      await off.close();
    }
    const on = await serve('debug');
    try {
      await fetch(`${on.url}/plain`);
      expect(vi.mocked(monotonicMs)).toHaveBeenCalled();
    } finally {
      await on.close();
    }
  });
});
