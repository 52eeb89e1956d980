import { existsSync, promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Session } from '../../domain/types.ts';
import type { SessionStore, StoreHealth } from '../types.ts';
import { KeyedQueue } from '../../util/keyed-queue.ts';
import { systemClock, type Clock } from '../../time/clock.ts';
import { Journal } from './journal.ts';

const sessionSchema = z.looseObject({ id: z.string(), updatedAt: z.string() });
const recordSchema = z.union([z.object({ k: z.string().min(1), s: sessionSchema }), z.object({ k: z.string().min(1), d: z.literal(1) })]);
type SessionRecord = { k: string; s: Session } | { k: string; d: 1 };

export interface FileSessionStoreOptions {
  dataDir: string;
  /** Minutes of real silence after which a session is forgotten. */
  ttlMinutes: number;
  /** Most sessions kept; the least recently used is evicted beyond it. */
  maxSessions: number;
  clock?: Clock;
  warn?: (message: string, extra?: Record<string, unknown>) => void;
  /** Journal buffer delay (ms). */
  flushMs?: number;
}

/**
 * Sessions in `DATA_DIR/sessions.jsonl` plus an append-only log (see {@link Journal}), held in memory
 * in least-recently-used order. Why this shape:
 * - a change costs one appended line, whatever the number of sessions (a rewrite of the whole file
 *   blocked the event loop for 250-320 ms at 100.000 sessions);
 * - the number of sessions is capped (`SESSIONS_MAX`): beyond it the least recently used conversation is
 *   forgotten, and a warning recommends `DATABASE_URL` when the cap is near;
 * - erasing a conversation is on disk before it is acknowledged; other changes reach the operating
 *   system within `flushMs` (a process crash loses at most that much).
 * Expiry compares the clock's real time with `updatedAt`.
 */
export class FileSessionStore implements SessionStore {
  private readonly map = new Map<string, Session>();
  private readonly queue = new KeyedQueue();
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private lastCapWarning = Number.NEGATIVE_INFINITY;
  private damaged = 0;

  private constructor(
    private readonly journal: Journal<SessionRecord>,
    private readonly opts: FileSessionStoreOptions,
  ) {
    this.ttlMs = opts.ttlMinutes * 60_000;
    this.clock = opts.clock ?? systemClock;
  }

  static async open(opts: FileSessionStoreOptions): Promise<FileSessionStore> {
    const { journal, load } = await Journal.open<SessionRecord>({
      dir: opts.dataDir,
      name: 'sessions',
      schema: recordSchema as unknown as z.ZodType<SessionRecord>,
      flushMs: opts.flushMs,
      clock: opts.clock,
      warn: opts.warn,
    });
    const store = new FileSessionStore(journal, opts);
    store.damaged = load.rejected.length + load.movedAside.length;
    for (const r of load.records) {
      if ('d' in r) store.map.delete(r.k);
      else {
        store.map.delete(r.k);
        store.map.set(r.k, r.s);
      }
    }
    const migrated = await store.migrateLegacy();
    store.dropExpired(Number.POSITIVE_INFINITY);
    while (store.map.size > opts.maxSessions) store.map.delete(store.map.keys().next().value as string);
    if (migrated || load.records.length > store.map.size * 2 + 1000) await store.compact();
    return store;
  }

  /** Reads a `sessions.json` written by version 0.1 (one JSON document) once, then removes it. */
  private async migrateLegacy(): Promise<boolean> {
    const legacy = path.join(this.opts.dataDir, 'sessions.json');
    if (!existsSync(legacy)) return false;
    const stamp = this.clock.now().toISOString().replace(/[:.]/g, '-');
    if (!statSync(legacy).isFile()) {
      await fs.rename(legacy, `${legacy}.unreadable-${stamp}`);
      this.opts.warn?.('sessions.json is not a file; moved aside', { aside: `${legacy}.unreadable-${stamp}` });
      this.damaged++;
      return false;
    }
    try {
      const doc = JSON.parse(readFileSync(legacy, 'utf8')) as { sessions?: Record<string, unknown> };
      const entries = Object.entries(doc.sessions ?? {})
        .map(([k, v]) => [k, sessionSchema.safeParse(v)] as const)
        .filter(([, r]) => r.success)
        .map(([k, r]) => [k, r.data as Session] as const)
        .sort((a, b) => a[1].updatedAt.localeCompare(b[1].updatedAt));
      for (const [k, s] of entries) if (!this.map.has(k)) this.map.set(k, s);
      await fs.rm(legacy);
      return true;
    } catch (err) {
      await fs.rename(legacy, `${legacy}.corrupt-${stamp}`);
      this.opts.warn?.('sessions.json could not be read; moved aside', { err: (err as Error).message });
      this.damaged++;
      return false;
    }
  }

  async get(key: string): Promise<Session | undefined> {
    const s = this.map.get(key);
    if (!s) return undefined;
    if (this.expired(s, this.clock.nowMs())) {
      this.map.delete(key);
      this.journal.append({ k: key, d: 1 });
      return undefined;
    }
    // Touch: the most recently used sessions sit at the end, so eviction and expiry start at the front.
    this.map.delete(key);
    this.map.set(key, s);
    return s;
  }

  async set(key: string, session: Session): Promise<void> {
    this.map.delete(key);
    this.map.set(key, session);
    this.journal.append({ k: key, s: session });
    this.dropExpired(2);
    while (this.map.size > this.opts.maxSessions) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.journal.append({ k: oldest, d: 1 });
    }
    this.warnNearCap();
    if (this.journal.needsCompaction()) void this.compact();
  }

  async delete(key: string): Promise<boolean> {
    const had = this.map.delete(key);
    // Erasure is acknowledged to the person: it is on disk before this resolves.
    await this.journal.appendDurable({ k: key, d: 1 });
    return had;
  }

  async size(): Promise<number> {
    return this.map.size;
  }

  /** Every live session, least recently used first (`npm run db -- import-files`). */
  entries(): Array<[string, Session]> {
    const now = this.clock.nowMs();
    return [...this.map].filter(([, s]) => !this.expired(s, now));
  }

  withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(key, task);
  }

  async flush(): Promise<void> {
    await this.journal.flush();
  }

  async close(): Promise<void> {
    await this.queue.drain();
    await this.journal.close();
  }

  async health(): Promise<StoreHealth> {
    if (this.journal.lastError) return { state: 'degraded', detail: `sessions: cannot write (${this.journal.lastError})` };
    if (this.damaged) return { state: 'degraded', detail: `sessions: ${this.damaged} damaged record(s) set aside` };
    return { state: 'ok' };
  }

  private expired(s: Session, now: number): boolean {
    const t = Date.parse(s.updatedAt);
    return !Number.isFinite(t) || now - t > this.ttlMs;
  }

  /** Drops expired sessions from the front (least recently used first), at most `max` of them. */
  private dropExpired(max: number): void {
    const now = this.clock.nowMs();
    for (const [k, s] of this.map) {
      if (max-- <= 0 || !this.expired(s, now)) return;
      this.map.delete(k);
      this.journal.append({ k, d: 1 });
    }
  }

  private warnNearCap(): void {
    if (this.map.size < this.opts.maxSessions * 0.8) return;
    const now = this.clock.monotonicMs();
    if (now - this.lastCapWarning < 3_600_000) return;
    this.lastCapWarning = now;
    this.opts.warn?.(
      'sessions are near SESSIONS_MAX: the least recently used conversations will be forgotten. Several instances or more conversations need DATABASE_URL (PostgreSQL).',
      { sessions: this.map.size, max: this.opts.maxSessions },
    );
  }

  private compact(): Promise<void> {
    const records: SessionRecord[] = [];
    for (const [k, s] of this.map) records.push({ k, s });
    return this.journal.compact(records);
  }
}
