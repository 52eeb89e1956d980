import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { Session } from '../../domain/types.ts';
import type { Clock } from '../../time/clock.ts';
import { KeyedQueue } from '../../util/keyed-queue.ts';
import type { SessionStore, StoreHealth } from '../types.ts';
import { LOCK_NS, lockKey, type PgDatabase } from './database.ts';
import { Semaphore } from './semaphore.ts';
import { ExpirySweeper } from './sweeper.ts';

/** Options of {@link PgSessionStore}. */
export interface PgSessionStoreOptions {
  /** Minutes of real silence after which a session is forgotten. */
  ttlMinutes: number;
  clock: Clock;
  /** Longest wait for another instance's turn of the same conversation (default 15 s). */
  lockTimeoutMs?: number;
}

/** The turn in progress in this async context: its connection, the row read under the lock and the pending write. */
interface TurnContext {
  key: string;
  client: pg.PoolClient;
  stored: Session | undefined;
  /** undefined: nothing to write; null: erased; a session: written at commit. */
  pending: Session | null | undefined;
}

/**
 * Sessions in the `sessions` table, shared by every instance.
 *
 * Why a turn holds a transaction: the engine runs each turn inside `withLock(key, …)`. Here that is, in order,
 * (1) this process's queue for the key, so a second message of the same conversation waits in memory and not on
 * a connection; (2) a slot of the turn semaphore, sized two below the pool so other work always finds a
 * connection (no pool deadlock under a burst); (3) `BEGIN` and `pg_advisory_xact_lock(session, hash(key))` with
 * a lock timeout, which serialises the conversation across instances; (4) the row read under the lock; (5) the
 * engine's work; (6) the write and `COMMIT` in one round trip. The reply leaves only after the commit, so an
 * acknowledged turn is never lost, and a killed instance's transaction is rolled back and its lock released by
 * the database at once. Reads and writes of the key inside the turn use the turn's own connection (found through
 * AsyncLocalStorage); outside a turn they use the pool.
 *
 * Expiry compares the clock's real time with the stored `updated_ms`; expired rows are ignored at once and
 * deleted in the background.
 */
export class PgSessionStore implements SessionStore {
  private readonly queue = new KeyedQueue();
  private readonly turns: Semaphore;
  private readonly context = new AsyncLocalStorage<TurnContext>();
  private readonly ttlMs: number;
  private readonly lockTimeoutMs: number;
  private readonly sweeper: ExpirySweeper;

  constructor(
    private readonly db: PgDatabase,
    private readonly opts: PgSessionStoreOptions,
  ) {
    this.ttlMs = opts.ttlMinutes * 60_000;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 15_000;
    this.turns = new Semaphore(Math.max(1, db.poolMax - 2), 60_000, 'conversation turns');
    this.sweeper = new ExpirySweeper(
      db,
      opts.clock,
      'DELETE FROM sessions WHERE key IN (SELECT key FROM sessions WHERE updated_ms < $1 LIMIT 5000)',
    );
  }

  withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    const current = this.context.getStore();
    // Re-entrant for the same conversation (an erase inside a turn), never a second lock on the same key.
    if (current?.key === key) return task();
    return this.queue.run(key, () => this.turns.run(() => this.locked(key, task)));
  }

  private locked<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.db.withClient(async (client) => {
      const lit = client.escapeLiteral(key);
      try {
        const results = (await client.query(
          `BEGIN; SELECT set_config('lock_timeout', '${Math.round(this.lockTimeoutMs)}ms', true); ` +
            `SELECT pg_advisory_xact_lock(${LOCK_NS.session}, ${lockKey(key)}); ` +
            `SELECT data, updated_ms FROM sessions WHERE key = ${lit}`,
        )) as unknown as pg.QueryResult[];
        const row = results[3]?.rows[0] as { data: Session; updated_ms: string } | undefined;
        const ctx: TurnContext = { key, client, stored: this.live(row), pending: undefined };
        const result = await this.context.run(ctx, task);
        if (ctx.pending) {
          const s = ctx.pending;
          await client.query(
            `INSERT INTO sessions (key, data, updated_ms) VALUES (${lit}, ${client.escapeLiteral(JSON.stringify(s))}::jsonb, ${this.updatedMs(s)}) ` +
              'ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, updated_ms = EXCLUDED.updated_ms; COMMIT',
          );
        } else {
          await client.query('COMMIT');
        }
        this.sweeper.maybeSweep(this.opts.clock.nowMs() - this.ttlMs);
        return result;
      } catch (err) {
        // Whatever failed (the lock wait, the task, the write), the connection goes back with no transaction open.
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async get(key: string): Promise<Session | undefined> {
    const ctx = this.context.getStore();
    if (ctx?.key === key) {
      if (ctx.pending !== undefined) return ctx.pending ?? undefined;
      return ctx.stored;
    }
    const r = await this.db.query<{ data: Session; updated_ms: string }>('SELECT data, updated_ms FROM sessions WHERE key = $1', [key]);
    return this.live(r.rows[0]);
  }

  async set(key: string, session: Session): Promise<void> {
    const ctx = this.context.getStore();
    if (ctx?.key === key) {
      // Written together with COMMIT at the end of the turn: one round trip, and never half a turn.
      ctx.pending = structuredClone(session);
      return;
    }
    await this.db.query(
      'INSERT INTO sessions (key, data, updated_ms) VALUES ($1, $2::jsonb, $3) ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, updated_ms = EXCLUDED.updated_ms',
      [key, JSON.stringify(session), this.updatedMs(session)],
    );
    this.sweeper.maybeSweep(this.opts.clock.nowMs() - this.ttlMs);
  }

  async delete(key: string): Promise<boolean> {
    const ctx = this.context.getStore();
    if (ctx?.key === key) {
      const r = await ctx.client.query('DELETE FROM sessions WHERE key = $1', [key]);
      const had = (r.rowCount ?? 0) > 0 || (ctx.pending ?? undefined) !== undefined;
      ctx.stored = undefined;
      ctx.pending = null;
      return had;
    }
    // Under the conversation's lock, so an erase never races a turn of another instance that would write it back.
    return this.withLock(key, () => this.delete(key));
  }

  async size(): Promise<number> {
    const r = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM sessions WHERE updated_ms >= $1', [
      this.opts.clock.nowMs() - this.ttlMs,
    ]);
    return Number(r.rows[0]?.n ?? 0);
  }

  async flush(): Promise<void> {
    // Every write is committed before its turn ends: nothing is pending.
  }

  async close(): Promise<void> {
    await this.queue.drain();
  }

  health(): Promise<StoreHealth> {
    return this.db.health();
  }

  /** The stored session, or undefined when absent or expired (real time, as the file store). */
  private live(row: { data: Session; updated_ms: string | number } | undefined): Session | undefined {
    if (!row) return undefined;
    if (this.opts.clock.nowMs() - Number(row.updated_ms) > this.ttlMs) return undefined;
    return row.data;
  }

  private updatedMs(s: Session): number {
    const t = Date.parse(s.updatedAt);
    return Number.isFinite(t) ? Math.round(t) : Math.round(this.opts.clock.nowMs());
  }
}
