import { monotonicMs } from '../time/clock.ts';

/**
 * Fixed-window counter per key (user, IP). Memory is bounded: windows are dropped when they end,
 * and the map is swept when it grows large.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** Monotonic by default: a rate window must not jump when the system time is adjusted. */
    private readonly now: () => number = monotonicMs,
  ) {}

  /** Counts one event for `key`; false when the key is over its limit in this window. */
  allow(key: string): boolean {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      w = { start: t, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 50_000) this.sweep(t);
    }
    w.count++;
    return w.count <= this.limit;
  }

  private sweep(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
  }
}
