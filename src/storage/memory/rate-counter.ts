import type { RateCounter, RateDecision } from '../types.ts';
import { monotonicMs } from '../../time/clock.ts';

interface Window {
  start: number;
  windowMs: number;
  count: number;
}

/**
 * Rate counters in this process's memory, in fixed windows per key. Every operation costs O(1)
 * amortised, whatever the number of keys: windows sit in a Map in the order they opened (a key
 * that opens a new window is moved to the end), so expired windows are always at the front and
 * each call drops at most a few of them. The map is also capped, oldest first, so a flood of new
 * keys (rotated conversation ids) cannot grow memory without bound.
 */
export class MemoryRateCounter implements RateCounter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly maxKeys = 200_000,
    /** Monotonic by default: a rate window must not jump when the system time is adjusted. */
    private readonly now: () => number = monotonicMs,
  ) {}

  hit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    return Promise.resolve(this.hitSync(key, limit, windowMs));
  }

  /** Synchronous form, for callers that cannot wait (HTTP fast path). */
  hitSync(key: string, limit: number, windowMs: number): RateDecision {
    const t = this.now();
    this.sweep(t, 2);
    let w = this.windows.get(key);
    if (!w || t - w.start >= w.windowMs) {
      if (w) this.windows.delete(key);
      w = { start: t, windowMs, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
    }
    w.count++;
    if (w.count <= limit) return 'ok';
    return w.count === limit + 1 ? 'first-over' : 'over';
  }

  /** Drops up to `max` expired windows from the front (oldest first). */
  private sweep(t: number, max: number): void {
    for (const [k, w] of this.windows) {
      if (max-- <= 0 || t - w.start < w.windowMs) return;
      this.windows.delete(k);
    }
  }

  /** Keys currently tracked (tests, health). */
  get size(): number {
    return this.windows.size;
  }
}
