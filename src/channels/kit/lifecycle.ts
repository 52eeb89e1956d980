import type { ChannelStatus } from '../channel.ts';
import { sleep } from '../../util/sleep.ts';

/**
 * State and detail of one channel, and its `status()` line for `/readyz` and the start-up banner. One small
 * object so every adapter reports the same way: `disabled` without tokens, `starting` while retrying,
 * `running`, `failed` (a refused token, a re-authorisation needed) with a detail an operator can act on.
 */
export class Lifecycle {
  private current: ChannelStatus['state'];
  private note: string | undefined;

  constructor(
    readonly name: string,
    readonly enabled: boolean,
    /** Detail shown while disabled (which variable to set). */
    disabledDetail: string,
  ) {
    this.current = enabled ? 'stopped' : 'disabled';
    this.note = enabled ? undefined : disabledDetail;
  }

  get state(): ChannelStatus['state'] {
    return this.current;
  }

  get detail(): string | undefined {
    return this.note;
  }

  /** Moves to `state`; the detail is replaced (cleared when omitted). */
  set(state: ChannelStatus['state'], detail?: string): void {
    if (!this.enabled) return;
    this.current = state;
    this.note = detail;
  }

  /** Replaces only the detail. */
  describe(detail: string | undefined): void {
    if (this.enabled) this.note = detail;
  }

  status(): ChannelStatus {
    return { name: this.name, enabled: this.enabled, state: this.current, ...(this.note ? { detail: this.note } : {}) };
  }
}

/** How {@link retryWithBackoff} waits and when it gives up. */
export interface RetryOptions {
  signal: AbortSignal;
  /** First wait after a failure; doubled each time up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Errors that retrying cannot fix (a refused token): stop at once. */
  isFatal?: (err: unknown) => boolean;
  /** Called before each wait (log, status detail). */
  onRetry?: (err: unknown, delayMs: number, attempt: number) => void;
}

/** What {@link retryWithBackoff} ended with: the value, an abort (stop), or a fatal error. */
export type RetryOutcome<T> = { ok: true; value: T } | { ok: false; reason: 'aborted' } | { ok: false; reason: 'fatal'; error: unknown };

/**
 * Start-up retry with back-off: runs `fn` until it succeeds, a fatal error occurs or `signal` aborts. Why:
 * a network outage at boot must not leave a channel dead until the next restart, and a wrong token must
 * not be retried forever.
 */
export async function retryWithBackoff<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<RetryOutcome<T>> {
  let delay = opts.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal.aborted) return { ok: false, reason: 'aborted' };
    try {
      return { ok: true, value: await fn() };
    } catch (err) {
      if (opts.signal.aborted) return { ok: false, reason: 'aborted' };
      if (opts.isFatal?.(err)) return { ok: false, reason: 'fatal', error: err };
      opts.onRetry?.(err, delay, attempt);
      await sleep(delay, opts.signal);
      delay = Math.min(delay * 2, opts.maxDelayMs);
    }
  }
}
