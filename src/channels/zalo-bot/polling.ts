import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../time/clock.ts';
import { sleep } from '../../util/sleep.ts';
import type { PollEnd } from '../kit/leader.ts';
import { backoffDelay } from '../kit/util.ts';
import { AbortedError, type ZaloBotClient, ZaloBotError } from './client.ts';
import { extractUpdates, type BotUpdate } from './updates.ts';

/** Shortest cycle of a poll that brought nothing (guards against servers that do not hold). */
const MIN_EMPTY_POLL_MS = 250;

/** Pacing of the getUpdates loop. */
export interface ZaloBotPollerOptions {
  /** getUpdates long-poll timeout in seconds (sent to the API). */
  pollTimeoutSec: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * Long polling of the Zalo Bot Platform: `deleteWebhook` (getUpdates is unavailable while one is set), then
 * `getUpdates` one update at a time. 408 means "no update" and is paced so a server that does not hold the
 * request cannot make this a busy loop; other failures back off with jitter; 401 (token reset) stops.
 * Updates are handed to `accept` in arrival order.
 */
export class ZaloBotPoller {
  constructor(
    private readonly client: ZaloBotClient,
    private readonly opts: ZaloBotPollerOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly hooks: {
      accept: (update: BotUpdate) => Promise<void>;
      /** The token was refused (401): the channel fails, other channels keep running. */
      fatal: (err: Error) => void;
      /** deleteWebhook done: about to poll. */
      running: () => void;
    },
  ) {}

  /** One leadership term: until `signal` aborts ('lost') or the token is refused ('stop'). */
  async run(signal: AbortSignal): Promise<PollEnd> {
    try {
      await this.client.call('deleteWebhook', {}, { signal, retry: false, timeoutMs: 10_000 });
    } catch (err) {
      if (err instanceof ZaloBotError && err.isAuth) {
        this.hooks.fatal(err);
        return 'stop';
      }
      if (!(err instanceof AbortedError))
        this.log.warn({ err: (err as Error).message }, 'Zalo Bot deleteWebhook failed (continuing with polling)');
    }
    if (signal.aborted) return 'lost';
    this.hooks.running();
    return this.loop(signal);
  }

  private async loop(signal: AbortSignal): Promise<PollEnd> {
    const pollSec = this.opts.pollTimeoutSec;
    let failures = 0;
    while (!signal.aborted) {
      let result: unknown;
      const started = this.clock.monotonicMs();
      const pace = () => sleep(Math.max(0, MIN_EMPTY_POLL_MS - (this.clock.monotonicMs() - started)), signal);
      try {
        result = await this.client.call(
          'getUpdates',
          { timeout: String(pollSec) },
          { signal, timeoutMs: (pollSec + 5) * 1000, retry: false },
        );
        failures = 0;
      } catch (err) {
        if (signal.aborted || err instanceof AbortedError) break;
        if (err instanceof ZaloBotError && err.isNoUpdate) {
          failures = 0;
          await pace();
          continue;
        }
        if (err instanceof ZaloBotError && err.isAuth) {
          this.hooks.fatal(err);
          return 'stop';
        }
        const delay = backoffDelay(failures, this.opts.retryBaseMs, this.opts.retryMaxMs);
        failures++;
        this.log.warn({ err: (err as Error).message, delayMs: delay }, 'Zalo Bot getUpdates failed; retrying');
        await sleep(delay, signal);
        continue;
      }
      const { updates, invalid } = extractUpdates(result);
      if (invalid) this.log.warn({ invalid }, 'Zalo Bot update not understood; ignored');
      for (const u of updates) await this.hooks.accept(u);
      if (updates.length === 0) await pace();
    }
    return 'lost';
  }
}
