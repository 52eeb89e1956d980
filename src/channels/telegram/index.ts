import { GrammyError, type Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { ChannelAdapter, ChannelStatus } from '../channel.ts';
import { channelStores, type ChannelDeps, type ChannelStores } from '../deps.ts';
import { Lifecycle, retryWithBackoff } from '../kit/lifecycle.ts';
import { SerialQueue } from '../kit/serial.ts';
import { InFlight } from '../kit/in-flight.ts';
import { ChatLimiter } from '../kit/limiter.ts';
import { SeenEvents } from '../kit/dedup.ts';
import { whileLeading } from '../kit/leader.ts';
import { chatKeyOf } from './addressing.ts';
import { telegramHandlers } from './handlers.ts';
import { TelegramLog } from './log.ts';
import { ALLOWED_UPDATES, grammySignal, TelegramPoller } from './polling.ts';
import { TelegramSender } from './send.ts';
import { COMMANDS } from './texts.ts';
import { createBot, fatalReason, isFatal, resolveOptions, type TelegramChannelOptions } from './bot-api.ts';
import { telegramWebhook } from './webhook.ts';

export { parseCommand } from './addressing.ts';
export { secretMatches } from './webhook.ts';
export { ALLOWED_UPDATES };
export type { TelegramChannelOptions };

/**
 * Telegram adapter on grammY: lifecycle and wiring. The parts live beside it:
 * `handlers.ts` (a grammY Composer: commands, buttons, text), `send.ts` (HTML replies, fallback, typing),
 * `polling.ts` (getUpdates loop, only while this instance leads 'telegram'), `webhook.ts` (the route; every
 * instance serves), `addressing.ts` (groups, mentions, per-chat keys), `render.ts` (pure HTML rendering).
 *
 * Every update goes through one per-chat queue (one chat in order, many chats concurrently) and is handled
 * once: update ids are remembered for 24 hours in the de-duplication store. @grammyjs/auto-retry handles
 * 429 and 5xx (bounded), a small transformer retries network errors; non-essential calls fail soft.
 */

/** Path of the webhook route registered on the HTTP app. */
export const WEBHOOK_PATH = '/webhooks/telegram';
const WAITING_DETAIL = 'chờ lượt nhận tin: một phiên bản khác đang nhận tin Telegram';

/** Creates the Telegram channel; without TELEGRAM_BOT_TOKEN the adapter is inert with status 'disabled'. */
export function createTelegramChannel(deps: ChannelDeps, options: TelegramChannelOptions = {}): ChannelAdapter {
  return new TelegramChannel(deps, options);
}

/** The Telegram adapter: see the module comment above and README.md beside this file. */
export class TelegramChannel implements ChannelAdapter {
  readonly name = 'telegram';
  private readonly life: Lifecycle;
  private readonly bot: Bot | undefined;
  private readonly mode: 'polling' | 'webhook';
  private readonly opts: Required<TelegramChannelOptions>;
  private readonly tlog: TelegramLog;
  private readonly stores: ChannelStores;
  private readonly seen: SeenEvents;
  private readonly queue = new SerialQueue();
  private readonly background = new InFlight();
  private abort = new AbortController();
  private runner: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly deps: ChannelDeps,
    options: TelegramChannelOptions = {},
  ) {
    const { config } = deps;
    const token = config.TELEGRAM_BOT_TOKEN?.trim() || undefined;
    this.life = new Lifecycle(this.name, Boolean(token), 'TELEGRAM_BOT_TOKEN chưa được đặt');
    this.tlog = new TelegramLog(deps.logger.child({ channel: 'telegram' }), token, deps.engine.clock);
    this.mode = config.TELEGRAM_MODE;
    this.opts = resolveOptions(options);
    this.stores = channelStores(deps);
    const storeFailed = (err: unknown) => this.tlog.log.error(this.tlog.errInfo(err), 'channel store failed; handling the update anyway');
    this.seen = new SeenEvents(this.stores.dedup, this.name, undefined, storeFailed);
    if (!token) return;
    const bot = createBot(token, config.TELEGRAM_API_ROOT, this.opts);
    const send = new TelegramSender(bot.api, this.stores.payloads, this.tlog, this.background, this.opts.typingIntervalMs);
    const limiter = new ChatLimiter(this.stores.rates, this.name, config.RATE_LIMIT_PER_MINUTE, undefined, storeFailed);
    bot.use(
      telegramHandlers({ engine: deps.engine, admins: new Set(config.ADMIN_TELEGRAM_IDS.map(String)), limiter, send, tlog: this.tlog }),
    );
    this.bot = bot;
    if (this.mode === 'webhook') {
      const route = telegramWebhook({
        secret: config.TELEGRAM_WEBHOOK_SECRET ?? '',
        accepting: () => !this.stopping && this.life.state === 'running',
        dispatch: (u) => this.dispatch(u),
        onWrongSecret: (req) =>
          this.tlog.throttledWarn(
            'webhook-secret',
            { reqId: req.id, ip: req.ip },
            'telegram webhook request with a wrong secret token rejected',
          ),
      });
      deps.app.route('POST', WEBHOOK_PATH, route, { bodyLimit: 1024 * 1024 });
    }
  }

  status(): ChannelStatus {
    return this.life.status();
  }

  /** Resolves once running, failed, or retrying in the background (a network outage never blocks start-up). */
  async start(): Promise<void> {
    if (!this.bot || this.runner) return;
    this.stopping = false;
    this.abort = new AbortController();
    this.life.set('starting');
    let ready!: () => void;
    const first = new Promise<void>((resolve) => (ready = resolve));
    this.runner = this.run(this.bot, this.abort.signal, ready)
      .catch((err) => {
        this.life.set('failed', 'lỗi không mong đợi');
        this.tlog.log.error(this.tlog.errInfo(err), 'telegram channel stopped unexpectedly');
      })
      .finally(() => ready());
    await first;
  }

  /** Stops receiving, finishes queued updates and background calls, confirms the poll offset, flushes stores. */
  async stop(): Promise<void> {
    if (!this.bot || !this.runner) return;
    this.stopping = true;
    this.abort.abort();
    await this.runner;
    await this.queue.drain();
    await this.background.drain();
    await this.seen.flush();
    await this.stores.payloads.flush();
    this.runner = null;
    if (this.life.state !== 'failed') this.life.set('stopped');
    this.tlog.log.info('telegram channel stopped');
  }

  private async run(bot: Bot, signal: AbortSignal, ready: () => void): Promise<void> {
    // getMe ourselves rather than bot.init(), which retries network errors forever without reporting them.
    const me = await retryWithBackoff(() => bot.api.getMe(grammySignal(signal)), {
      signal,
      initialDelayMs: this.opts.startRetryDelayMs,
      maxDelayMs: 60_000,
      isFatal,
      onRetry: (err, delay) => {
        this.life.describe('getMe lỗi, đang thử lại');
        this.tlog.log.warn({ ...this.tlog.errInfo(err), retryInMs: delay }, 'telegram getMe failed, retrying');
        ready();
      },
    });
    if (!me.ok) {
      if (me.reason === 'fatal') {
        this.life.set('failed', `getMe: ${fatalReason(me.error)}`);
        this.tlog.log.error(this.tlog.errInfo(me.error), 'telegram getMe failed; check TELEGRAM_BOT_TOKEN');
      }
      return;
    }
    bot.botInfo = me.value;
    void this.background.add(this.registerCommands(bot));
    if (this.mode === 'webhook') return this.runWebhook(bot, signal, ready);
    const poller = new TelegramPoller(
      bot,
      this.opts,
      this.tlog,
      this.life,
      this.deps.engine.clock,
      (u) => this.dispatch(u),
      () => this.queue.size,
    );
    await whileLeading(
      this.stores.leadership,
      this.name,
      signal,
      async (term) => {
        const end = await poller.run(term, ready);
        await poller.confirm(); // while still leading: the next leader starts after what we received
        if (end === 'lost' && !signal.aborted) this.life.set('starting', WAITING_DETAIL);
        return end;
      },
      {
        onWaiting: () => {
          this.life.set('starting', WAITING_DETAIL);
          ready();
        },
        onError: (err) => this.tlog.log.warn(this.tlog.errInfo(err), 'telegram polling leadership unavailable; retrying'),
      },
    );
  }

  /**
   * Webhook mode: signed updates are accepted as soon as we know who we are; start() resolves after the first
   * setWebhook attempt, and a failing one is retried in the background (an emulator may not implement it).
   */
  private async runWebhook(bot: Bot, signal: AbortSignal, ready: () => void): Promise<void> {
    const running = `webhook @${bot.botInfo.username}`;
    this.life.set('running', running);
    const url = `${(this.deps.config.PUBLIC_URL ?? '').replace(/\/+$/, '')}${WEBHOOK_PATH}`;
    const secret_token = this.deps.config.TELEGRAM_WEBHOOK_SECRET;
    const hooked = await retryWithBackoff(
      () => bot.api.setWebhook(url, { secret_token, allowed_updates: [...ALLOWED_UPDATES] }, grammySignal(signal)),
      {
        signal,
        initialDelayMs: this.opts.startRetryDelayMs,
        maxDelayMs: 60_000,
        isFatal: (err) => err instanceof GrammyError && err.error_code === 401,
        onRetry: (err, delay) => {
          this.life.describe('setWebhook lỗi, đang thử lại');
          this.tlog.log.warn({ ...this.tlog.errInfo(err), retryInMs: delay }, 'telegram setWebhook failed, retrying');
          ready();
        },
      },
    );
    if (hooked.ok) {
      this.life.describe(running);
      this.tlog.log.info({ username: bot.botInfo.username, mode: 'webhook' }, 'telegram channel running');
    } else if (hooked.reason === 'fatal') {
      this.life.set('failed', `setWebhook: ${fatalReason(hooked.error)}`);
      this.tlog.log.error(this.tlog.errInfo(hooked.error), 'telegram setWebhook failed; check TELEGRAM_BOT_TOKEN');
    }
  }

  /** Queues an update behind the earlier ones of its chat; a re-delivered update id is dropped there. */
  private dispatch(update: Update): void {
    const bot = this.bot!;
    void this.queue.run(chatKeyOf(update), async () => {
      if (!(await this.seen.markNew(`${bot.botInfo.id}:${update.update_id}`))) {
        this.tlog.log.debug({ updateId: update.update_id }, 'telegram update already handled (re-delivery); ignored');
        return;
      }
      try {
        await bot.handleUpdate(update);
      } catch (err) {
        const inner = (err as { error?: unknown }).error ?? err;
        this.tlog.log.error({ updateId: update.update_id, ...this.tlog.errInfo(inner) }, 'telegram update failed');
      }
    });
  }

  private async registerCommands(bot: Bot): Promise<void> {
    try {
      await bot.api.setMyCommands(COMMANDS.map(({ command, description }) => ({ command, description })));
    } catch (err) {
      this.tlog.softFail('setMyCommands', err);
    }
  }
}
