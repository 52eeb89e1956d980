import http from 'node:http';
import { close, listen, readBody, sendJson } from './http-util.ts';

/**
 * Loopback fake of the Zalo Bot Platform API: /bot<token>/<method> with the {ok, result} envelope.
 * getUpdates holds until an update is queued or its timeout passes (then 408); sendMessage and
 * sendChatAction are recorded; setWebhook stores url + secret; errors can be injected per method.
 */
export interface BotCall {
  method: string;
  params: Record<string, unknown>;
  status: number;
}

export class FakeZaloBot {
  url = '';
  readonly calls: BotCall[] = [];
  readonly sent: Array<{ chat_id: string; text: string }> = [];
  webhook: { url: string; secret: string } | null = null;
  /** Longest time getUpdates holds, whatever timeout the client asks (keeps tests short). */
  maxHoldMs = 30_000;
  private readonly queue: unknown[] = [];
  private readonly waiters: Array<() => void> = [];
  private readonly failures = new Map<string, number[]>();
  private readonly server: http.Server;
  private closed = false;

  constructor(readonly token: string) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    this.url = await listen(this.server);
    return this;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiters.splice(0).forEach((w) => w());
    await close(this.server);
  }

  /** Queues an update for getUpdates (bare {event_name, message}). */
  enqueue(update: unknown): void {
    this.queue.push(update);
    this.waiters.splice(0).forEach((w) => w());
  }

  /** The next `count` calls of `method` answer with HTTP `status` (429, 500, 401...). */
  failNext(method: string, status: number, count = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < count; i++) list.push(status);
    this.failures.set(method, list);
  }

  callsOf(method: string): BotCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** POSTs an update to the registered webhook, as Zalo does (wrapped by default). */
  async pushWebhook(update: unknown, opts: { wrapped?: boolean; secret?: string | null } = {}): Promise<{ status: number; body: unknown }> {
    if (!this.webhook) throw new Error('no webhook set');
    const body = opts.wrapped === false ? update : { ok: true, result: update };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const secret = opts.secret === undefined ? this.webhook.secret : opts.secret;
    if (secret !== null) headers['x-bot-api-secret-token'] = secret;
    const res = await fetch(this.webhook.url, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: text };
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!m) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = m;
    let params: Record<string, unknown> = {};
    try {
      params = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return sendJson(res, 400, { ok: false, error_code: 400, description: 'Bad Request' });
    }
    const record = (status: number) => this.calls.push({ method, params, status });
    if (token !== this.token) {
      record(401);
      return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    const injected = this.failures.get(method)?.shift();
    if (injected) {
      record(injected);
      return sendJson(res, injected, { ok: false, error_code: injected, description: `injected ${injected}` });
    }
    switch (method) {
      case 'getUpdates': {
        const holdMs = Math.min(Number(params.timeout ?? 30) * 1000, this.maxHoldMs);
        const update = await this.nextUpdate(holdMs, req);
        if (update === undefined) {
          record(408);
          return sendJson(res, 408, { ok: false, error_code: 408, description: 'Request timeout' });
        }
        record(200);
        return sendJson(res, 200, { ok: true, result: update });
      }
      case 'sendMessage': {
        const text = String(params.text ?? '');
        if (!text || text.length > 2000) {
          record(400);
          return sendJson(res, 400, { ok: false, error_code: 400, description: 'text must be 1-2000 characters' });
        }
        record(200);
        this.sent.push({ chat_id: String(params.chat_id), text });
        return sendJson(res, 200, { ok: true, result: { message_id: `bot-${this.sent.length}`, date: Date.now() } });
      }
      case 'sendChatAction':
        record(200);
        return sendJson(res, 200, { ok: true, result: true });
      case 'setWebhook':
        record(200);
        this.webhook = { url: String(params.url), secret: String(params.secret_token) };
        return sendJson(res, 200, { ok: true, result: { url: this.webhook.url, updated_at: Date.now() } });
      case 'deleteWebhook':
        record(200);
        this.webhook = null;
        return sendJson(res, 200, { ok: true, result: true });
      case 'getMe':
        record(200);
        return sendJson(res, 200, { ok: true, result: { id: 'bot-1', account_name: 'Bot Giảm nghèo', account_type: 'BASIC' } });
      default:
        record(404);
        return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    }
  }

  private nextUpdate(holdMs: number, req: http.IncomingMessage): Promise<unknown> {
    return new Promise((resolve) => {
      const take = () => {
        if (this.queue.length) {
          cleanup();
          resolve(this.queue.shift());
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        resolve(undefined);
      }, holdMs);
      const waiter = () => {
        if (this.closed) {
          cleanup();
          resolve(undefined);
        } else if (!take()) this.waiters.push(waiter);
      };
      const onClose = () => {
        cleanup();
        resolve(undefined);
      };
      const cleanup = () => {
        clearTimeout(timer);
        req.socket.off('close', onClose);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      req.socket.on('close', onClose);
      if (!take()) this.waiters.push(waiter);
    });
  }
}

let seq = 0;
/** A Bot Platform update as the docs describe it. */
export function botUpdate(
  eventName: string,
  opts: { chatId?: string; fromId?: string; text?: string; messageId?: string; isBot?: boolean } = {},
): { event_name: string; message: Record<string, unknown> } {
  const fromId = opts.fromId ?? 'user-1';
  return {
    event_name: eventName,
    message: {
      message_id: opts.messageId ?? `m-${Date.now()}-${++seq}`,
      date: Date.now(),
      from: { id: fromId, display_name: 'Người dân', is_bot: opts.isBot ?? false },
      chat: { id: opts.chatId ?? fromId, chat_type: 'PRIVATE' },
      ...(opts.text !== undefined ? { text: opts.text } : {}),
    },
  };
}
