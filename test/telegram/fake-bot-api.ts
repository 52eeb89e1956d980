import http from 'node:http';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';

/**
 * A small fake of the Telegram Bot API on 127.0.0.1 (port 0), for end-to-end tests of the adapter:
 * getMe, getUpdates (long poll honouring offset/timeout/limit), sendMessage, sendChatAction,
 * setMyCommands, answerCallbackQuery, editMessageText, sendPhoto (multipart), setWebhook /
 * deleteWebhook / getWebhookInfo. Every call is recorded; user updates are injected into the
 * getUpdates queue or POSTed to the registered webhook with the secret header; errors can be
 * injected per method (e.g. one 429 with retry_after).
 */

export interface RecordedCall {
  method: string;
  params: Record<string, any>;
  at: number;
}

export interface InjectedFailure {
  error_code: number;
  description: string;
  retry_after?: number;
}

export interface FakeUser {
  id: number;
  is_bot: false;
  first_name: string;
  username?: string;
}

export const BOT_INFO = {
  id: 7_000_001,
  is_bot: true,
  first_name: 'Trợ lý Giảm nghèo',
  username: 'TroLyGiamNgheoBot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};

export class FakeBotApi extends EventEmitter {
  readonly token: string;
  readonly calls: RecordedCall[] = [];
  pollCount = 0;
  webhook: { url: string; secret_token?: string; allowed_updates?: string[] } | null = null;
  commands: Array<{ command: string; description: string }> = [];
  private server: http.Server | null = null;
  private port = 0;
  private queue: any[] = [];
  private nextUpdateId = 5000;
  private nextMessageId = 1;
  private readonly waiters = new Set<() => void>();
  private readonly failures = new Map<string, InjectedFailure[]>();
  /** Bot messages by chat, so tests can reply to them or press their buttons. */
  readonly botMessages: any[] = [];

  constructor(token = '123456:TEST-fake_token-abcdefghijklmnop') {
    super();
    this.token = token;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const w of this.waiters) w();
    this.waiters.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ---- test controls -------------------------------------------------------------------

  /** Makes the next `times` calls of `method` fail with this error. */
  failNext(method: string, failure: InjectedFailure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(method, list);
  }

  /** Adds an update (update_id assigned) to the getUpdates queue. */
  inject(update: Record<string, any>): any {
    const full = { update_id: this.nextUpdateId++, ...update };
    this.queue.push(full);
    for (const w of [...this.waiters]) w();
    return full;
  }

  /** Builds an update without queueing it (for webhook posts). */
  makeUpdate(update: Record<string, any>): any {
    return { update_id: this.nextUpdateId++, ...update };
  }

  /** POSTs an update to the registered webhook; `secret` defaults to the registered one (null: no header). */
  async postToWebhook(update: unknown, secret?: string | null, rawBody?: string): Promise<{ status: number; body: string }> {
    if (!this.webhook) throw new Error('no webhook registered');
    const s = secret === undefined ? this.webhook.secret_token : secret;
    const res = await fetch(this.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(s != null ? { 'X-Telegram-Bot-Api-Secret-Token': s } : {}) },
      body: rawBody ?? JSON.stringify(update),
    });
    return { status: res.status, body: await res.text() };
  }

  /** Calls of one method, optionally to one chat. */
  callsOf(method: string, chatId?: number | string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && (chatId === undefined || String(c.params.chat_id) === String(chatId)));
  }

  /** Texts sent to a chat, in order. */
  textsTo(chatId: number | string): string[] {
    return this.callsOf('sendMessage', chatId).map((c) => String(c.params.text));
  }

  /** Waits until `predicate` holds (checked after every call and injected update). */
  async waitFor(predicate: () => boolean, timeoutMs = 4000, what = 'condition'): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('call', check);
      };
      this.on('call', check);
    });
  }

  /** Waits until `count` messages have been sent to the chat and returns their texts. */
  async waitForTexts(chatId: number | string, count: number, timeoutMs = 4000): Promise<string[]> {
    await this.waitFor(() => this.textsTo(chatId).length >= count, timeoutMs, `${count} message(s) to chat ${chatId}`);
    return this.textsTo(chatId);
  }

  // ---- update builders -----------------------------------------------------------------

  user(id: number, name = 'Người dân'): FakeUser {
    return { id, is_bot: false, first_name: name, username: `user${id}` };
  }

  privateChat(user: FakeUser) {
    return { id: user.id, type: 'private', first_name: user.first_name, username: user.username };
  }

  groupChat(id: number) {
    return { id, type: 'supergroup', title: 'Nhóm thôn' };
  }

  /** A text message from `user` (private chat unless `chat` is given). Commands get a bot_command entity. */
  textMessage(user: FakeUser, text: string, extra: Record<string, any> = {}, chat?: Record<string, any>): Record<string, any> {
    const m = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    return {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: chat ?? this.privateChat(user),
      from: user,
      text,
      ...(m ? { entities: [{ type: 'bot_command', offset: 0, length: m[0].length }] } : {}),
      ...extra,
    };
  }

  sendText(user: FakeUser, text: string, extra: Record<string, any> = {}, chat?: Record<string, any>): any {
    return this.inject({ message: this.textMessage(user, text, extra, chat) });
  }

  /** Presses an inline button (callback_query) under a bot message in the user's private chat. */
  press(user: FakeUser, data: string, chat?: Record<string, any>): any {
    const c = chat ?? this.privateChat(user);
    const message = [...this.botMessages].reverse().find((m) => String(m.chat.id) === String(c.id)) ?? {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: c,
      from: BOT_INFO,
      text: '…',
    };
    return this.inject({ callback_query: { id: `cq${this.nextUpdateId}`, from: user, chat_instance: 'ci1', message, data } });
  }

  // ---- HTTP ----------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const body = await readAll(req);
    const send = (status: number, payload: unknown) => {
      if (res.destroyed) return;
      const text = JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (!m) return send(404, { ok: false, error_code: 404, description: 'Not Found' });
    if (decodeURIComponent(m[1]) !== this.token) return send(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = m[2];
    const params = { ...Object.fromEntries(url.searchParams), ...parseParams(req.headers['content-type'] ?? '', body) };
    if (method === 'getUpdates') {
      this.pollCount++;
      setImmediate(() => this.emit('call', method));
    } else {
      this.calls.push({ method, params, at: Date.now() });
    }
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      setImmediate(() => this.emit('call', method));
      return send(failure.error_code, {
        ok: false,
        error_code: failure.error_code,
        description: failure.description,
        ...(failure.retry_after !== undefined ? { parameters: { retry_after: failure.retry_after } } : {}),
      });
    }
    const ok = (result: unknown) => {
      send(200, { ok: true, result });
      setImmediate(() => this.emit('call', method));
    };
    switch (method) {
      case 'getMe':
        return ok(BOT_INFO);
      case 'getUpdates':
        return this.getUpdates(params, req, res, send);
      case 'sendMessage': {
        const msg = {
          message_id: this.nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(params.chat_id), type: 'private' },
          from: BOT_INFO,
          text: params.text,
          ...(params.reply_markup ? { reply_markup: params.reply_markup } : {}),
        };
        this.botMessages.push(msg);
        return ok(msg);
      }
      case 'editMessageText':
        return ok({
          message_id: Number(params.message_id),
          chat: { id: Number(params.chat_id), type: 'private' },
          date: 0,
          text: params.text,
        });
      case 'sendPhoto': {
        const msg = {
          message_id: this.nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(params.chat_id), type: 'private' },
          photo: [],
        };
        return ok(msg);
      }
      case 'sendChatAction':
      case 'answerCallbackQuery':
        return ok(true);
      case 'setMyCommands':
        this.commands = params.commands ?? [];
        return ok(true);
      case 'setWebhook':
        this.webhook = { url: params.url, secret_token: params.secret_token, allowed_updates: params.allowed_updates };
        return ok(true);
      case 'deleteWebhook':
        this.webhook = null;
        if (params.drop_pending_updates === true || params.drop_pending_updates === 'true') this.queue = [];
        return ok(true);
      case 'getWebhookInfo':
        return ok({ url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.queue.length });
      default:
        return send(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }

  private getUpdates(
    params: Record<string, any>,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    send: (s: number, p: unknown) => void,
  ): void {
    if (this.webhook) {
      send(409, {
        ok: false,
        error_code: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
      return;
    }
    const offset = Number(params.offset ?? 0);
    const limit = Math.min(Math.max(Number(params.limit ?? 100), 1), 100);
    const timeout = Math.max(Number(params.timeout ?? 0), 0);
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset); // confirmed
    const available = () => this.queue.filter((u) => u.update_id >= offset).slice(0, limit);
    const now = available();
    if (now.length || timeout === 0) {
      send(200, { ok: true, result: now });
      return;
    }
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.waiters.delete(wake);
      send(200, { ok: true, result: available() });
    };
    const wake = () => setImmediate(finish);
    const timer = setTimeout(finish, timeout * 1000);
    this.waiters.add(wake);
    res.on('close', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.waiters.delete(wake);
    });
    void req;
  }
}

function readAll(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function maybeJson(v: string): unknown {
  if (!/^[[{]/.test(v) && v !== 'true' && v !== 'false') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** Parses JSON, urlencoded and multipart bodies (files recorded as { filename, size }). */
function parseParams(contentType: string, body: Buffer): Record<string, any> {
  if (!body.length) return {};
  if (contentType.includes('application/json')) return JSON.parse(body.toString('utf8'));
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries([...new URLSearchParams(body.toString('utf8'))].map(([k, v]) => [k, maybeJson(v)]));
  }
  const bm = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (contentType.includes('multipart/form-data') && bm) {
    const boundary = `--${bm[1] ?? bm[2]}`;
    const raw = body.toString('latin1');
    const fields: Record<string, any> = {};
    const files: Record<string, { filename: string; size: number }> = {};
    for (const part of raw.split(boundary)) {
      const idx = part.indexOf('\r\n\r\n');
      if (idx < 0) continue;
      const head = part.slice(0, idx);
      const content = part.slice(idx + 4).replace(/\r\n$/, '');
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      if (!name) continue;
      const fm = /filename=(?:"([^"]*)"|([^;\r\n]*))/i.exec(head);
      const filename = fm ? (fm[1] ?? fm[2]) : undefined;
      if (filename !== undefined) files[name] = { filename, size: Buffer.from(content, 'latin1').length };
      else fields[name] = maybeJson(Buffer.from(content, 'latin1').toString('utf8'));
    }
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === 'string' && v.startsWith('attach://')) fields[k] = files[v.slice('attach://'.length)] ?? v;
    }
    for (const [k, f] of Object.entries(files)) if (!(k in fields)) fields[k] = f;
    return fields;
  }
  return {};
}
