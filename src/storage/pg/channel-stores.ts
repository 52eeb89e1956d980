import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../time/clock.ts';
import { hashEventId } from '../file/dedup-store.ts';
import { DEFAULT_MAX_PAYLOADS, payloadId } from '../file/payload-store.ts';
import { KeyedQueue } from '../../util/keyed-queue.ts';
import { ExpirySweeper } from './sweeper.ts';
import { sleep } from '../../util/sleep.ts';
import type {
  ChannelStores,
  DedupStore,
  Leadership,
  PayloadStore,
  RateCounter,
  RateDecision,
  SecretLoad,
  SecretStore,
  SecretValidator,
} from '../types.ts';
import { LOCK_NS, lockKey, type PgDatabase } from './database.ts';

/**
 * The chat channels' stores on PostgreSQL, shared by every instance: the same interfaces as the file bundle
 * (`fileChannelStores`), so the Telegram and Zalo adapters cannot tell them apart.
 */
export function pgChannelStores(db: PgDatabase, clock: Clock, logger: Logger): ChannelStores {
  const dedup = new PgDedupStore(db, clock);
  const payloads = new PgPayloadStore(db, clock);
  const rates = new PgRateCounter(db, clock);
  const leadership = new PgLeadership(db, clock, logger);
  return {
    dedup,
    payloads,
    secrets: <T>(name: string, validate?: SecretValidator) => {
      if (!/^[a-z0-9][a-z0-9-]{0,60}$/.test(name)) throw new Error(`invalid secret name "${name}"`);
      return new PgSecretStore<T>(db, clock, name, { validate });
    },
    rates,
    leadership,
  };
}

/**
 * Handled platform events in `dedup_marks (scope, id_hash, expires_ms)`. `markNew` is one statement: an insert
 * that, on conflict, only replaces an expired mark, and reports whether it wrote. Two instances given the same
 * update at the same instant race on the primary key; the database lets exactly one of them write, so the update
 * is answered once. Ids are hashed as in the file store; expiry uses the clock's real time.
 */
export class PgDedupStore implements DedupStore {
  private readonly sweeper: ExpirySweeper;

  constructor(
    private readonly db: PgDatabase,
    private readonly clock: Clock,
  ) {
    this.sweeper = new ExpirySweeper(
      db,
      clock,
      'DELETE FROM dedup_marks WHERE ctid IN (SELECT ctid FROM dedup_marks WHERE expires_ms <= $1 LIMIT 10000)',
    );
  }

  async markNew(scope: string, id: string, ttlMs: number): Promise<boolean> {
    const now = Math.round(this.clock.nowMs());
    const r = await this.db.query(
      `INSERT INTO dedup_marks (scope, id_hash, expires_ms) VALUES ($1, $2, $3)
       ON CONFLICT (scope, id_hash) DO UPDATE SET expires_ms = EXCLUDED.expires_ms WHERE dedup_marks.expires_ms <= $4
       RETURNING 1`,
      [scope, hashEventId(id), now + Math.round(ttlMs), now],
    );
    this.sweeper.maybeSweep(now);
    return (r.rowCount ?? 0) > 0;
  }

  async forget(scope: string, id: string): Promise<void> {
    await this.db.query('DELETE FROM dedup_marks WHERE scope = $1 AND id_hash = $2', [scope, hashEventId(id)]);
  }

  /** Live marks of a scope (tests, health). */
  async size(scope: string): Promise<number> {
    const r = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM dedup_marks WHERE scope = $1 AND expires_ms > $2', [
      scope,
      Math.round(this.clock.nowMs()),
    ]);
    return Number(r.rows[0]?.n ?? 0);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}

/**
 * Long button payloads in `payloads (id, payload, used_ms)`, shared so a button sent by one instance works when
 * pressed on another. Ids are the same content hashes as the file store's, so a payload never changes id and
 * known pairs can be cached in memory; `used_ms` is refreshed at most once an hour per id, and beyond 20,000
 * rows the least recently used are removed.
 */
export class PgPayloadStore implements PayloadStore {
  private readonly known = new Map<string, { payload: string; touchedMono: number }>();
  private puts = 0;

  constructor(
    private readonly db: PgDatabase,
    private readonly clock: Clock,
    private readonly maxEntries = DEFAULT_MAX_PAYLOADS,
  ) {}

  async put(payload: string): Promise<string> {
    const id = payloadId(payload);
    const mono = this.clock.monotonicMs();
    const hit = this.known.get(id);
    if (hit && hit.payload === payload && mono - hit.touchedMono < 3_600_000) return id;
    await this.db.query(
      'INSERT INTO payloads (id, payload, used_ms) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload, used_ms = EXCLUDED.used_ms',
      [id, payload, Math.round(this.clock.nowMs())],
    );
    this.remember(id, payload, mono);
    if (++this.puts % 200 === 0) {
      void this.db
        .relaxedQuery('DELETE FROM payloads WHERE id IN (SELECT id FROM payloads ORDER BY used_ms DESC, id OFFSET $1)', [this.maxEntries])
        .catch(() => undefined);
    }
    return id;
  }

  async get(id: string): Promise<string | undefined> {
    const hit = this.known.get(id);
    if (hit) return hit.payload;
    const r = await this.db.query<{ payload: string }>('SELECT payload FROM payloads WHERE id = $1', [id]);
    const payload = r.rows[0]?.payload;
    if (payload !== undefined) this.remember(id, payload, this.clock.monotonicMs() - 3_600_000);
    return payload;
  }

  /** Number of payloads kept (tests). */
  async size(): Promise<number> {
    const r = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM payloads');
    return Number(r.rows[0]?.n ?? 0);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  private remember(id: string, payload: string, touchedMono: number): void {
    this.known.delete(id);
    this.known.set(id, { payload, touchedMono });
    if (this.known.size > 5_000) this.known.delete(this.known.keys().next().value as string);
  }
}

/**
 * Rate counters in `rate_windows (key, start_ms, window_ms, hits)`: one upsert per event opens a new window when
 * the old one has passed, or counts one more hit, and returns the count, so a limit holds across instances. The
 * window is measured on the clock's real time (every instance shares it; a monotonic clock is per process).
 * Counters go through the relaxed pool: losing a minute of counts in a database crash costs nothing.
 */
export class PgRateCounter implements RateCounter {
  private readonly sweeper: ExpirySweeper;

  constructor(
    private readonly db: PgDatabase,
    private readonly clock: Clock,
  ) {
    this.sweeper = new ExpirySweeper(
      db,
      clock,
      'DELETE FROM rate_windows WHERE ctid IN (SELECT ctid FROM rate_windows WHERE start_ms + window_ms < $1 LIMIT 10000)',
    );
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const now = Math.round(this.clock.nowMs());
    const r = await this.db.relaxedQuery<{ hits: number }>(
      `INSERT INTO rate_windows (key, start_ms, window_ms, hits) VALUES ($1, $2, $3, 1)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_windows.start_ms + rate_windows.window_ms <= $2 OR rate_windows.start_ms > $2 THEN 1 ELSE rate_windows.hits + 1 END,
         start_ms = CASE WHEN rate_windows.start_ms + rate_windows.window_ms <= $2 OR rate_windows.start_ms > $2 THEN $2 ELSE rate_windows.start_ms END,
         window_ms = CASE WHEN rate_windows.start_ms + rate_windows.window_ms <= $2 OR rate_windows.start_ms > $2 THEN $3 ELSE rate_windows.window_ms END
       RETURNING hits`,
      [key, now, Math.round(windowMs)],
    );
    this.sweeper.maybeSweep(now);
    const hits = Number(r.rows[0]?.hits ?? 1);
    if (hits <= limit) return 'ok';
    return hits === limit + 1 ? 'first-over' : 'over';
  }
}

/**
 * Rotation locks of this instance (one per database connection), per secret, so an instance never holds two
 * connections waiting on the same database lock. Keyed by the database object, so two of them in one process
 * (tests) behave like two instances and rely on the database lock alone.
 */
const instanceSecretLocks = new WeakMap<PgDatabase, KeyedQueue>();

/**
 * A rotated secret (the Zalo OA tokens) in `secrets (name, current_doc, previous_doc, updated_ms)`. A save keeps
 * the current copy as the previous one only when it is good (a damaged current copy never replaces a good
 * previous one), in one transaction with a row lock. `withLock` holds `pg_advisory_xact_lock(secret, hash(name))`
 * in a transaction for the task's duration, so one instance refreshes and the others, waiting, then read the
 * rotated value (the token manager loads again inside the lock).
 */
export class PgSecretStore<T> implements SecretStore<T> {
  constructor(
    private readonly db: PgDatabase,
    private readonly clock: Clock,
    readonly name: string,
    private readonly opts: { validate?: SecretValidator; lockTimeoutMs?: number } = {},
  ) {}

  async load(): Promise<SecretLoad<T>> {
    const r = await this.db.query<{ current_doc: string | null; previous_doc: string | null }>(
      'SELECT current_doc, previous_doc FROM secrets WHERE name = $1',
      [this.name],
    );
    const row = r.rows[0];
    if (!row || (row.current_doc === null && row.previous_doc === null)) return { status: 'absent' };
    const current = this.read(row.current_doc);
    if (current.kind === 'ok') return { status: 'ok', value: current.value, fromBackup: false };
    const previous = this.read(row.previous_doc);
    if (previous.kind === 'ok') return { status: 'ok', value: previous.value, fromBackup: true };
    const reason = [
      current.kind === 'bad' ? `current copy: ${current.reason}` : 'current copy missing',
      previous.kind === 'bad' ? `previous copy: ${previous.reason}` : 'previous copy missing',
    ].join('; ');
    return { status: 'unreadable', reason };
  }

  async save(value: T): Promise<void> {
    const text = JSON.stringify(value, null, 2);
    await this.db.transaction(async (c) => {
      const r = await c.query<{ current_doc: string | null }>('SELECT current_doc FROM secrets WHERE name = $1 FOR UPDATE', [this.name]);
      const current = r.rows[0] ? this.read(r.rows[0].current_doc) : ({ kind: 'absent' } as const);
      const now = Math.round(this.clock.nowMs());
      if (!r.rows[0]) {
        await c.query('INSERT INTO secrets (name, current_doc, previous_doc, updated_ms) VALUES ($1, $2, NULL, $3)', [
          this.name,
          text,
          now,
        ]);
      } else if (current.kind === 'ok') {
        await c.query('UPDATE secrets SET previous_doc = current_doc, current_doc = $2, updated_ms = $3 WHERE name = $1', [
          this.name,
          text,
          now,
        ]);
      } else {
        await c.query('UPDATE secrets SET current_doc = $2, updated_ms = $3 WHERE name = $1', [this.name, text, now]);
      }
    });
  }

  withLock<R>(task: () => Promise<R>): Promise<R> {
    let queue = instanceSecretLocks.get(this.db);
    if (!queue) {
      queue = new KeyedQueue();
      instanceSecretLocks.set(this.db, queue);
    }
    return queue.run(this.name, () =>
      this.db.withClient(async (c) => {
        await c.query('BEGIN');
        try {
          await c.query(`SELECT set_config('lock_timeout', $1, true)`, [`${this.opts.lockTimeoutMs ?? 30_000}ms`]);
          await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NS.secret, lockKey(this.name)]);
          const out = await task();
          await c.query('COMMIT');
          return out;
        } catch (err) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }),
    );
  }

  private read(doc: string | null): { kind: 'absent' } | { kind: 'bad'; reason: string } | { kind: 'ok'; value: T } {
    if (doc === null) return { kind: 'absent' };
    let value: unknown;
    try {
      value = JSON.parse(doc);
    } catch {
      return { kind: 'bad', reason: 'not valid JSON' };
    }
    if (value === null || typeof value !== 'object') return { kind: 'bad', reason: 'not a JSON object' };
    if (this.opts.validate && !this.opts.validate(value)) return { kind: 'bad', reason: 'unexpected content' };
    return { kind: 'ok', value: value as T };
  }
}

/** Tuning of {@link PgLeadership} (tests shorten it). */
export interface PgLeadershipOptions {
  /** Pause between attempts while another instance leads. Default 2 s (a dead leader is replaced within ~2 s). */
  retryMs?: number;
  /** Interval of the leader's liveness query. Default 5 s. */
  heartbeatMs?: number;
}

/**
 * Who polls a platform, by a session advisory lock `pg_try_advisory_lock(leader, hash(name))` held on a
 * connection of its own. Why a lock and not a lease row: the database releases it the moment the holder's
 * connection ends (a crash or kill -9 closes the socket), so another instance, trying every two seconds, takes
 * over well within 30 s; TCP keepalives on that connection catch a holder whose machine vanished. The leader
 * checks its connection every five seconds and gives up leadership (the `lost` signal) as soon as the database is
 * unreachable, so polling pauses while the database is down and resumes when it is back.
 */
export class PgLeadership implements Leadership {
  private readonly retryMs: number;
  private readonly heartbeatMs: number;
  private lastWarnMono = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: PgDatabase,
    private readonly clock: Clock,
    private readonly logger: Logger,
    opts: PgLeadershipOptions = {},
  ) {
    this.retryMs = opts.retryMs ?? 2_000;
    this.heartbeatMs = opts.heartbeatMs ?? 5_000;
  }

  async acquire(name: string, signal: AbortSignal): Promise<{ lost: AbortSignal; release(): Promise<void> }> {
    const key = lockKey(name);
    for (;;) {
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      let client: Awaited<ReturnType<PgDatabase['connectDedicated']>> | undefined;
      try {
        client = await this.db.connectDedicated();
        await client.query('SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3');
        while (!signal.aborted) {
          const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_NS.leader, key]);
          if (r.rows[0]?.ok) {
            const lease = this.lease(client, key);
            client = undefined;
            return lease;
          }
          await sleep(this.retryMs, signal);
        }
      } catch (err) {
        const now = this.clock.monotonicMs();
        if (now - this.lastWarnMono > 30_000) {
          this.lastWarnMono = now;
          this.logger.warn(
            { lock: name, err: this.db.redact((err as Error).message).slice(0, 200) },
            'polling leadership: database unavailable',
          );
        }
      } finally {
        if (client) await client.end().catch(() => undefined);
      }
      await sleep(this.retryMs, signal);
    }
  }

  private lease(client: Awaited<ReturnType<PgDatabase['connectDedicated']>>, key: number): { lost: AbortSignal; release(): Promise<void> } {
    const lost = new AbortController();
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(beat);
      lost.abort(new Error('polling leadership lost'));
      void client.end().catch(() => undefined);
    };
    client.on('error', end);
    client.on('end', end);
    let checking = false;
    const beat = setInterval(() => {
      if (checking || ended) return;
      checking = true;
      withTimeout(client.query('SELECT 1'), this.heartbeatMs)
        .then((ok) => {
          if (!ok) end();
        })
        .catch(end)
        .finally(() => {
          checking = false;
        });
    }, this.heartbeatMs);
    beat.unref?.();
    return {
      lost: lost.signal,
      release: async () => {
        if (ended) return;
        clearInterval(beat);
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NS.leader, key]).catch(() => undefined);
        ended = true;
        lost.abort(new Error('polling leadership released'));
        await client.end().catch(() => undefined);
      },
    };
  }
}

/** Resolves true when `p` settles in time, false when it does not (a hung connection). */
function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(false), ms);
    t.unref?.();
    p.then(
      () => {
        clearTimeout(t);
        resolve(true);
      },
      (err) => {
        clearTimeout(t);
        reject(err);
      },
    );
  });
}
