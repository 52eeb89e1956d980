import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.ts';
import { monotonicMs } from '../time/clock.ts';

/**
 * A small HTTP layer on node:http: exact-path routes, raw bodies with a size limit per route
 * (webhook signatures are computed over raw bytes), JSON helpers, request ids, security headers,
 * and a guarantee that a handler's exception becomes a logged 500 without stopping the server.
 * Kept tiny on purpose so /api/chat stays close to a bare server's throughput.
 */

export interface HttpRequest {
  id: string;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as received (never decoded or re-encoded). */
  rawBody: Buffer;
  ip: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else is sent as JSON. */
  body?: unknown;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

export interface RouteOptions {
  /** Largest body accepted, in bytes; larger requests get 413 without reaching the handler. */
  bodyLimit?: number;
}

interface Route {
  handler: HttpHandler;
  bodyLimit: number;
}

/** Default body limit for any route that does not set one. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Builds a JSON error response in the shape every route uses: `{ "error": "..." }`. */
export function jsonError(status: number, message: string): HttpResponse {
  return { status, body: { error: message } };
}

/** Parses a JSON body; returns an error response instead of throwing. */
export function parseJsonBody(req: HttpRequest): { ok: true; value: unknown } | { ok: false; response: HttpResponse } {
  if (req.rawBody.length === 0) return { ok: false, response: jsonError(400, 'Thiếu nội dung JSON (empty body).') };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(req.rawBody);
  } catch {
    return { ok: false, response: jsonError(400, 'Nội dung không phải UTF-8 hợp lệ (invalid UTF-8).') };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: jsonError(400, 'JSON không hợp lệ (malformed JSON).') };
  }
}

export class HttpApp {
  private readonly routes = new Map<string, Route>();
  private server?: http.Server;
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly logger: Logger) {}

  /** Registers a handler for an exact method and path. */
  route(method: string, path: string, handler: HttpHandler, options: RouteOptions = {}): void {
    this.routes.set(`${method.toUpperCase()} ${path}`, { handler, bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT });
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
      this.logger.error({ err: err.message }, 'request failed before routing');
      if (!res.headersSent) this.send(res, randomUUID(), jsonError(400, 'Yêu cầu không hợp lệ.'));
      else res.destroy();
    });
  };

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const id =
      typeof req.headers['x-request-id'] === 'string' && /^[\w-]{1,64}$/.test(req.headers['x-request-id'])
        ? req.headers['x-request-id']
        : randomUUID();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      req.resume();
      this.send(res, id, jsonError(400, 'Địa chỉ yêu cầu không hợp lệ.'));
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const route = this.routes.get(`${method} ${url.pathname}`) ?? (method === 'HEAD' ? this.routes.get(`GET ${url.pathname}`) : undefined);
    if (!route) {
      req.resume();
      const pathKnown = [...this.routes.keys()].some((k) => k.endsWith(` ${url.pathname}`));
      this.send(res, id, pathKnown ? jsonError(405, 'Phương thức không được hỗ trợ.') : jsonError(404, 'Không tìm thấy.'));
      return;
    }
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req, route.bodyLimit);
    } catch (err) {
      const tooLarge = (err as Error).message === 'too_large';
      this.send(res, id, tooLarge ? jsonError(413, 'Nội dung quá lớn.') : jsonError(400, 'Không đọc được nội dung yêu cầu.'));
      if (tooLarge) req.resume();
      return;
    }
    const request: HttpRequest = {
      id,
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      ip: req.socket.remoteAddress ?? '',
    };
    let response: HttpResponse;
    const started = monotonicMs();
    try {
      response = await route.handler(request);
    } catch (err) {
      this.logger.error({ reqId: id, path: url.pathname, err: (err as Error).message }, 'handler failed');
      response = jsonError(500, 'Lỗi máy chủ. Vui lòng thử lại sau.');
    }
    this.send(res, id, response, method === 'HEAD');
    if (this.logger.isLevelEnabled('debug')) {
      this.logger.debug(
        { reqId: id, method, path: url.pathname, status: response.status, ms: Math.round(monotonicMs() - started) },
        'request',
      );
    }
  }

  private send(res: http.ServerResponse, id: string, r: HttpResponse, headOnly = false): void {
    if (res.headersSent) return;
    let body: Buffer | string;
    const headers: Record<string, string> = { ...SECURITY_HEADERS, 'x-request-id': id, ...(r.headers ?? {}) };
    if (r.body === undefined) body = '';
    else if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) body = r.body;
    else {
      body = JSON.stringify(r.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(r.status, headers);
    res.end(headOnly ? undefined : body);
  }

  /** Starts listening; resolves with the actual port (useful with PORT=0 in tests). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = http.createServer({ requestTimeout: 30_000, headersTimeout: 15_000, keepAliveTimeout: 5_000 }, this.listener);
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

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new Error('too_large'));
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new Error('too_large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => !failed && resolve(Buffer.concat(chunks)));
    req.on('error', (err) => !failed && reject(err));
  });
}
