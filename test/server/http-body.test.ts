import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import net from 'node:net';
import { startTestServer } from '../helpers/server.ts';
import { HttpApp } from '../../src/http/http-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { monotonicMs } from '../../src/time/clock.ts';

/**
 * Request bodies over raw sockets: an over-limit or endless upload is answered 413 with
 * `Connection: close` and the connection is closed while the client is still writing (the server
 * stops reading); a body that arrives too slowly gets 408 and a closed connection; ordinary requests
 * keep their keep-alive connection.
 */

interface Upload {
  /** Everything the server sent back. */
  response: string;
  /** Bytes the client managed to hand to the socket before it was closed. */
  written: number;
  /** Milliseconds from the first body byte until the server ended or reset the connection (null: never). */
  closedAfterMs: number | null;
}

/** Sends `head`, then writes `chunk` (framed for chunked encoding when asked) for at most `forMs`. */
async function endlessUpload(port: number, head: string, opts: { chunked: boolean; forMs: number }): Promise<Upload> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  let response = '';
  let closedAt: number | null = null;
  sock.on('data', (d) => (response += d.toString('latin1')));
  sock.on('error', () => undefined);
  const started = monotonicMs();
  // The server ending its side (FIN) or resetting the connection both count as "closed".
  const closed = () => (closedAt ??= monotonicMs() - started);
  sock.on('end', closed);
  sock.on('close', closed);
  sock.write(head);
  const payload = Buffer.alloc(16 * 1024, 0x61);
  const frame = opts.chunked ? Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n')]) : payload;
  let written = 0;
  while (closedAt === null && !sock.destroyed && monotonicMs() - started < opts.forMs) {
    if (!sock.write(frame)) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        sock.once('drain', () => {
          clearTimeout(t);
          resolve();
        });
      });
    } else if (written % (1024 * 1024) < frame.length) await new Promise((r) => setImmediate(r));
    written += frame.length;
  }
  sock.destroy();
  return { response, written, closedAfterMs: closedAt };
}

/** Sends raw bytes and collects the answer until the server closes the connection (or `waitMs`). */
async function raw(port: number, data: string, waitMs = 3000): Promise<{ response: string; closed: boolean }> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(data));
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

function jsonBodyOf(response: string): any {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
}

let s: Awaited<ReturnType<typeof startTestServer>>;
let port: number;
beforeAll(async () => {
  s = await startTestServer();
  port = Number(new URL(s.url).port);
});
afterAll(async () => {
  await s.close();
});

describe('over-limit bodies: 413, then the connection is closed and nothing more is read', () => {
  it('an endless chunked upload to /api/chat is cut off while the client is still writing', async () => {
    const head = 'POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const up = await endlessUpload(port, head, { chunked: true, forMs: 4000 });
    expect(up.response).toMatch(/^HTTP\/1\.1 413 /);
    expect(up.response.toLowerCase()).toContain('connection: close');
    expect(jsonBodyOf(up.response).error).toBeTruthy();
    // Closed by the server within a short time, although the client never stopped writing.
    expect(up.closedAfterMs).not.toBeNull();
    expect(up.closedAfterMs as number).toBeLessThan(2000);
    // Only the limit and the kernel's socket buffers were taken, not an unbounded stream.
    expect(up.written).toBeLessThan(64 * 1024 * 1024);
  });

  it('a declared Content-Length over the limit is refused before reading, and the connection closed', async () => {
    const head = `POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 ** 3}\r\n\r\n`;
    const up = await endlessUpload(port, head, { chunked: false, forMs: 4000 });
    expect(up.response).toMatch(/^HTTP\/1\.1 413 /);
    expect(up.response.toLowerCase()).toContain('connection: close');
    expect(up.closedAfterMs).not.toBeNull();
    expect(up.closedAfterMs as number).toBeLessThan(2000);
    expect(up.written).toBeLessThan(64 * 1024 * 1024);
  });

  it('a webhook route with a larger limit is cut off the same way past its own limit', async () => {
    const head = 'POST /webhooks/telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const t = new HttpApp(silentLogger());
    t.route('POST', '/webhooks/telegram', () => ({ status: 200, body: { ok: true } }), { bodyLimit: 1024 * 1024 });
    const p = await t.listen(0, '127.0.0.1');
    try {
      const up = await endlessUpload(p, head, { chunked: true, forMs: 4000 });
      expect(up.response).toMatch(/^HTTP\/1\.1 413 /);
      expect(up.closedAfterMs as number).toBeLessThan(2000);
    } finally {
      await t.close(100);
    }
  });

  it('an endless upload to an unknown path or a wrong method is not drained either', async () => {
    for (const [target, status] of [
      ['POST /nope', 404],
      ['PUT /api/chat', 405],
    ] as const) {
      const head = `${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
      const up = await endlessUpload(port, head, { chunked: true, forMs: 4000 });
      expect(up.response).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(up.response.toLowerCase()).toContain('connection: close');
      expect(up.closedAfterMs as number).toBeLessThan(2000);
    }
  });

  it('a refused request with an unread body (415) closes the connection instead of draining it', async () => {
    const head = 'POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n';
    const up = await endlessUpload(port, head, { chunked: true, forMs: 4000 });
    expect(up.response).toMatch(/^HTTP\/1\.1 415 /);
    expect(up.closedAfterMs as number).toBeLessThan(2000);
  });

  it('fetch still receives the 413 for a 3 MB body, and the server keeps serving', async () => {
    const res = await fetch(`${s.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"conversationId":"big","text":"${'a'.repeat(3 * 1024 * 1024)}"}`,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect((await res.json()).error).toBeTruthy();
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });
});

describe('slow bodies within the limit', () => {
  let app: HttpApp;
  let p: number;
  beforeAll(async () => {
    app = new HttpApp(silentLogger(), { bodyTimeoutMs: 300 });
    app.route('POST', '/echo', (req) => ({ status: 200, body: { bytes: req.rawBody.length } }));
    p = await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close(100);
  });

  it('a body that stalls gets 408 with a JSON error and a closed connection', async () => {
    const started = monotonicMs();
    const r = await raw(p, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":', 3000);
    expect(r.closed).toBe(true);
    expect(monotonicMs() - started).toBeLessThan(2000);
    expect(r.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(r.response.toLowerCase()).toContain('connection: close');
    expect(jsonBodyOf(r.response).error).toMatch(/^Dạ/);
  });

  it('an endless trickle of chunks within the limit is cut off at the deadline', async () => {
    const sock = net.connect(p, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let response = '';
    let closed = false;
    sock.on('data', (d) => (response += d));
    sock.on('error', () => undefined);
    sock.on('close', () => (closed = true));
    sock.write('POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const started = monotonicMs();
    while (!closed && monotonicMs() - started < 3000) {
      sock.write('1\r\na\r\n');
      await new Promise((r) => setTimeout(r, 20));
    }
    sock.destroy();
    expect(closed).toBe(true);
    expect(monotonicMs() - started).toBeLessThan(2000);
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a complete body keeps the connection alive for the next request', async () => {
    const body = '{"a":1}';
    const req = `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const r = await raw(p, req + req.replace('HTTP/1.1\r\n', 'HTTP/1.1\r\nConnection: close\r\n'), 3000);
    expect(r.response.match(/HTTP\/1\.1 200 /g)?.length).toBe(2);
    expect(r.response).toContain('"bytes":7');
  });
});
