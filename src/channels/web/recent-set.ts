import { monotonicMs } from '../../time/clock.ts';

/**
 * Keys seen recently, each forgotten `ttlMs` after it was last touched, in this process's memory.
 * The web API keeps here the conversations it has admitted, so it can tell a new conversation id
 * (which costs its address a unit of the new-conversation budget) from a known one.
 *
 * Why a separate read (`has`) and write (`touch`) rather than a counter: a conversation refused by
 * the budget must stay "new", otherwise a client could mint an id, take the refusal, and send the same
 * id again to get it through. A test-and-set counter cannot express that; this set is only written
 * once a conversation is admitted.
 *
 * Every operation is O(1) amortised: entries sit in a Map in the order they were last touched, so the
 * expired ones are always at the front and each call drops at most a few of them; the Map is capped,
 * oldest first. Forgetting early only makes a conversation count as new once more (never less safe).
 */
export class RecentSet {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxKeys = 100_000,
    /** Monotonic by default: expiry must not jump when the system time is adjusted. */
    private readonly now: () => number = monotonicMs,
  ) {}

  /** Was `key` touched within the last `ttlMs`? */
  has(key: string): boolean {
    const t = this.now();
    this.sweep(t, 2);
    const expiry = this.expiries.get(key);
    return expiry !== undefined && expiry > t;
  }

  /** Records `key` as seen now (moving it to the back of the expiry order). */
  touch(key: string): void {
    const t = this.now();
    this.expiries.delete(key);
    this.expiries.set(key, t + this.ttlMs);
    if (this.expiries.size > this.maxKeys) this.expiries.delete(this.expiries.keys().next().value as string);
    this.sweep(t, 2);
  }

  /** Forgets `key` (the conversation was erased: its next message starts a new one). */
  delete(key: string): void {
    this.expiries.delete(key);
  }

  /** Keys currently held (tests). */
  get size(): number {
    return this.expiries.size;
  }

  private sweep(t: number, max: number): void {
    for (const [k, expiry] of this.expiries) {
      if (max-- <= 0 || expiry > t) return;
      this.expiries.delete(k);
    }
  }
}
