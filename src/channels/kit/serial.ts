import { KeyedQueue } from '../../util/keyed-queue.ts';

/**
 * The one per-conversation queue of the chat channels: tasks of one key (a chat) run one at a time in the
 * order they were queued, different keys run concurrently. `size` counts queued and running tasks, so a
 * poller can stop fetching while too much is waiting (back-pressure) instead of growing memory.
 */
export class SerialQueue {
  private readonly queue = new KeyedQueue();
  private active = 0;

  /** Queues `task` behind the earlier tasks of `key`; resolves or rejects with it. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.active++;
    return this.queue.run(key, task).finally(() => {
      this.active--;
    });
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.active;
  }

  /** Resolves when every queued task has finished (graceful stop). */
  drain(): Promise<void> {
    return this.queue.drain();
  }
}
