import { StoreUnavailableError } from '../errors.ts';

/**
 * A counting semaphore with a waiting time limit. Why: node-postgres's pool times out a caller that waits for a
 * free connection with the same limit as a real connection attempt, so under a burst (2,000 messages at once)
 * healthy requests would fail. Callers queue here instead, in order, for as long as `waitMs`; the pool's own
 * timeout then only measures the database.
 */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<{ grant: () => void; timer: NodeJS.Timeout }> = [];

  constructor(
    readonly size: number,
    private readonly waitMs: number,
    private readonly what: string,
  ) {
    if (size < 1) throw new Error('semaphore size must be at least 1');
  }

  /** Runs `task` with one slot held. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }

  /** Resolves with a release function once a slot is free; rejects with StoreUnavailableError after `waitMs`. */
  acquire(): Promise<() => void> {
    if (this.active < this.size) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          clearTimeout(entry.timer);
          resolve(this.releaser());
        },
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(entry);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new StoreUnavailableError(`${this.what}: no free slot within ${this.waitMs} ms`, 'BUSY'));
        }, this.waitMs),
      };
      entry.timer.unref?.();
      this.waiters.push(entry);
    });
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter (active stays the same).
      if (next) next.grant();
      else this.active--;
    };
  }
}
