import { monotonicMs } from '../../time/clock.ts';
import { createHash } from 'node:crypto';

/** Constant-time string comparison (both sides hashed to equal-length digests first). */
export { safeEqual } from '../../privacy/safe-equal.ts';

/** Short stable hash used to key stored ids (never stores raw user ids). */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 24);
}

export { sleep } from '../../util/sleep.ts';

/** Exponential backoff with jitter: base·2^attempt, capped, ±25 %. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const raw = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(raw * (0.75 + Math.random() * 0.5));
}

/** Replaces every occurrence of the given secrets in a message (errors may echo URLs). */
export function redactSecrets(message: string, secrets: Array<string | undefined>): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** Messages per minute per person, in fixed one-minute windows; bounded memory. */
export class PerMinuteLimiter {
  private windowStart = 0;
  private counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    /** Monotonic by default: a rate window must not jump when the system time is adjusted. */
    private readonly now: () => number = monotonicMs,
  ) {}

  /** Counts one message; returns 'ok', 'first-over' (first refusal this window) or 'over'. */
  hit(key: string): 'ok' | 'first-over' | 'over' {
    const t = this.now();
    if (t - this.windowStart >= 60_000) {
      this.windowStart = t;
      this.counts = new Map();
    }
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n <= this.limit) return 'ok';
    return n === this.limit + 1 ? 'first-over' : 'over';
  }
}

/** Tracks background tasks so stop() can wait for them. */
export class InFlight {
  private readonly tasks = new Set<Promise<unknown>>();

  add<T>(p: Promise<T>): Promise<T> {
    const tracked = p.finally(() => this.tasks.delete(tracked));
    this.tasks.add(tracked);
    tracked.catch(() => undefined);
    return tracked;
  }

  get size(): number {
    return this.tasks.size;
  }

  async drain(): Promise<void> {
    while (this.tasks.size) await Promise.allSettled([...this.tasks]);
  }
}

/** Runs tasks one at a time per key (one person's replies stay in order), concurrently across keys. */
export { KeyedQueue as SerialByKey } from '../../core/keyed-queue.ts';
