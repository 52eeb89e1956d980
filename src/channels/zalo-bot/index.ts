import path from 'node:path';
import type { ChannelAdapter, ChannelStatus } from '../channel.ts';
import type { ChannelDeps } from '../deps.ts';
import { jsonError, parseJsonBody, type HttpRequest, type HttpResponse } from '../../server/http-app.ts';
import { maskPersonalData } from '../../privacy/mask.ts';
import { ChoiceMemory, MESSAGES, runTurn } from '../zalo-common/turn.ts';
import { packMessages } from '../zalo-common/text.ts';
import { SeenStore } from '../zalo-common/seen-store.ts';
import { InFlight, PerMinuteLimiter, SerialByKey, backoffDelay, safeEqual, shortHash, sleep } from '../zalo-common/util.ts';
import { AbortedError, ZaloBotClient, ZaloBotError } from './client.ts';
import { extractUpdates, type BotUpdate } from './updates.ts';
import { monotonicMs } from '../../time/clock.ts';

/**
 * Zalo Bot Platform adapter (bot.zaloplatforms.com): long polling with getUpdates by default,
 * webhook at /webhooks/zalo-bot when ZALO_BOT_MODE=webhook. Reaches the core only through the Engine.
 */

export const ZALO_BOT_WEBHOOK_PATH = '/webhooks/zalo-bot';

/** Shortest cycle of a poll that brought nothing (guards against servers that do not hold). */
const MIN_EMPTY_POLL_MS = 250;

export interface ZaloBotOptions {
  fetch?: typeof fetch;
  /** getUpdates long-poll timeout in seconds (sent to the API). Default 30. */
  pollTimeoutSec?: number;
  /** Base delay for retries of 429 / 5xx and for polling errors. Default 500 ms. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  maxRetries?: number;
  requestTimeoutMs?: number;
  /** Messages sent at most per incoming message. Default 5. */
  maxMessagesPerReply?: number;
}

export function createZaloBotChannel(deps: ChannelDeps, options: ZaloBotOptions = {}): ZaloBotChannel {
  return new ZaloBotChannel(deps, options);
}

export class ZaloBotChannel implements ChannelAdapter {
  readonly name = 'zalo-bot';
  private state: ChannelStatus['state'];
  private detail: string | undefined;
  private readonly enabled: boolean;
  private readonly mode: 'polling' | 'webhook';
  private readonly log;
  private readonly client?: ZaloBotClient;
  private readonly queue = new SerialByKey();
  private readonly inFlight = new InFlight();
  private readonly choices = new ChoiceMemory();
  private readonly limiter: PerMinuteLimiter;
  private seen?: SeenStore;
  private abort?: AbortController;
  private loop?: Promise<void>;
  private routeRegistered = false;

  constructor(
    private readonly deps: ChannelDeps,
    private readonly options: ZaloBotOptions = {},
  ) {
    const c = deps.config;
    this.enabled = Boolean(c.ZALO_BOT_TOKEN);
    this.mode = c.ZALO_BOT_MODE;
    this.state = this.enabled ? 'stopped' : 'disabled';
    this.detail = this.enabled ? undefined : 'ZALO_BOT_TOKEN chưa được cấu hình';
    this.log = deps.logger.child({ channel: 'zalo-bot' });
    this.limiter = new PerMinuteLimiter(c.RATE_LIMIT_PER_MINUTE);
    if (this.enabled) {
      this.client = new ZaloBotClient({
        apiBase: c.ZALO_BOT_API_BASE,
        token: c.ZALO_BOT_TOKEN as string,
        fetch: options.fetch,
        requestTimeoutMs: options.requestTimeoutMs,
        maxRetries: options.maxRetries,
        retryBaseMs: options.retryBaseMs,
        retryMaxMs: options.retryMaxMs,
        onRetry: (i) =>
          this.log.warn({ method: i.method, code: i.code, attempt: i.attempt, delayMs: i.delayMs }, 'Zalo Bot API call retried'),
      });
    }
  }

  status(): ChannelStatus {
    return { name: this.name, enabled: this.enabled, state: this.state, ...(this.detail ? { detail: this.detail } : {}) };
  }

  /** Never throws: a bad token leaves this channel 'failed' and the others running. */
  async start(): Promise<void> {
    if (!this.enabled || !this.client || this.state === 'running' || this.state === 'starting') return;
    this.state = 'starting';
    this.detail = undefined;
    this.seen ??= new SeenStore(path.join(this.deps.dataDir, 'zalo-bot-seen.json'), this.log);
    this.abort = new AbortController();
    if (this.mode === 'webhook') {
      if (!this.routeRegistered) {
        this.deps.app.route('POST', ZALO_BOT_WEBHOOK_PATH, (req) => this.handleWebhook(req), { bodyLimit: 1024 * 1024 });
        this.routeRegistered = true;
      }
      const url = `${(this.deps.config.PUBLIC_URL ?? '').replace(/\/+$/, '')}${ZALO_BOT_WEBHOOK_PATH}`;
      try {
        await this.client.call(
          'setWebhook',
          { url, secret_token: this.deps.config.ZALO_BOT_WEBHOOK_SECRET },
          { signal: this.abort.signal },
        );
        this.state = 'running';
        this.log.info({ url }, 'Zalo Bot webhook set');
      } catch (err) {
        if (err instanceof ZaloBotError && err.isAuth) this.fatal(err);
        else {
          this.state = 'running';
          this.detail = `setWebhook thất bại: ${(err as Error).message}`;
          this.log.error({ err: (err as Error).message }, 'Zalo Bot setWebhook failed; the webhook route stays open');
        }
      }
      return;
    }
    // Polling: getUpdates is unavailable while a webhook is set.
    try {
      await this.client.call('deleteWebhook', {}, { signal: this.abort.signal, retry: false, timeoutMs: 10_000 });
    } catch (err) {
      if (err instanceof ZaloBotError && err.isAuth) {
        this.fatal(err);
        return;
      }
      if (!(err instanceof AbortedError))
        this.log.warn({ err: (err as Error).message }, 'Zalo Bot deleteWebhook failed (continuing with polling)');
    }
    if (this.abort.signal.aborted) return;
    this.state = 'running';
    this.loop = this.pollLoop(this.abort.signal);
    this.log.info('Zalo Bot polling started');
  }

  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.state = 'stopped';
    this.abort?.abort();
    await this.loop?.catch(() => undefined);
    this.loop = undefined;
    await this.inFlight.drain();
    await this.seen?.flush();
  }

  /** Waits for all accepted updates to be fully answered (tests). */
  async idle(): Promise<void> {
    await this.inFlight.drain();
  }

  private fatal(err: Error): void {
    this.state = 'failed';
    this.detail = 'token Zalo Bot không hợp lệ hoặc đã bị đặt lại (401)';
    this.log.fatal({ err: err.message }, 'Zalo Bot token refused (401): this channel is stopped; other channels keep running');
    this.abort?.abort();
  }

  private async pollLoop(signal: AbortSignal): Promise<void> {
    const client = this.client as ZaloBotClient;
    const pollSec = this.options.pollTimeoutSec ?? 30;
    let failures = 0;
    while (!signal.aborted) {
      let result: unknown;
      const started = monotonicMs();
      // A server that answers "no update" without holding the request must not make this a busy loop.
      const pace = () => sleep(Math.max(0, MIN_EMPTY_POLL_MS - (monotonicMs() - started)), signal);
      try {
        result = await client.call('getUpdates', { timeout: String(pollSec) }, { signal, timeoutMs: (pollSec + 5) * 1000, retry: false });
        failures = 0;
      } catch (err) {
        if (signal.aborted || err instanceof AbortedError) break;
        if (err instanceof ZaloBotError && err.isNoUpdate) {
          failures = 0;
          await pace();
          continue;
        }
        if (err instanceof ZaloBotError && err.isAuth) {
          this.fatal(err);
          break;
        }
        const delay = backoffDelay(failures, this.options.retryBaseMs ?? 500, this.options.retryMaxMs ?? 30_000);
        failures++;
        this.log.warn({ err: (err as Error).message, delayMs: delay }, 'Zalo Bot getUpdates failed; retrying');
        await sleep(delay, signal);
        continue;
      }
      const { updates, invalid } = extractUpdates(result);
      if (invalid) this.log.warn({ invalid }, 'Zalo Bot update not understood; ignored');
      for (const u of updates) this.accept(u);
      if (updates.length === 0) await pace();
    }
  }

  private async handleWebhook(req: HttpRequest): Promise<HttpResponse> {
    if (this.state === 'stopped' || this.state === 'disabled') return jsonError(503, 'Kênh Zalo Bot chưa sẵn sàng.');
    const header = req.headers['x-bot-api-secret-token'];
    const given = Array.isArray(header) ? header[0] : header;
    const secret = this.deps.config.ZALO_BOT_WEBHOOK_SECRET ?? '';
    if (!given) {
      this.log.warn({ reqId: req.id }, 'Zalo Bot webhook without secret refused');
      return jsonError(401, 'Thiếu X-Bot-Api-Secret-Token.');
    }
    if (!secret || !safeEqual(given, secret)) {
      this.log.warn({ reqId: req.id }, 'Zalo Bot webhook with a wrong secret refused');
      return jsonError(403, 'Secret token không đúng.');
    }
    if (this.state === 'failed') {
      // The token was refused (401): nothing can be answered until it is replaced.
      return { status: 200, body: { ok: true, ignored: 'channel failed' } };
    }
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return parsed.response;
    const { updates, invalid } = extractUpdates(parsed.value);
    if (invalid || updates.length === 0) {
      this.log.warn({ reqId: req.id, invalid }, 'Zalo Bot webhook body not understood; ignored');
      return { status: 200, body: { ok: true, ignored: 'invalid' } };
    }
    for (const u of updates) this.accept(u);
    return { status: 200, body: { ok: true } };
  }

  /** De-duplicates, filters and queues one update for its chat. */
  private accept(u: BotUpdate): void {
    const m = u.message;
    if (!this.seen?.markNew(`${u.event_name}:${m.message_id}`)) {
      this.log.info({ event: u.event_name }, 'Zalo Bot update already handled (replay); ignored');
      return;
    }
    if (m.from.is_bot) {
      this.log.debug('Zalo Bot message from a bot; ignored');
      return;
    }
    const chatId = m.chat?.id ?? m.from.id;
    const task = this.queue.run(chatId, () => this.process(u, chatId));
    void this.inFlight.add(task).catch((err) => this.log.error({ err: (err as Error).message }, 'Zalo Bot update processing failed'));
  }

  private async process(u: BotUpdate, chatId: string): Promise<void> {
    const m = u.message;
    const verdict = this.limiter.hit(m.from.id);
    if (verdict !== 'ok') {
      this.log.warn({ user: shortHash(m.from.id) }, 'Zalo Bot user over the rate limit');
      if (verdict === 'first-over') await this.sendAll(chatId, [MESSAGES.tooFast]);
      return;
    }
    switch (u.event_name) {
      case 'message.text.received': {
        const text = (m.text ?? '').trim();
        if (!text) return;
        this.log.debug({ user: shortHash(m.from.id), text: maskPersonalData(text).slice(0, 200) }, 'Zalo Bot text received');
        const typing = this.client!.call('sendChatAction', { chat_id: chatId, action: 'typing' }, { retry: false, timeoutMs: 5_000 }).catch(
          (err) => this.log.debug({ err: (err as Error).message }, 'Zalo Bot typing action failed (ignored)'),
        );
        let messages: string[];
        try {
          const { rendered } = await runTurn(this.deps.engine, this.choices, {
            channel: 'zalo-bot',
            conversationId: chatId,
            text,
            messageId: m.message_id,
            isAdmin: this.deps.config.ADMIN_ZALO_IDS.includes(m.from.id),
          });
          messages = packMessages(rendered, { maxMessages: this.options.maxMessagesPerReply ?? 5 });
        } catch (err) {
          this.log.error({ err: (err as Error).message }, 'engine failed on a Zalo Bot message');
          messages = [MESSAGES.error];
        }
        await typing;
        await this.sendAll(chatId, messages);
        return;
      }
      case 'message.image.received':
      case 'message.sticker.received':
        await this.sendAll(chatId, [MESSAGES.nonText]);
        return;
      case 'message.unsupported.received':
        await this.sendAll(chatId, [MESSAGES.unsupported]);
        return;
      default:
        this.log.info({ event: u.event_name }, 'Zalo Bot event not handled; ignored');
    }
  }

  private async sendAll(chatId: string, messages: string[]): Promise<void> {
    for (const text of messages) {
      try {
        await this.client!.call('sendMessage', { chat_id: chatId, text });
      } catch (err) {
        if (err instanceof ZaloBotError && err.isAuth) this.fatal(err);
        else this.log.error({ err: (err as Error).message }, 'Zalo Bot reply not sent');
        return;
      }
    }
  }
}
