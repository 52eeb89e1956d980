import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import net from 'node:net';
import { startTestServer } from '../helpers/server.ts';
import { HttpApp, MAX_HEADERS_COUNT, isJsonContentType, describeError } from '../../src/http/http-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { monotonicMs } from '../../src/time/clock.ts';

/**
 * The cheap things an attacker (or a confused client) can do to the HTTP layer: wrong methods,
 * OPTIONS and HEAD, odd request targets, long URLs, many or huge headers, slow headers.
 */

/** Sends raw bytes and collects the answer until the server closes the connection (or `waitMs`). */
async function raw(port: number, data: string | string[], waitMs = 3000): Promise<{ response: string; closed: boolean }> {
  return new Promise((resolve) => {
    const parts = Array.isArray(data) ? data : [data];
    const sock = net.connect(port, '127.0.0.1', () => sock.write(parts[0]));
    let response = '';
    const t = setTimeout(() => {
      sock.destroy();
      resolve({ response, closed: false });
    }, waitMs);
    sock.on('data', (d) => (response += d.toString('utf8')));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(t);
      resolve({ response, closed: true });
    });
  });
}

const statusOf = (response: string) => Number(response.slice(9, 12));
const headerOf = (response: string, name: string) =>
  new RegExp(`^${name}: (.*)$`, 'im').exec(response.slice(0, response.indexOf('\r\n\r\n')))?.[1]?.trim();
const jsonOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));

let s: Awaited<ReturnType<typeof startTestServer>>;
let port: number;
beforeAll(async () => {
  s = await startTestServer();
  port = Number(new URL(s.url).port);
});
afterAll(async () => {
  await s.close();
});

describe('methods: 405 with Allow, OPTIONS, HEAD', () => {
  it.each([
    ['GET', '/api/chat', 'OPTIONS, POST'],
    ['DELETE', '/api/erase', 'OPTIONS, POST'],
    ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
    ['PUT', '/', 'GET, HEAD, OPTIONS'],
    ['HEAD', '/api/chat', 'OPTIONS, POST'],
  ])('%s %s gets 405 with Allow: %s and a JSON error', async (method, path, allow) => {
    const res = await fetch(s.url + path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    if (method !== 'HEAD') expect((await res.json()).error).toBeTruthy();
  });

  it('OPTIONS answers 204 with Allow and no CORS permission', async () => {
    const res = await fetch(`${s.url}/api/chat`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('OPTIONS, POST');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.text()).toBe('');
  });

  it('OPTIONS on an unknown path is a 404', async () => {
    expect((await fetch(`${s.url}/nope`, { method: 'OPTIONS' })).status).toBe(404);
  });

  it('HEAD on a GET route sends the headers and no body', async () => {
    const r = await raw(port, 'HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(statusOf(r.response)).toBe(200);
    expect(Number(headerOf(r.response, 'content-length'))).toBeGreaterThan(0);
    expect(r.response.endsWith('\r\n\r\n')).toBe(true);
  });
});

describe('request targets', () => {
  it('a URL over 2 KB gets 414 with a JSON error', async () => {
    const res = await fetch(`${s.url}/healthz?x=${'a'.repeat(3000)}`);
    expect(res.status).toBe(414);
    expect((await res.json()).error).toBeTruthy();
  });

  it('a query string does not change the route', async () => {
    expect((await fetch(`${s.url}/healthz?a=1&b=2`)).status).toBe(200);
  });

  it('an absolute-form target is routed by its path', async () => {
    const r = await raw(port, 'GET http://example.org/healthz HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n');
    expect(statusOf(r.response)).toBe(200);
  });

  it.each(['//api/chat', '*', '//:99999'])('the target %s is refused with a JSON 400 or 404, never routed elsewhere', async (target) => {
    const r = await raw(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect([400, 404]).toContain(statusOf(r.response));
    expect(jsonOf(r.response).error).toBeTruthy();
  });
});

describe('headers', () => {
  it(`parses only the first ${MAX_HEADERS_COUNT} headers`, async () => {
    const filler = Array.from({ length: MAX_HEADERS_COUNT + 20 }, (_, i) => `X-Filler-${i}: v\r\n`).join('');
    const early = await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: early-id\r\n${filler}Connection: close\r\n\r\n`);
    expect(headerOf(early.response, 'x-request-id')).toBe('early-id');
    const late = await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${filler}X-Request-Id: late-id\r\nConnection: close\r\n\r\n`);
    expect(statusOf(late.response)).toBe(200);
    expect(headerOf(late.response, 'x-request-id')).not.toBe('late-id');
  });

  it('a header block over 16 KB gets 431 with a JSON error and a closed connection', async () => {
    const r = await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
    expect(statusOf(r.response)).toBe(431);
    expect(jsonOf(r.response).error).toBeTruthy();
    expect(r.closed).toBe(true);
  });

  it('a malformed request gets a JSON 400', async () => {
    const r = await raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(statusOf(r.response)).toBe(400);
    expect(jsonOf(r.response).error).toBeTruthy();
  });

  it('JSON responses are not cached', async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('server deadlines', () => {
  let app: HttpApp;
  let p: number;
  beforeAll(async () => {
    app = new HttpApp(silentLogger(), { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 200, idleTimeoutMs: 1000 });
    app.route('GET', '/ok', () => ({ status: 200, body: { ok: true } }));
    p = await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close(100);
  });

  it('headers that never finish (slowloris) get 408 and a closed connection', async () => {
    const started = monotonicMs();
    const r = await raw(p, 'GET /ok HTTP/1.1\r\nHost: x\r\nX-Slow: ', 3000);
    expect(r.closed).toBe(true);
    expect(monotonicMs() - started).toBeLessThan(1500);
    expect(statusOf(r.response)).toBe(408);
    expect(jsonOf(r.response).error).toBeTruthy();
  });

  it('an idle keep-alive connection is closed', async () => {
    const started = monotonicMs();
    const r = await raw(p, 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\n', 3000);
    expect(statusOf(r.response)).toBe(200);
    expect(r.closed).toBe(true);
    expect(monotonicMs() - started).toBeLessThan(1500);
  });

  it('a connection that sends nothing at all is closed', async () => {
    const started = monotonicMs();
    const r = await raw(p, '', 3000);
    expect(r.closed).toBe(true);
    expect(monotonicMs() - started).toBeLessThan(2000);
  });
});

describe('helpers', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON;charset="UTF-8"', true],
    ['application/json; charset=utf8', true],
    ['application/json; charset=iso-8859-1', false],
    ['application/json; boundary=x', false],
    ['text/plain', false],
    ['text/plain; charset=utf-8', false],
    ['application/x-www-form-urlencoded', false],
    ['multipart/form-data; boundary=x', false],
    ['application/jsonx', false],
    [undefined, false],
  ])('isJsonContentType(%s) is %s', (value, expected) => {
    expect(isJsonContentType(value)).toBe(expected);
  });

  it('describeError keeps the kind of error and drops quoted input, numbers and e-mails', () => {
    let err: unknown;
    try {
      JSON.parse('gọi 0912345678 hoặc an@example.com');
    } catch (e) {
      err = e;
    }
    const text = describeError(err);
    expect(text).toMatch(/^SyntaxError: /);
    expect(text).not.toMatch(/0912345678|an@example\.com|gọi/);
    expect(describeError(new Error('CCCD 079203001240 của an@x.vn'))).not.toMatch(/079203001240|an@x\.vn/);
  });
});
