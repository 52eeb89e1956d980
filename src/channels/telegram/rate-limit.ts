import { monotonicMs } from '../../time/clock.ts';

/**
 * Per-user sliding-window limit for chat channels. `hit` says whether a message may be handled; the
 * first refused message of a burst is flagged so the adapter sends exactly one polite "please wait"
 * instead of one per message. Only counters in memory, keyed by platform user id, never stored.
 */
export type RateDecision = 'ok' | 'limited-first' | 'limited';

interface Entry {
  hits: number[];
  notified: boolean;
}

export class RateLimiter {
  private readonly entries = new Map<string, Entry>();
  private calls = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    /** Monotonic by default: a rate window must not jump when the system time is adjusted. */
    private readonly now: () => number = monotonicMs,
  ) {}

  hit(key: string): RateDecision {
    const t = this.now();
    if (++this.calls % 1000 === 0) this.sweep(t);
    let e = this.entries.get(key);
    if (!e) {
      e = { hits: [], notified: false };
      this.entries.set(key, e);
    }
    while (e.hits.length && t - e.hits[0] >= this.windowMs) e.hits.shift();
    if (e.hits.length < this.limit) {
      e.hits.push(t);
      e.notified = false;
      return 'ok';
    }
    if (e.notified) return 'limited';
    e.notified = true;
    return 'limited-first';
  }

  /** Forgets users whose window has passed. */
  private sweep(t: number): void {
    for (const [k, e] of this.entries) {
      if (!e.hits.length || t - e.hits[e.hits.length - 1] >= this.windowMs) this.entries.delete(k);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
