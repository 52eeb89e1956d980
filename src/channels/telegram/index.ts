import { sleep } from '../../util/sleep.ts';
import { safeEqual } from '../../privacy/safe-equal.ts';
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, HttpError, InputFile, type Context, type Transformer } from 'grammy';
import type { Message, Update, UserFromGetMe } from 'grammy/types';
import type { ChannelAdapter, ChannelStatus } from '../channel.ts';
import type { ChannelDeps } from '../deps.ts';
import type { Incoming, Reply, TurnResult } from '../../domain/types.ts';
import type { HttpRequest, HttpResponse } from '../../server/http-app.ts';
import { parseJsonBody } from '../../server/http-app.ts';
import { maskPersonalData } from '../../privacy/mask.ts';
import { buildKeyboard, escapeHtml, htmlToPlain, renderCaption, renderReply } from './render.ts';
import { CallbackDataStore } from './callback-store.ts';
import { RateLimiter } from './rate-limit.ts';
import { COMMANDS, TEXTS } from './texts.ts';
import { monotonicMs } from '../../time/clock.ts';

/**
 * Telegram adapter on grammY.
 *
 * - Long polling by default, with our own loop so that updates of one chat are handled in order while
 *   many chats are handled concurrently (grammY's built-in polling is sequential). Webhook mode when
 *   TELEGRAM_MODE=webhook: setWebhook(PUBLIC_URL + /webhooks/telegram, secret_token) on start; the route
 *   checks X-Telegram-Bot-Api-Secret-Token in constant time (401 without processing on mismatch),
 *   answers 200 at once and processes the update in the background.
 * - Commands are translated into core payloads (see texts.ts); replies are rendered as escaped HTML,
 *   split under 4096 characters, with buttons as inline keyboards (long payloads mapped to short ids).
 * - @grammyjs/auto-retry for 429/5xx (bounded), a small bounded retry for network errors; non-essential
 *   calls (setMyCommands, sendChatAction, answerCallbackQuery, sendPhoto) fail soft and are logged.
 * - Edited messages: in private chats, a text message edited within 5 minutes of sending is answered
 *   again as a corrected question; other edits (older ones, and all edits in groups) are ignored.
 * - Groups: answered only when addressed (@mention, reply to the bot, /command@bot); buttons always work.
 * - Per-user rate limit (RATE_LIMIT_PER_MINUTE; admins exempt): one polite "please wait", then silence.
 */

export interface TelegramChannelOptions {
  /** getUpdates long-poll timeout in seconds (default 30). */
  pollTimeoutSeconds?: number;
  /** HTTP timeout of one Bot API request in seconds (default poll timeout + 20). */
  requestTimeoutSeconds?: number;
  /** auto-retry bounds for 429 and 5xx (defaults 3 attempts, 60 s max wait). */
  maxRetryAttempts?: number;
  maxRetryDelaySeconds?: number;
  /** Retries of a request that failed at the network level (default 2; never for getUpdates). */
  networkRetries?: number;
  /** Interval between "typing" indicators while a turn runs (default 4000 ms). */
  typingIntervalMs?: number;
  /** Pause when getUpdates returns empty at once (emulators that ignore `timeout`; default 300 ms). */
  idlePauseMs?: number;
  /** Pause polling while this many updates are queued (default 1000). */
  maxPendingUpdates?: number;
  /** First delay before retrying a failed start (default 1000 ms, doubling up to 60 s). */
  startRetryDelayMs?: number;
}

/** Update types the bot asks for (polling and webhook). */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;
/** Path of the webhook route registered on the HTTP app. */
export const WEBHOOK_PATH = '/webhooks/telegram';
/** Edits later than this after sending are not answered again. */
const EDIT_WINDOW_SECONDS = 300;

const NON_TEXT_KINDS = [
  'photo',
  'sticker',
  'voice',
  'audio',
  'video',
  'video_note',
  'animation',
  'document',
  'location',
  'venue',
  'contact',
  'poll',
  'dice',
  'game',
  'story',
  'paid_media',
  'invoice',
] as const;

/** Creates the Telegram channel; without TELEGRAM_BOT_TOKEN the adapter is inert with status 'disabled'. */
export function createTelegramChannel(deps: ChannelDeps, options: TelegramChannelOptions = {}): ChannelAdapter {
  return new TelegramChannel(deps, options);
}

type State = ChannelStatus['state'];
/** grammY types its signals with the abort-controller polyfill; the runtime accepts the native one. */
type GSignal = Parameters<Bot['api']['getMe']>[0];
const g = (signal: AbortSignal): GSignal => signal as unknown as GSignal;

export class TelegramChannel implements ChannelAdapter {
  readonly name = 'telegram';
  private readonly token: string | undefined;
  private readonly bot: Bot | undefined;
  private readonly mode: 'polling' | 'webhook';
  private readonly opts: Required<TelegramChannelOptions>;
  private readonly log: ChannelDeps['logger'];
  private readonly admins: Set<string>;
  private readonly limiter: RateLimiter;
  private readonly callbacks: CallbackDataStore;
  private readonly queue = new ChatQueue();
  private readonly background = new Set<Promise<unknown>>();
  private readonly seen = new RecentIds(5000);
  private readonly softFailLoggedAt = new Map<string, number>();
  private state: State;
  private detail: string | undefined;
  private abort = new AbortController();
  private runner: Promise<void> | null = null;
  private stopping = false;
  private offset = 0;

  constructor(
    private readonly deps: ChannelDeps,
    options: TelegramChannelOptions = {},
  ) {
    const { config } = deps;
    this.log = deps.logger.child({ channel: 'telegram' });
    this.token = config.TELEGRAM_BOT_TOKEN?.trim() || undefined;
    this.mode = config.TELEGRAM_MODE;
    const poll = options.pollTimeoutSeconds ?? 30;
    this.opts = {
      pollTimeoutSeconds: poll,
      requestTimeoutSeconds: options.requestTimeoutSeconds ?? poll + 20,
      maxRetryAttempts: options.maxRetryAttempts ?? 3,
      maxRetryDelaySeconds: options.maxRetryDelaySeconds ?? 60,
      networkRetries: options.networkRetries ?? 2,
      typingIntervalMs: options.typingIntervalMs ?? 4000,
      idlePauseMs: options.idlePauseMs ?? 300,
      maxPendingUpdates: options.maxPendingUpdates ?? 1000,
      startRetryDelayMs: options.startRetryDelayMs ?? 1000,
    };
    this.admins = new Set(config.ADMIN_TELEGRAM_IDS.map(String));
    this.limiter = new RateLimiter(config.RATE_LIMIT_PER_MINUTE);
    this.callbacks = CallbackDataStore.inDir(deps.dataDir, (err) =>
      this.log.warn({ err: this.scrub(String(err)) }, 'callback store write failed'),
    );
    if (!this.token) {
      this.state = 'disabled';
      this.detail = 'TELEGRAM_BOT_TOKEN chưa được đặt';
      return;
    }
    this.state = 'stopped';
    const bot = new Bot(this.token, {
      client: { apiRoot: config.TELEGRAM_API_ROOT.replace(/\/+$/, ''), timeoutSeconds: this.opts.requestTimeoutSeconds },
    });
    bot.api.config.use(this.networkRetry());
    bot.api.config.use(
      autoRetry({
        maxRetryAttempts: this.opts.maxRetryAttempts,
        maxDelaySeconds: this.opts.maxRetryDelaySeconds,
        rethrowHttpErrors: true,
      }),
    );
    bot.use((ctx) => this.onUpdate(ctx));
    this.bot = bot;
    if (this.mode === 'webhook') {
      deps.app.route('POST', WEBHOOK_PATH, (req) => this.onWebhook(req), { bodyLimit: 1024 * 1024 });
    }
  }

  status(): ChannelStatus {
    return { name: this.name, enabled: !!this.token, state: this.state, ...(this.detail ? { detail: this.detail } : {}) };
  }

  async start(): Promise<void> {
    if (!this.bot) return;
    if (this.runner) return;
    this.stopping = false;
    this.abort = new AbortController();
    this.state = 'starting';
    this.detail = undefined;
    let ready!: () => void;
    const first = new Promise<void>((resolve) => (ready = resolve));
    this.runner = this.run(this.abort.signal, ready)
      .catch((err) => {
        this.state = 'failed';
        this.detail = 'lỗi không mong đợi';
        this.log.error(this.errInfo(err), 'telegram channel stopped unexpectedly');
      })
      .finally(() => ready());
    await first;
  }

  async stop(): Promise<void> {
    if (!this.bot || !this.runner) return;
    this.stopping = true;
    const wasPolling = this.mode === 'polling' && this.state === 'running';
    this.abort.abort();
    await this.runner;
    await this.queue.drain();
    while (this.background.size) await Promise.allSettled([...this.background]);
    if (wasPolling && this.offset > 0) {
      // Confirm handled updates so a restart does not receive them again (as grammY's bot.stop does).
      try {
        await this.bot.api.getUpdates({ offset: this.offset, limit: 1, timeout: 0 });
      } catch (err) {
        this.log.debug(this.errInfo(err), 'could not confirm the last update offset');
      }
    }
    await this.callbacks.flush();
    this.runner = null;
    if (this.state !== 'failed') {
      this.state = 'stopped';
      this.detail = undefined;
    }
    this.log.info('telegram channel stopped');
  }

  // -------------------------------------------------------------------------------------------
  // Start-up, polling

  private async run(signal: AbortSignal, ready: () => void): Promise<void> {
    const bot = this.bot!;
    let delay = this.opts.startRetryDelayMs;
    const retryable = async (what: string, fn: () => Promise<unknown>, fatal: (err: unknown) => boolean = isFatal): Promise<boolean> => {
      for (;;) {
        if (signal.aborted) return false;
        try {
          await fn();
          return true;
        } catch (err) {
          if (signal.aborted) return false;
          if (fatal(err)) {
            this.state = 'failed';
            this.detail = `${what}: ${fatalReason(err)}`;
            this.log.error(this.errInfo(err), `telegram ${what} failed; check TELEGRAM_BOT_TOKEN`);
            return false;
          }
          this.detail = `${what} lỗi, đang thử lại`;
          this.log.warn({ ...this.errInfo(err), retryInMs: delay }, `telegram ${what} failed, retrying`);
          ready();
          await sleep(delay, signal);
          delay = Math.min(delay * 2, 60_000);
        }
      }
    };

    // getMe ourselves rather than bot.init(), which retries network errors forever without reporting them.
    const ok = await retryable('getMe', async () => {
      bot.botInfo = await bot.api.getMe(g(signal));
    });
    if (!ok) return;
    this.track(this.registerCommands());
    if (this.mode === 'webhook') {
      const url = `${(this.deps.config.PUBLIC_URL ?? '').replace(/\/+$/, '')}${WEBHOOK_PATH}`;
      // Updates signed with our secret are accepted as soon as we know who we are; setWebhook is
      // retried in the background if it fails (an emulator may not implement it), without blocking them.
      this.state = 'running';
      this.detail = `webhook @${bot.botInfo.username}`;
      const hooked = await retryable(
        'setWebhook',
        () =>
          bot.api.setWebhook(
            url,
            { secret_token: this.deps.config.TELEGRAM_WEBHOOK_SECRET, allowed_updates: [...ALLOWED_UPDATES] },
            g(signal),
          ),
        (err) => err instanceof GrammyError && err.error_code === 401,
      );
      if (hooked) {
        this.detail = `webhook @${bot.botInfo.username}`;
        this.log.info({ username: bot.botInfo.username, mode: 'webhook' }, 'telegram channel running');
      }
      ready();
      return;
    }
    try {
      await bot.api.deleteWebhook({ drop_pending_updates: false }, g(signal));
    } catch (err) {
      if (signal.aborted) return;
      this.softFail('deleteWebhook', err);
    }
    this.state = 'running';
    this.detail = `polling @${bot.botInfo.username}`;
    this.log.info({ username: bot.botInfo.username, mode: 'polling' }, 'telegram channel running');
    ready();
    await this.pollLoop(signal);
  }

  private async pollLoop(signal: AbortSignal): Promise<void> {
    const bot = this.bot!;
    let backoff = 1000;
    while (!signal.aborted) {
      const started = monotonicMs();
      let updates: Update[];
      try {
        updates = await bot.api.getUpdates(
          { offset: this.offset, timeout: this.opts.pollTimeoutSeconds, allowed_updates: [...ALLOWED_UPDATES] },
          g(signal),
        );
        backoff = 1000;
        if (this.detail?.startsWith('getUpdates')) this.detail = `polling @${bot.botInfo.username}`;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof GrammyError && err.error_code === 401) {
          this.state = 'failed';
          this.detail = `getUpdates: ${fatalReason(err)}`;
          this.log.error(this.errInfo(err), 'telegram polling stopped; check TELEGRAM_BOT_TOKEN');
          return;
        }
        if (err instanceof GrammyError && err.error_code === 409 && /webhook/i.test(err.description)) {
          this.log.warn('a webhook is set while polling; deleting it');
          await bot.api.deleteWebhook({ drop_pending_updates: false }, g(signal)).catch((e: unknown) => this.softFail('deleteWebhook', e));
        } else {
          this.log.warn({ ...this.errInfo(err), retryInMs: backoff }, 'getUpdates failed, retrying');
        }
        this.detail = 'getUpdates lỗi, đang thử lại';
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 30_000);
        continue;
      }
      if (!Array.isArray(updates)) updates = [];
      for (const u of updates) {
        if (!u || typeof u.update_id !== 'number') continue;
        if (u.update_id >= this.offset) this.offset = u.update_id + 1;
        this.dispatch(u);
      }
      // Some emulators answer getUpdates at once even with a timeout: do not spin.
      if (!updates.length && monotonicMs() - started < 250) await sleep(this.opts.idlePauseMs, signal);
      while (this.queue.size >= this.opts.maxPendingUpdates && !signal.aborted) await sleep(20, signal);
    }
  }

  private async registerCommands(): Promise<void> {
    try {
      await this.bot!.api.setMyCommands(COMMANDS.map(({ command, description }) => ({ command, description })));
    } catch (err) {
      this.softFail('setMyCommands', err);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Webhook

  private async onWebhook(req: HttpRequest): Promise<HttpResponse> {
    const secret = this.deps.config.TELEGRAM_WEBHOOK_SECRET ?? '';
    if (!secretMatches(req.headers['x-telegram-bot-api-secret-token'], secret)) {
      this.throttledWarn('webhook-secret', { reqId: req.id, ip: req.ip }, 'telegram webhook request with a wrong secret token rejected');
      return { status: 401, body: { error: 'unauthorized' } };
    }
    if (this.stopping || this.state !== 'running') {
      return { status: 503, headers: { 'retry-after': '5' }, body: { error: 'Kênh Telegram chưa sẵn sàng.' } };
    }
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return parsed.response;
    const update = parsed.value as Update;
    if (!update || typeof update !== 'object' || Array.isArray(update) || !Number.isSafeInteger(update.update_id)) {
      return { status: 400, body: { error: 'Không phải một update của Telegram.' } };
    }
    this.dispatch(update);
    return { status: 200, body: { ok: true } };
  }

  // -------------------------------------------------------------------------------------------
  // Update handling

  private dispatch(update: Update): void {
    if (this.seen.has(update.update_id)) return;
    this.seen.add(update.update_id);
    void this.queue.push(chatKeyOf(update), async () => {
      try {
        await this.bot!.handleUpdate(update);
      } catch (err) {
        const inner = (err as { error?: unknown }).error ?? err;
        this.log.error({ updateId: update.update_id, ...this.errInfo(inner) }, 'telegram update failed');
      }
    });
  }

  private async onUpdate(ctx: Context): Promise<void> {
    const u = ctx.update;
    if (u.callback_query) return this.onCallback(ctx);
    const msg = u.message ?? u.edited_message;
    if (!msg) return;
    const chat = msg.chat;
    if ((chat.type as string) === 'channel' || msg.from?.is_bot) return;
    const isGroup = chat.type === 'group' || chat.type === 'supergroup';
    if (!u.message) {
      // Edited message: answer a quick correction in a private chat; ignore the rest.
      if (isGroup || !msg.text || !msg.edit_date || msg.edit_date - msg.date > EDIT_WINDOW_SECONDS) return;
    }
    const me = ctx.me;
    const username = me.username ?? '';
    const text = typeof msg.text === 'string' ? msg.text : undefined;
    const command = text !== undefined ? parseCommand(text) : null;
    if (command?.target && username && command.target.toLowerCase() !== username.toLowerCase()) return; // for another bot
    if (isGroup && !(command?.target || repliesToMe(msg, me) || mentionsMe(msg, me))) return;
    if (text === undefined && !NON_TEXT_KINDS.some((k) => k in msg)) return; // service message

    const userId = String(msg.from?.id ?? chat.id);
    // Admin functions (inbox, imports) only in a private chat: a group would show them to every member.
    const isAdmin = this.admins.has(userId) && !isGroup;
    if (!isAdmin) {
      const decision = this.limiter.hit(userId);
      if (decision !== 'ok') {
        if (decision === 'limited-first') await this.sendPlain(chat.id, TEXTS.rateLimited);
        return;
      }
    }
    this.log.debug(
      {
        updateId: u.update_id,
        kind: text === undefined ? 'non-text' : command ? 'command' : 'text',
        preview: text ? maskPersonalData(text).slice(0, 120) : undefined,
      },
      'telegram message',
    );
    if (text === undefined) {
      await this.sendPlain(chat.id, 'document' in msg && isAdmin ? TEXTS.adminFile : TEXTS.nonText);
      return;
    }
    const messageId = String(msg.message_id);
    if (command) {
      if (command.name === 'xoadulieu') {
        const erased = this.deps.engine.erase({ channel: 'telegram', conversationId: String(chat.id) });
        await this.sendPlain(chat.id, erased ? TEXTS.erased : TEXTS.nothingToErase);
        return;
      }
      const known = COMMANDS.find((c) => c.command === command.name);
      await this.turn(chat.id, { payload: known?.payload ?? 'help' }, messageId, isAdmin);
      return;
    }
    const cleaned = stripMention(text, username).trim();
    await this.turn(chat.id, cleaned ? { text: cleaned } : { payload: 'menu' }, messageId, isAdmin);
  }

  private async onCallback(ctx: Context): Promise<void> {
    const cq = ctx.update.callback_query!;
    // Buttons live under our messages; without the message (old or inaccessible), a private chat's id is the user's.
    const chat = cq.message?.chat ?? { id: cq.from.id };
    const userId = String(cq.from.id);
    const isAdmin = this.admins.has(userId) && (!('type' in chat) || chat.type === 'private');
    if (!isAdmin && this.limiter.hit(userId) !== 'ok') {
      await this.answerCallback(cq.id, TEXTS.rateLimitedToast);
      return;
    }
    const payload = typeof cq.data === 'string' ? this.callbacks.decode(cq.data) : undefined;
    if (!payload) {
      await this.answerCallback(cq.id, typeof cq.data === 'string' ? TEXTS.expiredButton : undefined);
      return;
    }
    await this.answerCallback(cq.id);
    this.log.debug({ updateId: ctx.update.update_id, kind: 'button' }, 'telegram button');
    await this.turn(chat.id, { payload }, String(ctx.update.update_id), isAdmin);
  }

  /** One conversation turn: typing indicator, Engine.handle, replies rendered and sent in order. */
  private async turn(chatId: number, input: { text?: string; payload?: string }, messageId: string, isAdmin: boolean): Promise<void> {
    const incoming: Incoming = { channel: 'telegram', conversationId: String(chatId), ...input, messageId, isAdmin };
    const stopTyping = this.typing(chatId);
    let result: TurnResult | undefined;
    try {
      result = await this.deps.engine.handle(incoming);
    } catch (err) {
      this.log.error(this.errInfo(err), 'engine failed on a telegram message');
    } finally {
      stopTyping();
    }
    if (!result) {
      await this.sendPlain(chatId, TEXTS.failure);
      return;
    }
    await this.sendReplies(chatId, result.replies ?? []);
  }

  /** Renders and sends replies; the keyboard goes on the last chunk of each reply. */
  async sendReplies(chatId: number, replies: Reply[]): Promise<void> {
    for (const reply of replies) {
      const chunks = renderReply(reply);
      const keyboard = buildKeyboard(reply.buttons, (p) => this.callbacks.encode(p));
      if (!chunks.length && keyboard) chunks.push(escapeHtml('Mời anh/chị chọn:'));
      for (let k = 0; k < chunks.length; k++) {
        const ok = await this.sendHtml(chatId, chunks[k], k === chunks.length - 1 ? keyboard : undefined);
        if (!ok) return;
      }
      if (reply.image?.base64) await this.sendImage(chatId, reply.image);
    }
  }

  private async sendHtml(chatId: number, html: string, keyboard?: ReturnType<typeof buildKeyboard>): Promise<boolean> {
    const bot = this.bot!;
    const markup = keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {};
    try {
      await bot.api.sendMessage(chatId, html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true }, ...markup });
      return true;
    } catch (err) {
      if (
        err instanceof GrammyError &&
        err.error_code === 400 &&
        /parse entities|can't parse|unsupported start tag/i.test(err.description)
      ) {
        // Should not happen (everything is escaped), but never leave the person without an answer.
        this.log.error(this.errInfo(err), 'telegram rejected our HTML; sending plain text');
        try {
          await bot.api.sendMessage(chatId, htmlToPlain(html), { link_preview_options: { is_disabled: true }, ...markup });
          return true;
        } catch (err2) {
          this.log.error(this.errInfo(err2), 'sendMessage failed');
          return false;
        }
      }
      if (err instanceof GrammyError && err.error_code === 403) {
        this.log.info(this.errInfo(err), 'chat unavailable (bot blocked or removed)');
        return false;
      }
      this.log.error(this.errInfo(err), 'sendMessage failed');
      return false;
    }
  }

  private sendPlain(chatId: number, text: string): Promise<boolean> {
    return this.sendHtml(chatId, escapeHtml(text));
  }

  private async sendImage(chatId: number, image: NonNullable<Reply['image']>): Promise<void> {
    try {
      const file = new InputFile(Buffer.from(image.base64, 'base64'), 'bieu-do.png');
      const caption = renderCaption(image.alt);
      await this.bot!.api.sendPhoto(chatId, file, caption ? { caption, parse_mode: 'HTML' } : {});
    } catch (err) {
      this.softFail('sendPhoto', err);
    }
  }

  private async answerCallback(id: string, text?: string): Promise<void> {
    try {
      await this.bot!.api.answerCallbackQuery(id, text ? { text } : {});
    } catch (err) {
      this.softFail('answerCallbackQuery', err);
    }
  }

  /** Sends "typing" now and every few seconds until the returned function is called. */
  private typing(chatId: number): () => void {
    const send = () => {
      this.track(this.bot!.api.sendChatAction(chatId, 'typing').catch((err) => this.softFail('sendChatAction', err)));
    };
    send();
    const timer = setInterval(send, this.opts.typingIntervalMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  private track<T>(p: Promise<T>): void {
    const q = p.catch(() => undefined).finally(() => this.background.delete(q));
    this.background.add(q);
  }

  /** Logs a failed non-essential call: a warning the first time (per method, per 10 minutes), debug after. */
  private softFail(method: string, err: unknown): void {
    this.throttledWarn(method, { method, ...this.errInfo(err) }, 'non-essential Telegram call failed (ignored)');
  }

  /** A warning at most once per key every 10 minutes (debug in between), so floods do not flood the logs. */
  private throttledWarn(key: string, obj: Record<string, unknown>, msg: string): void {
    const now = monotonicMs();
    const last = this.softFailLoggedAt.get(key) ?? -Infinity;
    if (now - last > 600_000) {
      this.softFailLoggedAt.set(key, now);
      this.log.warn(obj, msg);
    } else {
      this.log.debug(obj, msg);
    }
  }

  private scrub(text: string): string {
    return this.token ? text.split(this.token).join('[token]') : text;
  }

  /** Loggable description of an error, never containing the token. */
  private errInfo(err: unknown): Record<string, unknown> {
    if (err instanceof GrammyError)
      return { method: err.method, code: err.error_code, description: this.scrub(String(err.description ?? '')) };
    if (err instanceof HttpError) return { err: this.scrub(err.message) };
    if (err instanceof Error) return { err: this.scrub(err.message) };
    return { err: this.scrub(String(err)) };
  }

  /** Retries requests that failed at the network level a few times (not getUpdates: its loop backs off). */
  private networkRetry(): Transformer {
    const retries = this.opts.networkRetries;
    return async (prev, method, payload, signal) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await prev(method, payload, signal);
        } catch (err) {
          if (!(err instanceof HttpError) || method === 'getUpdates' || signal?.aborted || attempt >= retries) throw err;
          await sleep(500 * 2 ** attempt, signal as unknown as AbortSignal | undefined);
        }
      }
    };
  }
}

// ---------------------------------------------------------------------------------------------

/** Runs tasks in order per chat and concurrently across chats; counts what is queued. */
class ChatQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private active = 0;
  private idle: Array<() => void> = [];

  get size(): number {
    return this.active;
  }

  push(key: string, task: () => Promise<void>): Promise<void> {
    this.active++;
    const prev = this.tails.get(key) ?? Promise.resolve();
    const run: Promise<void> = prev
      .then(task)
      .catch(() => undefined)
      .finally(() => {
        this.active--;
        if (this.tails.get(key) === run) this.tails.delete(key);
        if (this.active === 0) this.idle.splice(0).forEach((f) => f());
      });
    this.tails.set(key, run);
    return run;
  }

  drain(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}

/** A bounded set of recently seen ids (webhook retries, duplicate deliveries). */
class RecentIds {
  private readonly set = new Set<number>();
  constructor(private readonly max: number) {}
  has(id: number): boolean {
    return this.set.has(id);
  }
  add(id: number): void {
    this.set.add(id);
    if (this.set.size > this.max) this.set.delete(this.set.values().next().value!);
  }
}

function chatKeyOf(u: Update): string {
  const chat = u.message?.chat ?? u.edited_message?.chat ?? u.callback_query?.message?.chat ?? u.channel_post?.chat;
  if (chat) return `c${chat.id}`;
  const from = u.callback_query?.from ?? u.inline_query?.from;
  return from ? `c${from.id}` : `x${u.update_id}`; // a callback without its message: the private chat (= user id)
}

/** "/cmd", "/cmd@bot", "/cmd args" at the start of a text (entities are not required: emulators omit them). */
export function parseCommand(text: string): { name: string; target?: string; rest: string } | null {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)([\s\S]*)$/.exec(text);
  if (!m) return null;
  return { name: m[1].toLowerCase(), ...(m[2] ? { target: m[2] } : {}), rest: m[3].trim() };
}

function mentionRegex(username: string): RegExp {
  return new RegExp(`(^|[^A-Za-z0-9_])@${username.replace(/[^A-Za-z0-9_]/g, '')}(?![A-Za-z0-9_])`, 'gi');
}

function mentionsMe(msg: Message, me: UserFromGetMe): boolean {
  const text = msg.text ?? msg.caption ?? '';
  if (me.username && mentionRegex(me.username).test(text)) return true;
  const entities = msg.entities ?? msg.caption_entities ?? [];
  return entities.some((e) => e.type === 'text_mention' && e.user?.id === me.id);
}

function repliesToMe(msg: Message, me: UserFromGetMe): boolean {
  return msg.reply_to_message?.from?.id === me.id;
}

function stripMention(text: string, username: string): string {
  if (!username) return text;
  return text.replace(mentionRegex(username), '$1').replace(/[ \t]{2,}/g, ' ');
}

/** Compares the webhook secret header in constant time (hashes make the buffers equal in length). */
export function secretMatches(header: string | string[] | undefined, secret: string): boolean {
  return typeof header === 'string' && Boolean(secret) && safeEqual(header, secret);
}

function isFatal(err: unknown): boolean {
  return err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404);
}

function fatalReason(err: unknown): string {
  return err instanceof GrammyError && err.error_code === 401 ? 'token bị từ chối (401)' : 'không tìm thấy bot (404)';
}
