import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startTestServer, post } from '../helpers/server.ts';
import { HttpApp } from '../../src/http/http-app.ts';
import { addressBucket } from '../../src/http/client-address.ts';
import { registerWebApi, cutText, type WebApiOptions } from '../../src/channels/web/api.ts';
import { RecentSet } from '../../src/channels/web/recent-set.ts';
import { MAX_TEXT_LENGTH, type Engine } from '../../src/core/engine.ts';
import type { Incoming } from '../../src/domain/types.ts';
import { MemoryRateCounter } from '../../src/storage/memory/rate-counter.ts';
import type { RateCounter } from '../../src/storage/types.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { monotonicMs } from '../../src/time/clock.ts';

/**
 * The web API's guards: JSON only (415), rate limits per address (every request), per conversation
 * and per address for new conversation ids, counted in a shared RateCounter; and the text cut to the
 * core's limit before anything reads it.
 */

/** An engine stand-in that records what reached it (the adapter is under test, not the core). */
function stubEngine() {
  const seen: Incoming[] = [];
  const engine = {
    sessionKey: (i: Pick<Incoming, 'channel' | 'conversationId'>) =>
      createHash('sha256').update(`salt|${i.channel}|${i.conversationId}`).digest('hex').slice(0, 32),
    handle: async (incoming: Incoming) => {
      seen.push(incoming);
      return { replies: [{ text: 'Dạ, em chào anh/chị.' }], topic: 'smalltalk', household: null, confidence: 1 };
    },
    erase: async () => true,
  } as unknown as Engine;
  return { engine, seen };
}

/** A web API on its own loopback server, with the limits under test. */
async function startApi(opts: Partial<WebApiOptions> & { trustProxy?: string[] } = {}) {
  const { engine, seen } = stubEngine();
  const app = new HttpApp(silentLogger(), { trustProxy: opts.trustProxy });
  registerWebApi(app, { engine, ratePerMinute: 1000, ...opts });
  const port = await app.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, seen, close: () => app.close(100) };
}

const chat = (url: string, body: unknown, headers: Record<string, string> = {}) => post(`${url}/api/chat`, body, headers);

let s: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

describe('JSON APIs refuse other content types with 415', () => {
  it.each([
    ['text/plain', '{"conversationId":"ct","text":"chào"}'],
    ['text/plain;charset=UTF-8', '{"conversationId":"ct","text":"chào"}'],
    ['application/x-www-form-urlencoded', 'conversationId=ct&text=chao'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--'],
    ['application/json; charset=iso-8859-1', '{"conversationId":"ct","text":"chào"}'],
  ])('%s', async (type, body) => {
    for (const route of ['/api/chat', '/api/erase']) {
      const r = await post(s.url + route, body, { 'content-type': type });
      expect(r.status).toBe(415);
      expect(r.json.error).toMatch(/^Dạ, .*application\/json/);
    }
  });

  it('a request without Content-Type is refused too', async () => {
    const { port } = new URL(s.url);
    const body = '{"conversationId":"ct","text":"chào"}';
    const reply = await new Promise<string>((resolve) => {
      const sock = net.connect(Number(port), '127.0.0.1', () =>
        sock.write(`POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
      );
      let data = '';
      sock.on('data', (d) => (data += d));
      sock.on('close', () => resolve(data));
      sock.on('error', () => undefined);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 415 /);
  });

  it('application/json with a UTF-8 charset is accepted', async () => {
    const r = await post(
      `${s.url}/api/chat`,
      { conversationId: 'ct-ok', payload: 'menu' },
      { 'content-type': 'application/json; charset=UTF-8' },
    );
    expect(r.status).toBe(200);
  });

  it('the web page sends application/json on every POST', () => {
    const js = readFileSync(path.resolve(import.meta.dirname, '../../src/channels/web/static/app.js'), 'utf8');
    const posts = js.match(/fetch\('\/api\/[^']+', \{ method: 'POST'[^}]*\}/g) ?? [];
    expect(posts.length).toBe(3);
    for (const call of posts) expect(call).toContain("headers: { 'content-type': 'application/json' }");
  });
});

describe('rate limits', () => {
  it('every request counts against the per-address budget, including refused and malformed ones', async () => {
    const api = await startApi({ ratePerIpPerMinute: 5 });
    try {
      expect((await chat(api.url, '{"conversationId": ')).status).toBe(400);
      expect((await chat(api.url, {})).status).toBe(400);
      expect((await post(`${api.url}/api/chat`, 'x', { 'content-type': 'text/plain' })).status).toBe(415);
      expect((await post(`${api.url}/api/erase`, { conversationId: 'a' })).status).toBe(200);
      expect((await chat(api.url, { conversationId: 'a', text: 'chào' })).status).toBe(200);
      const r = await chat(api.url, { conversationId: 'a', text: 'chào' });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('60');
      expect(r.json.error).toMatch(/^Dạ, .*chờ/);
      expect(api.seen.length).toBe(1);
    } finally {
      await api.close();
    }
  });

  it('rotating conversation ids is refused beyond the new-conversation budget; known conversations go on', async () => {
    const api = await startApi({ newConversationsPerIpPerMinute: 3 });
    try {
      for (const id of ['c1', 'c2', 'c3']) expect((await chat(api.url, { conversationId: id, text: 'chào' })).status).toBe(200);
      const refused = await chat(api.url, { conversationId: 'c4', text: 'chào' });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('60');
      expect(refused.json.error).toMatch(/^Dạ, .*cuộc trò chuyện mới/);
      // Sending the refused id again does not make it "known".
      expect((await chat(api.url, { conversationId: 'c4', text: 'chào' })).status).toBe(429);
      expect((await chat(api.url, { conversationId: 'c5', text: 'chào' })).status).toBe(429);
      // People already talking are not affected.
      expect((await chat(api.url, { conversationId: 'c1', text: 'còn gì nữa' })).status).toBe(200);
      expect(api.seen.map((i) => i.conversationId)).toEqual(['c1', 'c2', 'c3', 'c1']);
    } finally {
      await api.close();
    }
  });

  it('one conversation is limited on its own (twice RATE_LIMIT_PER_MINUTE)', async () => {
    const api = await startApi({ ratePerMinute: 2 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) codes.push((await chat(api.url, { conversationId: 'one', text: `câu ${i}` })).status);
      expect(codes).toEqual([200, 200, 200, 200, 429, 429]);
      expect((await chat(api.url, { conversationId: 'two', text: 'chào' })).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('limits hold across instances sharing one RateCounter', async () => {
    const rates = new MemoryRateCounter();
    const a = await startApi({ rates, ratePerIpPerMinute: 4 });
    const b = await startApi({ rates, ratePerIpPerMinute: 4 });
    try {
      const codes: number[] = [];
      for (const api of [a, b, a, b, a]) codes.push((await chat(api.url, { conversationId: 'x', text: 'chào' })).status);
      expect(codes).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('counter keys carry salted hashes, never the raw address or conversation id', async () => {
    const keys: string[] = [];
    const inner = new MemoryRateCounter();
    const rates: RateCounter = {
      hit: (key, limit, windowMs) => {
        keys.push(key);
        return inner.hit(key, limit, windowMs);
      },
    };
    const api = await startApi({ rates });
    try {
      await chat(api.url, { conversationId: 'conversation-0912345678', text: 'chào' });
      expect(keys.length).toBe(3);
      expect(keys.some((k) => k.startsWith('web:ip:'))).toBe(true);
      expect(keys.some((k) => k.startsWith('web:new:'))).toBe(true);
      expect(keys.some((k) => k.startsWith('web:conv:'))).toBe(true);
      for (const k of keys) expect(k).not.toMatch(/127\.0\.0\.1|0912345678/);
    } finally {
      await api.close();
    }
  });

  it('a failing rate store gives a 503 with Retry-After, and the server keeps serving', async () => {
    let down = true;
    const inner = new MemoryRateCounter();
    const rates: RateCounter = {
      hit: async (key, limit, windowMs) => {
        if (down) throw new Error('connection refused');
        return inner.hit(key, limit, windowMs);
      },
    };
    const api = await startApi({ rates });
    try {
      const r = await chat(api.url, { conversationId: 'db', text: 'chào' });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBeTruthy();
      expect(r.json.error).toMatch(/^Dạ/);
      down = false;
      expect((await chat(api.url, { conversationId: 'db', text: 'chào' })).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('counts an IPv6 subscriber by its /64, so rotating addresses inside it does not help', () => {
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe(addressBucket('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(addressBucket('2001:db8:1:2::1')).not.toBe(addressBucket('2001:db8:1:3::1'));
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('203.0.113.7')).not.toBe(addressBucket('203.0.113.8'));
  });

  it('the real server refuses a flooding address with a polite 429 (RATE_LIMIT_PER_IP_PER_MINUTE)', async () => {
    const t = await startTestServer({ RATE_LIMIT_PER_IP_PER_MINUTE: '3' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await post(`${t.url}/api/chat`, '{', {})).status);
      expect(codes).toEqual([400, 400, 400, 429]);
    } finally {
      await t.close();
    }
  });
});

describe('a per-request CPU budget: text is cut to the core limit first', () => {
  it('cuts long text to the core limit (plus one character, so the core knows it was longer)', async () => {
    const api = await startApi();
    try {
      const r = await chat(api.url, { conversationId: 'long', text: 'hộ nghèo '.repeat(1000) });
      expect(r.status).toBe(200);
      expect(api.seen[0].text?.length).toBe(MAX_TEXT_LENGTH + 1);
      // A body just under 64 KB is answered, not refused, and costs what 2,000 characters cost.
      const big = await chat(api.url, { conversationId: 'long', text: 'a'.repeat(60_000) });
      expect(big.status).toBe(200);
      expect(api.seen[1].text?.length).toBe(MAX_TEXT_LENGTH + 1);
    } finally {
      await api.close();
    }
  });

  it('never splits a surrogate pair', () => {
    const cut = cutText('😀'.repeat(3000));
    expect(cut.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH + 1);
    expect(cut).toBe('😀'.repeat(1000));
    expect(cutText('ngắn')).toBe('ngắn');
  });

  it('the real server answers a 60 KB message quickly', async () => {
    const text = 'vay vốn hộ nghèo lãi suất bao nhiêu '.repeat(1400);
    expect(Buffer.byteLength(text)).toBeGreaterThan(60_000);
    const started = monotonicMs();
    const r = await post(`${s.url}/api/chat`, { conversationId: 'cpu', text });
    expect(r.status).toBe(200);
    expect(r.json.replies[0].text).toMatch(/^Dạ/);
    expect(monotonicMs() - started).toBeLessThan(2000);
  });
});

describe('RecentSet', () => {
  it('forgets a key after its time to live, keeps touched keys, and stays bounded', () => {
    let t = 0;
    const set = new RecentSet(1000, 3, () => t);
    set.touch('a');
    t = 500;
    set.touch('b');
    expect(set.has('a')).toBe(true);
    t = 1200;
    expect(set.has('a')).toBe(false);
    expect(set.has('b')).toBe(true);
    set.touch('b');
    t = 2100;
    expect(set.has('b')).toBe(true);
    for (const k of ['c', 'd', 'e', 'f']) set.touch(k);
    expect(set.size).toBeLessThanOrEqual(3);
    set.delete('f');
    expect(set.has('f')).toBe(false);
  });
});
