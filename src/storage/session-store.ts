import path from 'node:path';
import { z } from 'zod';
import type { Low } from 'lowdb';
import type { Session } from '../domain/types.ts';
import { openJsonStore, type StoreWarn } from './json-store.ts';
import { CoalescedWriter } from './coalesced-writer.ts';
import { systemClock, type Clock } from '../time/clock.ts';

/**
 * Where conversation sessions live. An interface so a shared implementation (Redis) can be added
 * for several instances without touching the core.
 */
export interface SessionStore {
  get(key: string): Session | undefined;
  set(key: string, session: Session): void;
  delete(key: string): boolean;
  /** Number of sessions held (for health and usage figures). */
  size(): number;
  /** Writes pending changes to durable storage. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** In-memory store for tests and one-shot CLI runs. */
export class MemorySessionStore implements SessionStore {
  private readonly map = new Map<string, Session>();
  get(key: string) {
    return this.map.get(key);
  }
  set(key: string, s: Session) {
    this.map.set(key, s);
  }
  delete(key: string) {
    return this.map.delete(key);
  }
  size() {
    return this.map.size;
  }
  async flush() {}
  async close() {}
}

const sessionFileSchema = z.object({
  version: z.literal(1),
  sessions: z.record(z.string(), z.object({ id: z.string(), updatedAt: z.string() }).passthrough()),
});
type SessionFile = { version: 1; sessions: Record<string, Session> };

/**
 * lowdb-backed store in `DATA_DIR/sessions.json`. Changes are coalesced: at most one write in
 * flight, the next one scheduled while dirty, so a burst of thousands of messages costs a handful
 * of atomic writes. Expired sessions are dropped on load and on each write.
 */
export class FileSessionStore implements SessionStore {
  private readonly writer: CoalescedWriter;

  private constructor(
    private readonly db: Low<SessionFile>,
    private readonly ttlMs: number,
    delayMs: number,
    warn: StoreWarn,
    private readonly clock: Clock,
  ) {
    this.writer = new CoalescedWriter(
      async () => {
        this.expire(this.clock.nowMs());
        await this.db.write();
      },
      delayMs,
      (err) => warn('sessions could not be written (will retry on the next change)', { err: err.message }),
    );
  }

  /**
   * Opens `DATA_DIR/sessions.json`. Expiry compares the real time of `clock` with each session's
   * `updatedAt` (which the engine stamps with the same clock's real time), never the answer day.
   */
  static async open(
    dataDir: string,
    ttlMinutes: number,
    warn?: StoreWarn,
    delayMs = 200,
    clock: Clock = systemClock,
  ): Promise<FileSessionStore> {
    const db = await openJsonStore<SessionFile>(
      path.join(dataDir, 'sessions.json'),
      sessionFileSchema as unknown as z.ZodType<SessionFile>,
      { version: 1, sessions: {} },
      warn,
    );
    const store = new FileSessionStore(db, ttlMinutes * 60_000, delayMs, warn ?? (() => {}), clock);
    store.expire(clock.nowMs());
    return store;
  }

  get(key: string): Session | undefined {
    const s = this.db.data.sessions[key];
    if (s && this.clock.nowMs() - Date.parse(s.updatedAt) > this.ttlMs) {
      delete this.db.data.sessions[key];
      this.writer.markDirty();
      return undefined;
    }
    return s;
  }

  set(key: string, session: Session): void {
    this.db.data.sessions[key] = session;
    this.writer.markDirty();
  }

  delete(key: string): boolean {
    const had = key in this.db.data.sessions;
    delete this.db.data.sessions[key];
    if (had) this.writer.markDirty();
    return had;
  }

  size(): number {
    return Object.keys(this.db.data.sessions).length;
  }

  private expire(now: number): void {
    for (const [k, s] of Object.entries(this.db.data.sessions)) {
      if (now - Date.parse(s.updatedAt) > this.ttlMs) delete this.db.data.sessions[k];
    }
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
