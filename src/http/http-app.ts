import http from 'node:http';
import type net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.ts';
import { monotonicMs } from '../time/clock.ts';
import { type AddressRange, clientAddress, parseTrustedProxies } from './client-address.ts';

/**
 * A small HTTP layer on node:http: exact-path routes, raw bodies with a size limit per route
 * (webhook signatures are computed over raw bytes), JSON helpers, request ids, security headers,
 * and a guarantee that a handler's exception becomes a logged 500 without stopping the server.
 * Kept tiny on purpose so /api/chat stays close to a bare server's throughput.
 *
 * It is also the first line of defence against cheap attacks, because everything here runs before
 * any handler and for every request on the internet-facing port:
 * - a body is never read past its route's limit: an over-limit request gets 413 with
 *   `Connection: close` and its connection is closed once the answer is flushed, so an endless
 *   upload costs at most the limit (before, the rest of the upload was read and thrown away);
 * - a body must arrive within a deadline (slow or stalled uploads get 408), headers and whole
 *   requests have server-level deadlines, idle keep-alive connections are closed;
 * - any answer sent while a request body is still unread closes the connection instead of
 *   draining an unknown amount of data;
 * - request targets are length-limited and parsed without `new URL`, the query only on demand,
 *   and only the first {@link MAX_HEADERS_COUNT} headers are parsed;
 * - routes can refuse non-JSON bodies (415) and run a cheap admission check (per-IP rate limits)
 *   before the body is read;
 * - every 405 lists the allowed methods (`Allow`), OPTIONS answers 204 with `Allow` and no CORS
 *   headers (so cross-origin scripts stay refused), HEAD answers with the GET headers only;
 * - the client address honours `X-Forwarded-For` only from configured proxies (`TRUST_PROXY`).
 */

export interface HttpRequest {
  id: string;
  method: string;
  path: string;
  /** Parsed on first use (most routes never read it). */
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as received (never decoded or re-encoded). */
  rawBody: Buffer;
  /**
   * The client's address: the peer's, or, when the peer is a trusted proxy (`TRUST_PROXY`), the
   * right-most `X-Forwarded-For` address that is not a trusted proxy. IPv4-mapped IPv6 addresses
   * are reported as IPv4.
   */
  ip: string;
}

/** A request before its body is read (what an admission check sees). */
export type HttpRequestHead = Omit<HttpRequest, 'rawBody'>;

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else is sent as JSON. */
  body?: unknown;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

/** A check run before the body is read; a response refuses the request, undefined lets it through. */
export type AdmissionCheck = (req: HttpRequestHead) => Promise<HttpResponse | undefined> | HttpResponse | undefined;

export interface RouteOptions {
  /** Largest body accepted, in bytes; larger requests get 413 without reaching the handler. */
  bodyLimit?: number;
  /**
   * Accept only `Content-Type: application/json` (optionally with `charset=utf-8`); anything else gets
   * 415 before the body is read. JSON APIs set it so that cross-origin HTML forms, which can only send
   * `text/plain`, `multipart/form-data` or `application/x-www-form-urlencoded`, cannot post to them.
   */
  json?: boolean;
  /**
   * Runs after routing and before the body is read, so a refusal (a per-IP rate limit) costs no body
   * read, and every request is counted whatever its body turns out to be. If it throws (its store is
   * unreachable), the request gets a logged 503 with `Retry-After`.
   */
  admit?: AdmissionCheck;
}

/** Deadlines and limits of the server; the defaults suit the internet-facing `npm start`. */
export interface HttpAppOptions {
  /**
   * Proxies whose `X-Forwarded-For` is believed: addresses or CIDR ranges, IPv4 or IPv6
   * (`TRUST_PROXY`). Empty (the default): the header is ignored and the peer address is the client.
   */
  trustProxy?: readonly string[];
  /** Longest time a request body may take to arrive once reading starts; slower ones get 408. */
  bodyTimeoutMs?: number;
  /** Longest time the request headers may take to arrive (slowloris). */
  headersTimeoutMs?: number;
  /** Longest time a whole request (headers and body) may take to arrive. */
  requestTimeoutMs?: number;
  /** Idle time after which a keep-alive connection is closed. */
  keepAliveTimeoutMs?: number;
  /** Inactivity (nothing sent or received) after which any connection is closed. */
  idleTimeoutMs?: number;
  /** Longest request target (path and query) accepted; longer ones get 414. */
  maxUrlLength?: number;
}

interface Route {
  handler: HttpHandler;
  bodyLimit: number;
  json: boolean;
  admit?: AdmissionCheck;
}

/** Default body limit for any route that does not set one. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;
/** Default deadline for a body to arrive. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/** Default longest request target. Every route is a short fixed path; 2 KB leaves room for queries. */
export const DEFAULT_MAX_URL_LENGTH = 2048;
/** Headers parsed per request; the rest are ignored (browsers send about 20). */
export const MAX_HEADERS_COUNT = 100;
/** Largest header block (request line included); larger gets 431. Node's default, pinned here. */
export const MAX_HEADER_SIZE = 16 * 1024;

/**
 * After an answer that closes the connection, the socket is destroyed at the latest this much later:
 * time for the client to read the answer (see closeAfterAnswer), never more.
 */
const LINGER_MS = 1_000;
const LINGERING = Symbol('lingering');

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const EMPTY: Buffer = Buffer.alloc(0);
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Builds a JSON error response in the shape every route uses: `{ "error": "..." }`. */
export function jsonError(status: number, message: string): HttpResponse {
  return { status, body: { error: message } };
}

/** Parses a JSON body; returns an error response instead of throwing. */
export function parseJsonBody(req: HttpRequest): { ok: true; value: unknown } | { ok: false; response: HttpResponse } {
  if (req.rawBody.length === 0) return { ok: false, response: jsonError(400, 'Thiếu nội dung JSON (empty body).') };
  let text: string;
  try {
    text = UTF8.decode(req.rawBody);
  } catch {
    return { ok: false, response: jsonError(400, 'Nội dung không phải UTF-8 hợp lệ (invalid UTF-8).') };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: jsonError(400, 'JSON không hợp lệ (malformed JSON).') };
  }
}

/**
 * Is this `Content-Type` JSON we read: `application/json`, with at most a `charset` parameter that
 * names UTF-8 (the only encoding JSON may use between systems, RFC 8259)?
 */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value || value.length > 200) return false;
  const parts = value.split(';');
  if (parts[0].trim().toLowerCase() !== 'application/json') return false;
  for (let i = 1; i < parts.length; i++) {
    const param = parts[i].trim();
    if (param === '') continue;
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') return false;
    const charset = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return false;
  }
  return true;
}

export class HttpApp {
  private readonly routes = new Map<string, Route>();
  /** Path → its `Allow` header value, for 405 and OPTIONS. */
  private readonly allowed = new Map<string, string>();
  private readonly trusted: AddressRange[];
  private readonly opts: Required<Omit<HttpAppOptions, 'trustProxy'>>;
  private server?: http.Server;
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly logger: Logger,
    options: HttpAppOptions = {},
  ) {
    this.trusted = parseTrustedProxies(options.trustProxy ?? []);
    this.opts = {
      bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
      headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 5_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      maxUrlLength: options.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH,
    };
  }

  /** Registers a handler for an exact method and path. */
  route(method: string, path: string, handler: HttpHandler, options: RouteOptions = {}): void {
    const m = method.toUpperCase();
    this.routes.set(`${m} ${path}`, {
      handler,
      bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
      json: options.json ?? false,
      admit: options.admit,
    });
    const methods = new Set((this.allowed.get(path) ?? '').split(', ').filter(Boolean));
    methods.add(m);
    if (m === 'GET') methods.add('HEAD');
    methods.add('OPTIONS');
    this.allowed.set(path, [...methods].sort().join(', '));
  }

  /** Is a route registered (used by health checks and tests)? */
  has(method: string, path: string): boolean {
    return this.routes.has(`${method.toUpperCase()} ${path}`);
  }

  /** The node request listener, usable without listen() in tests. */
  readonly listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    this.inFlight++;
    res.on('close', () => {
      this.inFlight--;
      if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((f) => f());
    });
    this.dispatch(req, res).catch((err: Error) => {
      this.logger.error({ err: describeError(err) }, 'request failed before routing');
      if (!res.headersSent) this.send(req, res, randomUUID(), jsonError(400, 'Yêu cầu không hợp lệ.'), { close: true });
      else res.destroy();
    });
  };

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = req.headers['x-request-id'];
    const id = typeof requestId === 'string' && /^[\w-]{1,64}$/.test(requestId) ? requestId : randomUUID();
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    if (target.length > this.opts.maxUrlLength) {
      this.send(req, res, id, jsonError(414, 'Địa chỉ yêu cầu quá dài.'));
      return;
    }
    const parsed = parseTarget(target);
    if (!parsed) {
      this.send(req, res, id, jsonError(400, 'Địa chỉ yêu cầu không hợp lệ.'));
      return;
    }
    const { path, rawQuery } = parsed;
    const route = this.routes.get(`${method} ${path}`) ?? (method === 'HEAD' ? this.routes.get(`GET ${path}`) : undefined);
    if (!route) {
      const allow = this.allowed.get(path);
      if (!allow) this.send(req, res, id, jsonError(404, 'Không tìm thấy.'));
      else if (method === 'OPTIONS') this.send(req, res, id, { status: 204, headers: { allow } });
      else this.send(req, res, id, { ...jsonError(405, 'Phương thức không được hỗ trợ.'), headers: { allow } });
      return;
    }
    let query: URLSearchParams | undefined;
    const head: HttpRequestHead = {
      id,
      method,
      path,
      get query() {
        query ??= new URLSearchParams(rawQuery);
        return query;
      },
      headers: req.headers,
      ip: clientAddress(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for'], this.trusted),
    };
    if (route.admit) {
      let refused: HttpResponse | undefined;
      try {
        refused = await route.admit(head);
      } catch (err) {
        // The check's own store failed (a shared rate counter out of reach): the client did nothing wrong.
        this.logger.error({ reqId: id, path, err: describeError(err) }, 'admission check failed');
        refused = {
          status: 503,
          headers: { 'retry-after': '5' },
          body: { error: 'Dạ, hệ thống đang tạm bận. Anh/chị vui lòng thử lại sau ít phút ạ.' },
        };
      }
      if (refused) {
        this.send(req, res, id, refused);
        return;
      }
    }
    if (route.json && !isJsonContentType(req.headers['content-type'])) {
      this.send(req, res, id, jsonError(415, 'Dạ, nội dung phải là JSON (Content-Type: application/json; charset=utf-8).'));
      return;
    }
    let rawBody = EMPTY;
    if (hasBody(req)) {
      const declared = Number(req.headers['content-length'] ?? 0);
      const body =
        declared > route.bodyLimit
          ? ({ ok: false, reason: 'too_large' } as const)
          : await readBody(req, route.bodyLimit, this.opts.bodyTimeoutMs);
      if (!body.ok) {
        if (body.reason === 'aborted') req.socket.destroy();
        else if (body.reason === 'too_large') this.send(req, res, id, jsonError(413, 'Nội dung quá lớn.'), { close: true });
        else this.send(req, res, id, jsonError(408, 'Dạ, nội dung gửi lên quá chậm. Anh/chị vui lòng thử lại ạ.'), { close: true });
        return;
      }
      rawBody = body.body;
    }
    const request = head as HttpRequest;
    request.rawBody = rawBody;
    const debug = this.logger.isLevelEnabled('debug');
    const started = debug ? monotonicMs() : 0;
    let response: HttpResponse;
    try {
      response = await route.handler(request);
    } catch (err) {
      this.logger.error({ reqId: id, path, err: describeError(err) }, 'handler failed');
      response = jsonError(500, 'Lỗi máy chủ. Vui lòng thử lại sau.');
    }
    this.send(req, res, id, response, { headOnly: method === 'HEAD' });
    if (debug) {
      this.logger.debug({ reqId: id, method, path, status: response.status, ms: Math.round(monotonicMs() - started) }, 'request');
    }
  }

  /**
   * Writes a response. When the request's body was not (fully) read, or `close` is set, the answer
   * carries `Connection: close` and the connection is closed after it (closeAfterAnswer), so the rest
   * of an unread body is never read.
   */
  private send(req: http.IncomingMessage, res: http.ServerResponse, id: string, r: HttpResponse, how: SendOptions = {}): void {
    if (res.headersSent) return;
    const close = how.close || (hasBody(req) && !req.complete);
    let body: Buffer | string;
    const headers: Record<string, string> = { ...SECURITY_HEADERS, 'x-request-id': id, ...(r.headers ?? {}) };
    if (r.body === undefined) body = '';
    else if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) body = r.body;
    else {
      body = JSON.stringify(r.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
      headers['cache-control'] ??= 'no-store';
    }
    if (r.status !== 204 && r.status !== 304) headers['content-length'] = String(Buffer.byteLength(body));
    else body = '';
    if (close) {
      headers.connection = 'close';
      closeAfterAnswer(req.socket);
    }
    res.writeHead(r.status, headers);
    res.end(how.headOnly ? undefined : body);
  }

  /** Starts listening; resolves with the actual port (useful with PORT=0 in tests). */
  listen(port: number, host: string): Promise<number> {
    const o = this.opts;
    return new Promise((resolve, reject) => {
      const server = http.createServer(
        {
          requestTimeout: Math.max(o.requestTimeoutMs, o.headersTimeoutMs),
          headersTimeout: o.headersTimeoutMs,
          keepAliveTimeout: o.keepAliveTimeoutMs,
          // Node checks the two deadlines above on this interval (30 s by default, which would let a
          // slow-headers connection live 40 s instead of 10).
          connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(o.headersTimeoutMs / 4))),
          maxHeaderSize: MAX_HEADER_SIZE,
        },
        this.listener,
      );
      server.maxHeadersCount = MAX_HEADERS_COUNT;
      server.timeout = o.idleTimeoutMs;
      server.on('clientError', onClientError);
      server.once('error', reject);
      server.listen(port, host, () => {
        this.server = server;
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Stops accepting connections and waits (up to `graceMs`) for in-flight requests to finish. */
  async close(graceMs = 10_000): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections?.();
      const done = () => resolve();
      if (this.inFlight === 0) return;
      this.idleWaiters.push(() => {
        server.closeIdleConnections?.();
      });
      setTimeout(() => {
        server.closeAllConnections?.();
        done();
      }, graceMs).unref();
    });
    this.server = undefined;
  }
}

interface SendOptions {
  headOnly?: boolean;
  close?: boolean;
}

/** Does the request announce a body (HTTP/1.1: a Transfer-Encoding or a non-zero Content-Length)? */
function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Closes a connection whose answer says `Connection: close`, without reading the rest of its body.
 *
 * Reading stops at once (the socket is paused, and kept paused when Node's HTTP layer tries to
 * resume it to drain the body), so an endless upload costs nothing more: the kernel's buffers fill
 * and TCP flow control blocks the client. The socket is not destroyed the moment the answer is
 * flushed, though: closing with unread data makes the kernel send a reset, which discards the answer
 * before a client still busy uploading has read it (the classic lingering-close problem). Instead the
 * answer is followed by a FIN, and the socket is destroyed when the client closes or at the latest
 * LINGER_MS after the answer was sent, whether or not it was flushed.
 */
function closeAfterAnswer(socket: net.Socket): void {
  const s = socket as net.Socket & { [LINGERING]?: boolean };
  if (s[LINGERING]) return;
  s[LINGERING] = true;
  const stopReading = () => socket.pause();
  socket.on('resume', stopReading);
  socket.pause();
  // Node calls destroySoon() once a `Connection: close` answer is flushed; end (FIN) instead, and wait.
  socket.destroySoon = () => {
    if (socket.writable) socket.end();
  };
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Answers malformed requests, over-large headers and server-level timeouts with a JSON error
 * instead of Node's empty one, unless an answer is already under way on that connection.
 */
function onClientError(err: NodeJS.ErrnoException, socket: net.Socket): void {
  const busy = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (err.code === 'ECONNRESET' || !socket.writable || busy) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Phần đầu yêu cầu quá lớn.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'Yêu cầu đến quá chậm.']
        : [400, 'Bad Request', 'Yêu cầu không hợp lệ.'];
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroySoon();
}

/**
 * Splits a request target into path and raw query without `new URL`: origin-form (`/path?query`) as
 * sent by clients, and absolute-form (`http://host/path`) which HTTP/1.1 servers must accept.
 * Anything else (`*`, `//host`, garbage) is refused.
 */
function parseTarget(target: string): { path: string; rawQuery: string } | null {
  if (target.startsWith('/') && !target.startsWith('//')) {
    const q = target.indexOf('?');
    return q < 0 ? { path: target, rawQuery: '' } : { path: target.slice(0, q), rawQuery: target.slice(q + 1) };
  }
  if (!/^https?:\/\//i.test(target)) return null;
  try {
    const url = new URL(target);
    return { path: url.pathname, rawQuery: url.search.slice(1) };
  } catch {
    return null;
  }
}

type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'timeout' | 'aborted' };

/**
 * Reads a body up to `limit` bytes within `timeoutMs`. On overflow or timeout it stops reading at once
 * (the stream is paused and nothing more is buffered); the caller then closes the connection.
 */
function readBody(req: http.IncomingMessage, limit: number, timeoutMs: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish({ ok: false, reason: 'too_large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) });
    const onAbort = () => finish({ ok: false, reason: 'aborted' });
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}

/**
 * An error for the log without the resident's words: an exception may quote the input it choked on
 * (JSON.parse does), so quoted passages, numbers (phone, CCCD, account) and e-mail addresses are
 * blanked and the message is cut short. Self-contained on purpose: the HTTP layer must keep working
 * and logging whatever state the rest of the tree is in.
 */
export function describeError(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const message = e.message
    .slice(0, 300)
    .replace(/"[^"]*"?|'[^']*'?|`[^`]*`?|“[^”]*”?/g, '"…"')
    .replace(/\S+@\S+/g, '[email]')
    .replace(/\d+/g, '#')
    .slice(0, 200);
  return `${e.name}: ${message}`;
}
