import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, post } from '../helpers/server.ts';

let s: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

describe('POST /api/chat contract', () => {
  it('answers a question with replies, topic, household and confidence', async () => {
    const r = await post(`${s.url}/api/chat`, { conversationId: 'api-1', text: 'lãi suất vay hộ nghèo hiện nay bao nhiêu' });
    expect(r.status).toBe(200);
    expect(r.json.topic).toBe('loan');
    expect(r.json.household).toBe('poor');
    expect(r.json.confidence).toBeGreaterThan(0.5);
    expect(r.json.replies[0].text).toContain('6,24%');
    expect(r.json.replies[0].citations.some((c: any) => /2553/.test(c.instrument))).toBe(true);
    expect(r.json.replies[0].buttons.length).toBeGreaterThan(0);
  });

  it('accepts a button payload', async () => {
    const r = await post(`${s.url}/api/chat`, { conversationId: 'api-2', payload: 'menu' });
    expect(r.status).toBe(200);
    expect(r.json.replies[0].buttons.some((b: any) => b.payload === 'topic:loan')).toBe(true);
  });

  it.each([
    ['malformed JSON', '{"conversationId": "x", "text": '],
    ['a JSON array', '[1,2,3]'],
    ['missing conversationId', '{"text":"chào"}'],
    ['neither text nor payload', '{"conversationId":"x"}'],
    ['wrong types', '{"conversationId": 5, "text": ["a"]}'],
    ['null', 'null'],
  ])('refuses %s with a JSON 400', async (_name, body) => {
    const r = await post(`${s.url}/api/chat`, body);
    expect(r.status).toBe(400);
    expect(typeof r.json.error).toBe('string');
  });

  it('refuses a body over 64 KB with 413 and closes the connection', async () => {
    const r = await post(`${s.url}/api/chat`, { conversationId: 'big', text: 'a'.repeat(70_000) });
    expect(r.status).toBe(413);
    expect(r.headers.get('connection')).toBe('close');
    expect(r.json.error).toBeTruthy();
  });

  it('refuses a body that is not JSON with 415', async () => {
    const r = await post(`${s.url}/api/chat`, '{"conversationId":"t","text":"chào"}', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(r.json.error).toMatch(/^Dạ/);
  });

  it.each([
    ['empty text', ''],
    ['emoji only', '😀😀🙏'],
    ['binary garbage', '\u0000\u0001\uFFFD\u0007abc\u001b[31m'],
    ['10,000 characters', 'hộ nghèo '.repeat(1111).slice(0, 10_000)],
  ])('answers %s politely without an error', async (_name, text) => {
    const r = await post(`${s.url}/api/chat`, { conversationId: 'odd', text });
    expect(r.status).toBe(200);
    expect(r.json.replies[0].text).toMatch(/^Dạ/);
  });

  it('serves /healthz with the version and the number of knowledge entries', async () => {
    const res = await fetch(`${s.url}/healthz`);
    const j = await res.json();
    expect(res.status).toBe(200);
    expect(j.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(j.knowledgeEntries).toBeGreaterThan(20);
  });

  it('serves the Vietnamese web page with security headers', async () => {
    const res = await fetch(`${s.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('Trợ lý Giảm nghèo');
  });

  it('returns JSON 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    const missing = await fetch(`${s.url}/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toBeTruthy();
    const wrong = await fetch(`${s.url}/api/chat`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('OPTIONS, POST');
    expect((await wrong.json()).error).toBeTruthy();
  });

  it('keeps context between turns of one conversation', async () => {
    await post(`${s.url}/api/chat`, { conversationId: 'ctx-1', text: 'hộ nghèo vay vốn lãi suất bao nhiêu' });
    const r = await post(`${s.url}/api/chat`, { conversationId: 'ctx-1', text: 'còn hộ cận nghèo thì sao?' });
    expect(r.json.topic).toBe('loan');
    expect(r.json.household).toBe('near_poor');
    expect(r.json.replies[0].text).toContain('7,488%');
  });
});

describe('hostile request lines', () => {
  it('answers an unparsable request target with 400 and keeps serving', async () => {
    const net = await import('node:net');
    const { port } = new URL(s.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(Number(port), '127.0.0.1', () =>
        sock.write('GET //:99999 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      );
      let data = '';
      sock.on('data', (d) => (data += d));
      sock.on('end', () => resolve(data));
      sock.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('reports ready under concurrent probes', async () => {
    const codes = await Promise.all(Array.from({ length: 40 }, () => fetch(`${s.url}/readyz`).then((r) => r.status)));
    expect(codes.every((c) => c === 200)).toBe(true);
  });
});

describe('rate limits on the web API', () => {
  it('limits one flooding conversation politely but not other people behind the same IP', async () => {
    const t = await (await import('../helpers/server.ts')).startTestServer({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const flood = await Promise.all(
        Array.from({ length: 15 }, () => post(`${t.url}/api/chat`, { conversationId: 'flood', text: 'chào' })),
      );
      const limited = flood.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0].json.error).toMatch(/chờ/);
      const others = await Promise.all(
        Array.from({ length: 40 }, (_, i) => post(`${t.url}/api/chat`, { conversationId: `other-${i}`, text: 'chào' })),
      );
      expect(others.every((r) => r.status === 200)).toBe(true);
    } finally {
      await t.close();
    }
  });
});

describe('POST /api/erase', () => {
  it('erases the conversation so the next follow-up has no context', async () => {
    await post(`${s.url}/api/chat`, { conversationId: 'erase-me', text: 'hộ nghèo vay vốn lãi suất bao nhiêu' });
    const r = await post(`${s.url}/api/erase`, { conversationId: 'erase-me' });
    expect(r.status).toBe(200);
    expect(r.json.erased).toBe(true);
    const after = await post(`${s.url}/api/chat`, { conversationId: 'erase-me', text: 'còn hộ cận nghèo thì sao?' });
    expect(after.json.topic).not.toBe('loan');
    expect((await post(`${s.url}/api/erase`, '[]')).status).toBe(400);
  });
});
