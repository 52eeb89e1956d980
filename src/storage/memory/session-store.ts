import type { Session } from '../../domain/types.ts';
import type { SessionStore, StoreHealth } from '../types.ts';
import { KeyedQueue } from '../../util/keyed-queue.ts';

/** Sessions in memory only: tests and one-shot command-line runs (`ask --jsonl`). */
export class MemorySessionStore implements SessionStore {
  private readonly map = new Map<string, Session>();
  private readonly queue = new KeyedQueue();
  async get(key: string) {
    return this.map.get(key);
  }
  async set(key: string, s: Session) {
    this.map.set(key, s);
  }
  async delete(key: string) {
    return this.map.delete(key);
  }
  async size() {
    return this.map.size;
  }
  withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(key, task);
  }
  async flush() {}
  async close() {
    await this.queue.drain();
  }
  async health(): Promise<StoreHealth> {
    return { state: 'ok' };
  }
}
