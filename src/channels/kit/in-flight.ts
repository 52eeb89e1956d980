/**
 * Background work a channel must wait for before it reports itself stopped: webhook turns answered after
 * the 200, typing indicators, soft calls. Failures are the task's own business; here they are only awaited.
 */
export class InFlight {
  private readonly tasks = new Set<Promise<unknown>>();

  /** Tracks `p` until it settles; returns it unchanged. */
  add<T>(p: Promise<T>): Promise<T> {
    const tracked = p.finally(() => this.tasks.delete(tracked));
    this.tasks.add(tracked);
    tracked.catch(() => undefined);
    return tracked;
  }

  get size(): number {
    return this.tasks.size;
  }

  /** Resolves once nothing is running, including tasks added while waiting. */
  async drain(): Promise<void> {
    while (this.tasks.size) await Promise.allSettled([...this.tasks]);
  }
}
