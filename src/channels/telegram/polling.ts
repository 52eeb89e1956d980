import { GrammyError, type Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Clock } from '../../time/clock.ts';
import { sleep } from '../../util/sleep.ts';
import type { PollEnd } from '../kit/leader.ts';
import type { Lifecycle } from '../kit/lifecycle.ts';
import type { TelegramLog } from './log.ts';

/** Update types the bot asks for (polling and webhook). */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;

/** grammY types its signals with the abort-controller polyfill; the runtime accepts the native one. */
type GSignal = Parameters<Bot['api']['getMe']>[0];
/** Passes a native AbortSignal where grammY expects its polyfill type. */
export const grammySignal = (signal: AbortSignal): GSignal => signal as unknown as GSignal;

/** Pacing of the getUpdates loop. */
export interface PollerOptions {
  /** getUpdates long-poll timeout in seconds. */
  pollTimeoutSeconds: number;
  /** Pause when getUpdates returns empty at once (emulators that ignore `timeout`). */
  idlePauseMs: number;
  /** Stop fetching while this many updates are queued (back-pressure). */
  maxPendingUpdates: number;
}

/**
 * Long polling with our own getUpdates loop instead of `@grammyjs/runner`: the emulators the tests use
 * (telegram-test-api) answer getUpdates at once, ignoring `timeout`, which makes the runner spin hundreds of
 * times a second; this loop pauses when an empty answer comes back too fast. Updates are handed to
 * `dispatch` (per-chat queue, de-duplication) in order; fetching pauses while `backlog()` is too large.
 * The offset of handled updates is confirmed at stop, so a restart does not receive them again.
 */
export class TelegramPoller {
  private offset = 0;

  constructor(
    private readonly bot: Bot,
    private readonly opts: PollerOptions,
    private readonly tlog: TelegramLog,
    private readonly life: Lifecycle,
    private readonly clock: Clock,
    private readonly dispatch: (update: Update) => void,
    private readonly backlog: () => number,
  ) {}

  /** One leadership term: deleteWebhook, then getUpdates until `signal` aborts ('lost') or the token is refused ('stop'). */
  async run(signal: AbortSignal, onRunning: () => void): Promise<PollEnd> {
    const bot = this.bot;
    try {
      await bot.api.deleteWebhook({ drop_pending_updates: false }, grammySignal(signal));
    } catch (err) {
      if (signal.aborted) return 'lost';
      this.tlog.softFail('deleteWebhook', err);
    }
    const running = `polling @${bot.botInfo.username}`;
    this.life.set('running', running);
    this.tlog.log.info({ username: bot.botInfo.username, mode: 'polling' }, 'telegram channel running');
    onRunning();
    let backoff = 1000;
    while (!signal.aborted) {
      const started = this.clock.monotonicMs();
      let updates: Update[];
      try {
        updates = await bot.api.getUpdates(
          { offset: this.offset, timeout: this.opts.pollTimeoutSeconds, allowed_updates: [...ALLOWED_UPDATES] },
          grammySignal(signal),
        );
        backoff = 1000;
        if (this.life.detail !== running) this.life.describe(running);
      } catch (err) {
        if (signal.aborted) return 'lost';
        if (err instanceof GrammyError && err.error_code === 401) {
          this.life.set('failed', 'getUpdates: token bị từ chối (401)');
          this.tlog.log.error(this.tlog.errInfo(err), 'telegram polling stopped; check TELEGRAM_BOT_TOKEN');
          return 'stop';
        }
        if (err instanceof GrammyError && err.error_code === 409 && /webhook/i.test(err.description)) {
          this.tlog.log.warn('a webhook is set while polling; deleting it');
          await bot.api
            .deleteWebhook({ drop_pending_updates: false }, grammySignal(signal))
            .catch((e: unknown) => this.tlog.softFail('deleteWebhook', e));
        } else {
          this.tlog.log.warn({ ...this.tlog.errInfo(err), retryInMs: backoff }, 'getUpdates failed, retrying');
        }
        this.life.describe('getUpdates lỗi, đang thử lại');
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 30_000);
        continue;
      }
      for (const u of Array.isArray(updates) ? updates : []) {
        if (!u || typeof u.update_id !== 'number') continue;
        if (u.update_id >= this.offset) this.offset = u.update_id + 1;
        this.dispatch(u);
      }
      if (!updates?.length && this.clock.monotonicMs() - started < 250) await sleep(this.opts.idlePauseMs, signal);
      while (this.backlog() >= this.opts.maxPendingUpdates && !signal.aborted) await sleep(20, signal);
    }
    return 'lost';
  }

  /** Confirms handled updates (as grammY's bot.stop does), so a restart or the next leader does not get them again. */
  async confirm(): Promise<void> {
    if (this.offset <= 0) return;
    try {
      await this.bot.api.getUpdates({ offset: this.offset, limit: 1, timeout: 0 });
    } catch (err) {
      this.tlog.log.debug(this.tlog.errInfo(err), 'could not confirm the last update offset');
    }
  }
}
