import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type pg from 'pg';
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../time/clock.ts';
import { StoreUnavailableError } from '../errors.ts';
import type { StoreHealth } from '../types.ts';
import { redactDatabaseUrl } from './redact.ts';
import { Semaphore } from './semaphore.ts';

const requireHere = createRequire(import.meta.url);
let pgDriver: typeof pg | undefined;
/**
 * The pg driver, loaded when the first database is opened. Why: a deployment on files (the default) should not
 * pay for it at start-up (about 100 ms and 14 MB).
 */
function driver(): typeof pg {
  pgDriver ??= requireHere('pg') as typeof pg;
  return pgDriver;
}

/** How an instance connects to PostgreSQL (`DATABASE_URL`, `DATABASE_POOL_MAX`, `DATABASE_CONNECT_TIMEOUT_MS`). */
export interface PgDatabaseOptions {
  url: string;
  /** Connections of the main pool (durable writes, conversation turns). */
  poolMax: number;
  /** Longest wait for a new connection before the request is answered 503. */
  connectTimeoutMs: number;
  clock: Clock;
  logger: Logger;
  /** Shown in `pg_stat_activity`, so an operator can tell the bot's connections apart. */
  applicationName?: string;
  /** Longest wait for a free connection of this process (queued in order); default 30 s. */
  queueWaitMs?: number;
}

/** Connections of the relaxed pool (rate counters, sweeps). */
const RELAXED_POOL_MAX = 4;

/** Advisory lock namespaces (the first key of `pg_advisory_lock(int, int)`), one per kind of lock. */
export const LOCK_NS = {
  session: 71_001,
  leader: 71_002,
  secret: 71_003,
  migrate: 71_004,
  stats: 71_005,
} as const;

/** A stable signed 32-bit number for a lock name (collisions only serialise two unrelated names). */
export function lockKey(name: string): number {
  return createHash('sha256').update(name).digest().readInt32BE(0);
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOENT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
  '3D000', // database does not exist (yet)
]);

/** True for an error raised by the database or the driver (not by a caller's own code). */
export function isDatabaseError(err: unknown): boolean {
  return (
    (pgDriver !== undefined && err instanceof pgDriver.DatabaseError) ||
    isConnectionError(err) ||
    (err as { name?: string })?.name === 'StoreUnavailableError'
  );
}

/** True when `err` means the database cannot be reached (as opposed to a refused statement). */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (CONNECTION_CODES.has(code) || code.startsWith('08')) return true;
  const msg = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed|Connection ended|connect ECONN|the database system is|Query read timeout/i.test(
    msg,
  );
}

/**
 * The one PostgreSQL connection of an instance: two pools and the database's availability.
 *
 * - The main pool serves durable work (sessions, de-duplication, secrets, statistics). Callers queue in this
 *   process (a {@link Semaphore}) rather than in the driver, so a burst waits in order instead of failing.
 * - A small second pool runs with `synchronous_commit = off` for counters whose loss in a database crash
 *   costs nothing (rate windows, expiry sweeps): they never wait for a disk flush.
 * - One more connection answers health probes, so `/readyz` stays quick while the other pools are busy.
 *   An instance therefore opens at most `poolMax` + 5 connections (+1 per polled channel it leads).
 * - Errors leave as {@link StoreUnavailableError} with the connection string and password removed. A connection
 *   error marks the database down; {@link available} then probes at most once a second until it answers, so
 *   every instance recovers by itself when the database is back, without a restart.
 */
export class PgDatabase {
  readonly url: string;
  private readonly pool: pg.Pool;
  private readonly relaxedPool: pg.Pool;
  private readonly probePool: pg.Pool;
  private readonly gate: Semaphore;
  private readonly relaxedGate: Semaphore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private down = false;
  private lastOkMono = Number.NEGATIVE_INFINITY;
  private lastProbeMono = Number.NEGATIVE_INFINITY;
  private probing: Promise<boolean> | null = null;
  private lastIdleErrorMono = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly opts: PgDatabaseOptions) {
    this.url = opts.url;
    this.clock = opts.clock;
    this.logger = opts.logger;
    const base: pg.PoolConfig = {
      connectionString: opts.url,
      connectionTimeoutMillis: opts.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: opts.applicationName ?? 'tro-ly-giam-ngheo',
      keepAlive: true,
      statement_timeout: 30_000,
      query_timeout: 35_000,
      idle_in_transaction_session_timeout: 60_000,
    };
    this.pool = new (driver().Pool)({ ...base, max: opts.poolMax });
    this.relaxedPool = new (driver().Pool)({ ...base, max: RELAXED_POOL_MAX, options: '-c synchronous_commit=off' });
    this.probePool = new (driver().Pool)({ ...base, max: 1, statement_timeout: 2_000 });
    for (const p of [this.pool, this.relaxedPool, this.probePool]) {
      // An idle connection closed by a database restart must not take the process down.
      p.on('error', (err) => this.onIdleError(err));
    }
    this.gate = new Semaphore(opts.poolMax, opts.queueWaitMs ?? 30_000, 'database connections');
    this.relaxedGate = new Semaphore(RELAXED_POOL_MAX, opts.queueWaitMs ?? 30_000, 'database counter connections');
  }

  /** Size of the main pool. */
  get poolMax(): number {
    return this.opts.poolMax;
  }

  /** Runs one statement on the main pool (durable). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.withClient((c) => c.query<R>(text, params));
  }

  /** Runs one statement on the relaxed pool (`synchronous_commit = off`): for counters whose loss costs nothing. */
  async relaxedQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    const release = await this.relaxedGate.acquire();
    try {
      const r = await this.relaxedPool.query<R>(text, params);
      this.noteOk();
      return r;
    } catch (err) {
      throw this.fail(err);
    } finally {
      release();
    }
  }

  /** Runs `fn` with a main-pool connection held (queued in order when all are busy). */
  async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    const release = await this.gate.acquire();
    let client: pg.PoolClient | undefined;
    let broken: Error | undefined;
    try {
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw this.fail(err);
      }
      try {
        const out = await fn(client);
        this.noteOk();
        return out;
      } catch (err) {
        if (isConnectionError(err)) broken = err as Error;
        // The database's own errors leave as StoreUnavailableError; a caller's error (a task run under a lock)
        // leaves unchanged.
        throw isDatabaseError(err) ? this.fail(err) : err;
      }
    } finally {
      // A connection that failed is destroyed, never handed to the next caller.
      client?.release(broken);
      release();
    }
  }

  /**
   * Runs `fn` inside a transaction: committed when it resolves, rolled back when it throws. Used where several
   * writes must land together (a statistics import, a secret rotation with its previous copy).
   */
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /**
   * A connection outside the pools, for locks held as long as the process lives (polling leadership,
   * migrations). Its errors are swallowed here; the caller watches `end`.
   */
  async connectDedicated(): Promise<pg.Client> {
    this.assertOpen();
    const client = new (driver().Client)({
      connectionString: this.url,
      connectionTimeoutMillis: this.opts.connectTimeoutMs,
      application_name: this.opts.applicationName ?? 'tro-ly-giam-ngheo',
      keepAlive: true,
      query_timeout: 35_000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      this.noteOk();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      throw this.fail(err);
    }
  }

  /** True when `SELECT 1` answers within `timeoutMs` (on a connection of its own, so busy pools do not delay it). */
  async ping(timeoutMs = 1000): Promise<boolean> {
    if (this.closed) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref?.();
    });
    const attempt = this.probePool.query('SELECT 1').then(
      () => true,
      () => false,
    );
    const ok = await Promise.race([attempt, timeout]);
    clearTimeout(timer);
    this.lastProbeMono = this.clock.monotonicMs();
    if (ok) this.noteOk();
    else this.markDown();
    return ok;
  }

  /**
   * Is the database reachable? Quick when it answered in the last two seconds; otherwise one probe (shared by
   * concurrent callers, at most one a second while it is down). Used before accepting webhooks and chat requests,
   * so a platform is told to deliver again later instead of being acknowledged and then failed.
   */
  async available(): Promise<boolean> {
    const now = this.clock.monotonicMs();
    if (!this.down && now - this.lastOkMono < 2_000) return true;
    if (this.down && now - this.lastProbeMono < 1_000) return false;
    this.probing ??= this.ping(1_500).finally(() => {
      this.probing = null;
    });
    return this.probing;
  }

  /** `/readyz`: ok when a probe answers within a second, down otherwise. */
  async health(): Promise<StoreHealth> {
    const ok = await this.ping(1_000);
    return ok ? { state: 'ok' } : { state: 'down', detail: 'PostgreSQL unreachable' };
  }

  /** Closes both pools (waits for connections in use to be returned). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([this.pool.end(), this.relaxedPool.end(), this.probePool.end()]);
  }

  /** Turns any error into a {@link StoreUnavailableError} without secrets, marking the database down if unreachable. */
  fail(err: unknown): StoreUnavailableError {
    if (err instanceof StoreUnavailableError) return err;
    const e = err as { code?: unknown; message?: unknown };
    const code = typeof e?.code === 'string' ? e.code : undefined;
    if (isConnectionError(err)) this.markDown();
    const message = redactDatabaseUrl(typeof e?.message === 'string' ? e.message : String(err), this.url).slice(0, 300);
    return new StoreUnavailableError(`PostgreSQL: ${message}`, code);
  }

  /** Removes the connection string and password from a text (for callers that log). */
  redact(text: string): string {
    return redactDatabaseUrl(text, this.url);
  }

  private noteOk(): void {
    this.lastOkMono = this.clock.monotonicMs();
    if (this.down) {
      this.down = false;
      this.logger.warn('PostgreSQL reachable again: requests are served');
    }
  }

  private markDown(): void {
    if (this.down || this.closed) return;
    this.down = true;
    this.lastProbeMono = this.clock.monotonicMs();
    this.logger.error('PostgreSQL unreachable: chat requests and webhooks are answered 503 until it is back');
  }

  private onIdleError(err: Error): void {
    if (isConnectionError(err)) this.markDown();
    const now = this.clock.monotonicMs();
    if (now - this.lastIdleErrorMono < 10_000) return;
    this.lastIdleErrorMono = now;
    this.logger.warn({ err: this.redact(err.message).slice(0, 200) }, 'an idle PostgreSQL connection was closed');
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('PostgreSQL: connection closed', 'CLOSED');
  }
}
