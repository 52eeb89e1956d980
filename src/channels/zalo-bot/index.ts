import type { ChannelAdapter, ChannelStatus } from '../channel.ts';
import { channelStores, type ChannelDeps } from '../deps.ts';
import { ChoiceMemory, MESSAGES, runTurn } from '../zalo-common/turn.ts';
import { packMessages } from '../zalo-common/text.ts';
import { Lifecycle, retryWithBackoff } from '../kit/lifecycle.ts';
import { SerialQueue } from '../kit/serial.ts';
import { InFlight } from '../kit/in-flight.ts';
import { ChatLimiter } from '../kit/limiter.ts';
import { SeenEvents } from '../kit/dedup.ts';
import { whileLeading } from '../kit/leader.ts';
import { isAdminChat } from '../kit/access.ts';
import { debugText } from '../kit/log.ts';
import { shortHash } from '../kit/util.ts';
import { ZaloBotClient, ZaloBotError } from './client.ts';
import type { BotUpdate } from './updates.ts';
import { ZaloBotPoller } from './polling.ts';
import { zaloBotWebhook } from './webhook.ts';

/**
 * Zalo Bot Platform adapter (bot.zaloplatforms.com): long polling with getUpdates by default (only while
 * this instance leads 'zalo-bot', so two instances never steal each other's updates), webhook at
 * /webhooks/zalo-bot when ZALO_BOT_MODE=webhook (every instance serves). Reaches the core only through the
 * Engine. Handled message ids are remembered for 24 hours, so a re-delivery is answered once.
 */

export const ZALO_BOT_WEBHOOK_PATH = '/webhooks/zalo-bot';

const WAITING_DETAIL = 'chờ lượt nhận tin: một phiên bản khác đang nhận tin Zalo Bot';

/** Tuning of the Bot Platform adapter (tests shorten every wait). */
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

/** Creates the Bot Platform channel; without ZALO_BOT_TOKEN it is inert with status 'disabled'. */
export function createZaloBotChannel(deps: ChannelDeps, options: ZaloBotOptions = {}): ZaloBotChannel {
  return new ZaloBotChannel(deps, options);
}

/** A private chat: the platform says so, or (older payloads without chat_type) the chat is the sender. */
function isPrivateChat(m: BotUpdate['message']): boolean {
  const type = m.chat?.chat_type;
  if (type) return type.toUpperCase() === 'PRIVATE';
  return !m.chat || m.chat.id === m.from.id;
}

/** The Zalo Bot Platform adapter: see the module comment above. */
export class ZaloBotChannel implements ChannelAdapter {
  readonly name = 'zalo-bot';
  private readonly life: Lifecycle;
  private readonly mode: 'polling' | 'webhook';
  private readonly log;
  private readonly client?: ZaloBotClient;
  private readonly stores;
  private readonly queue = new SerialQueue();
  private readonly inFlight = new InFlight();
  private readonly choices: ChoiceMemory;
  private readonly limiter: ChatLimiter;
  private readonly seen: SeenEvents;
  private readonly admins: Set<string>;
  private abort?: AbortController;
  private loop?: Promise<void>;
  private routeRegistered = false;

  constructor(
    private readonly deps: ChannelDeps,
    private readonly options: ZaloBotOptions = {},
  ) {
    const c = deps.config;
    this.life = new Lifecycle(this.name, Boolean(c.ZALO_BOT_TOKEN), 'ZALO_BOT_TOKEN chưa được cấu hình');
    this.mode = c.ZALO_BOT_MODE;
    this.log = deps.logger.child({ channel: 'zalo-bot' });
    this.stores = channelStores(deps);
    const storeFailed = (err: unknown) =>
      this.log.error({ err: (err as Error).message }, 'channel store failed; handling the message anyway');
    this.limiter = new ChatLimiter(this.stores.rates, this.name, c.RATE_LIMIT_PER_MINUTE, undefined, storeFailed);
    this.seen = new SeenEvents(this.stores.dedup, this.name, undefined, storeFailed);
    this.admins = new Set(c.ADMIN_ZALO_IDS.map(String));
    this.choices = new ChoiceMemory(10_000, 24 * 3600_000, () => deps.engine.clock.nowMs());
    if (this.life.enabled) {
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
    return this.life.status();
  }

  /** Never throws: a bad token leaves this channel 'failed' and the others running. */
  async start(): Promise<void> {
    if (!this.client || this.life.state === 'running' || this.life.state === 'starting') return;
    this.life.set('starting');
    const abort = new AbortController();
    this.abort = abort;
    if (this.mode === 'webhook') return this.startWebhook(this.client, abort.signal);
    let ready!: () => void;
    const first = new Promise<void>((resolve) => (ready = resolve));
    const poller = new ZaloBotPoller(
      this.client,
      {
        pollTimeoutSec: this.options.pollTimeoutSec ?? 30,
        retryBaseMs: this.options.retryBaseMs ?? 500,
        retryMaxMs: this.options.retryMaxMs ?? 30_000,
      },
      this.deps.engine.clock,
      this.log,
      {
        accept: (u) => this.accept(u),
        fatal: (err) => this.fatal(err),
        running: () => {
          this.life.set('running');
          this.log.info('Zalo Bot polling started');
          ready();
        },
      },
    );
    this.loop = whileLeading(
      this.stores.leadership,
      this.name,
      abort.signal,
      async (signal) => {
        const end = await poller.run(signal);
        if (!abort.signal.aborted && end === 'lost') this.life.set('starting', WAITING_DETAIL);
        return end;
      },
      {
        onWaiting: () => {
          this.life.set('starting', WAITING_DETAIL);
          ready();
        },
        onError: (err) => this.log.warn({ err: (err as Error).message }, 'Zalo Bot polling leadership unavailable; retrying'),
      },
    ).finally(ready);
    await first;
  }

  private async startWebhook(client: ZaloBotClient, signal: AbortSignal): Promise<void> {
    if (!this.routeRegistered) {
      const route = zaloBotWebhook({
        secret: this.deps.config.ZALO_BOT_WEBHOOK_SECRET ?? '',
        state: () => this.life.state,
        accept: (u) => this.accept(u),
        log: this.log,
      });
      this.deps.app.route('POST', ZALO_BOT_WEBHOOK_PATH, route, { bodyLimit: 1024 * 1024 });
      this.routeRegistered = true;
    }
    const url = `${(this.deps.config.PUBLIC_URL ?? '').replace(/\/+$/, '')}${ZALO_BOT_WEBHOOK_PATH}`;
    let ready!: () => void;
    const first = new Promise<void>((resolve) => (ready = resolve));
    // The route serves at once; a failing setWebhook is retried in the background until it succeeds.
    this.loop = retryWithBackoff(
      () => client.call('setWebhook', { url, secret_token: this.deps.config.ZALO_BOT_WEBHOOK_SECRET }, { signal }),
      {
        signal,
        initialDelayMs: this.options.retryBaseMs ?? 1000,
        maxDelayMs: 60_000,
        isFatal: (err) => err instanceof ZaloBotError && err.isAuth,
        onRetry: (err, delayMs) => {
          this.life.set('running', `setWebhook thất bại, đang thử lại: ${(err as Error).message}`);
          this.log.error({ err: (err as Error).message, retryInMs: delayMs }, 'Zalo Bot setWebhook failed; the webhook route stays open');
          ready();
        },
      },
    )
      .then((outcome) => {
        if (outcome.ok) {
          this.life.set('running');
          this.log.info({ url }, 'Zalo Bot webhook set');
        } else if (outcome.reason === 'fatal') this.fatal(outcome.error as Error);
      })
      .finally(ready);
    await first;
  }

  async stop(): Promise<void> {
    if (!this.life.enabled) return;
    this.life.set('stopped');
    this.abort?.abort();
    await this.loop?.catch(() => undefined);
    this.loop = undefined;
    await this.queue.drain();
    await this.inFlight.drain();
    await this.seen.flush();
  }

  /** Waits for all accepted updates to be fully answered (tests). */
  async idle(): Promise<void> {
    await this.queue.drain();
    await this.inFlight.drain();
  }

  private fatal(err: Error): void {
    this.life.set('failed', 'token Zalo Bot không hợp lệ hoặc đã bị đặt lại (401)');
    this.log.fatal({ err: err.message }, 'Zalo Bot token refused (401): this channel is stopped; other channels keep running');
    this.abort?.abort();
  }

  /** De-duplicates, filters and queues one update for its chat (in arrival order). */
  private async accept(u: BotUpdate): Promise<void> {
    const m = u.message;
    if (!(await this.seen.markNew(`${u.event_name}:${m.message_id}`))) {
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
    // Admin functions only in a private chat with an admin: in a group every member would read the inbox.
    const isAdmin = isAdminChat(this.admins, m.from.id, isPrivateChat(m));
    if (!isAdmin) {
      const verdict = await this.limiter.hit(m.from.id);
      if (verdict !== 'ok') {
        this.log.warn({ user: shortHash(m.from.id) }, 'Zalo Bot user over the rate limit');
        if (verdict === 'first-over') await this.sendAll(chatId, [MESSAGES.tooFast]);
        return;
      }
    }
    switch (u.event_name) {
      case 'message.text.received': {
        const text = (m.text ?? '').trim();
        if (!text) return;
        debugText(this.log, { user: shortHash(m.from.id) }, text, 'Zalo Bot text received');
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
            isAdmin,
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
