import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { FileLearningStore } from '../learning/file-store.ts';
import { PgLearningStore } from '../learning/pg-store.ts';
import type { LearningStore } from '../learning/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { Areas } from '../stats/areas.ts';
import type { Catalog } from '../stats/catalog.ts';
import { PgStatsStore } from '../stats/pg-store.ts';
import { FileStatsStore, type StatsStore } from '../stats/store.ts';
import { removeOrphanTempFiles, writeFileAtomicSync } from '../storage/atomic-file.ts';
import { fileChannelStores } from '../storage/file/channel-stores.ts';
import { FileSessionStore } from '../storage/file/session-store.ts';
import { MemorySessionStore } from '../storage/memory/session-store.ts';
import { pgChannelStores } from '../storage/pg/channel-stores.ts';
import { PgDatabase } from '../storage/pg/database.ts';
import { migrate } from '../storage/pg/migrate.ts';
import { describeDatabaseUrl } from '../storage/pg/redact.ts';
import { PgSessionStore } from '../storage/pg/session-store.ts';
import type { ChannelStores, SessionStore, StoreHealth } from '../storage/types.ts';
import type { Clock } from '../time/clock.ts';
import { sleep } from '../util/sleep.ts';

/** One line of `/readyz`'s `stores`. */
export type NamedHealth = { name: string } & StoreHealth;

/** What the statistics store is validated against (loaded by the statistics skill from the knowledge folder). */
export interface StatsStoreDeps {
  seedDir: string;
  catalog: Catalog;
  areas: Areas;
}

/**
 * Every store of the bot, opened in one place from the configuration: files under `DATA_DIR` (the default of
 * `npm start`, one machine) or PostgreSQL when `DATABASE_URL` is set (several instances behind a load balancer).
 * The engine, the server, the channels and the commands receive this bundle and never ask which it is.
 */
export interface Stores {
  readonly kind: 'file' | 'postgres';
  /** Conversation sessions (in memory only for one-shot batch runs). */
  readonly sessions: SessionStore;
  /** The editors' inbox and usage figures (absent in batch runs). */
  readonly learning?: LearningStore;
  /** De-duplication, long button payloads, rotated secrets, rate counters and polling leadership. */
  readonly channels: ChannelStores;
  /** The salt that hashes conversation ids: one per deployment, shared by every instance on a database. */
  readonly salt: string;
  /** The database, when `kind` is `postgres` (commands that manage it). */
  readonly db?: PgDatabase;
  /** Opens the statistics store (the statistics skill knows the catalogue and areas it validates against). */
  openStats(deps: StatsStoreDeps): Promise<StatsStore>;
  /** Is the shared database reachable right now? Always true on files. Cheap when it answered recently. */
  available(): Promise<boolean>;
  /** Health of what the bundle itself holds (the database connection), for /readyz. */
  health(): Promise<NamedHealth[]>;
  /** Closes what the bundle opened (the database pools); the stores themselves are closed by their users first. */
  close(): Promise<void>;
}

/** How {@link openStores} opens the bundle. */
export interface OpenStoresOptions {
  /** One-shot batch runs (`ask --jsonl`): sessions in memory, no learning store, no salt file written. */
  ephemeral?: boolean;
}

/** A salt for hashing conversation ids: from the environment, or generated once and kept under DATA_DIR. */
export function loadSalt(config: Pick<Config, 'USER_ID_SALT' | 'DATA_DIR'>, logger?: Logger): string {
  if (config.USER_ID_SALT) return config.USER_ID_SALT;
  const file = path.join(config.DATA_DIR, 'salt.txt');
  if (existsSync(file)) {
    const s = readFileSync(file, 'utf8').trim();
    if (s.length >= 16) return s;
    // A replaced salt makes every stored conversation unreachable: never do it silently.
    logger?.warn(
      { file: 'salt.txt', length: s.length },
      'salt.txt is too short (under 16 characters); a new salt replaces it and earlier conversations are forgotten',
    );
  }
  const salt = randomBytes(24).toString('hex');
  writeFileAtomicSync(file, salt, 0o600);
  return salt;
}

/**
 * The salt shared by every instance on a database: `USER_ID_SALT` when set, otherwise the one kept in
 * `app_settings` (created by the first instance, atomically, so two instances starting together agree).
 * Why it matters: instances with different salts would store a conversation under different keys, and a
 * follow-up reaching the other instance would find no context.
 */
export async function sharedSalt(db: PgDatabase, config: Pick<Config, 'USER_ID_SALT'>, clock: Clock, fallback?: string): Promise<string> {
  if (config.USER_ID_SALT) return config.USER_ID_SALT;
  await db.query('INSERT INTO app_settings (name, value, updated_ms) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [
    'user_id_salt',
    fallback ?? randomBytes(24).toString('hex'),
    Math.round(clock.nowMs()),
  ]);
  const r = await db.query<{ value: string }>('SELECT value FROM app_settings WHERE name = $1', ['user_id_salt']);
  return r.rows[0].value;
}

/**
 * Opens the PostgreSQL connection of this process and brings the schema up to date (under the migration lock).
 * A database that does not answer at start is tried again for a minute, then start-up stops with a message that
 * names the server but never the password.
 */
export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX' | 'DATABASE_CONNECT_TIMEOUT_MS'>,
  clock: Clock,
  logger: Logger,
  opts: { migrate?: boolean; startWaitMs?: number; poolMax?: number } = {},
): Promise<PgDatabase> {
  const url = config.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const db = new PgDatabase({
    url,
    poolMax: opts.poolMax ?? config.DATABASE_POOL_MAX,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    clock,
    logger,
  });
  if (opts.migrate === false) return db;
  const deadline = clock.monotonicMs() + (opts.startWaitMs ?? 60_000);
  for (let attempt = 1; ; attempt++) {
    try {
      const { applied } = await migrate(db, logger);
      if (applied.length) logger.info({ applied }, 'database schema updated');
      return db;
    } catch (err) {
      const message = db.redact((err as Error).message);
      const unreachable = (err as { name?: string }).name === 'StoreUnavailableError';
      if (!unreachable || clock.monotonicMs() > deadline) {
        await db.close();
        throw new Error(`PostgreSQL (${describeDatabaseUrl(url)}): ${message}`);
      }
      logger.warn({ attempt, err: message.slice(0, 200) }, 'PostgreSQL not reachable at start; retrying');
      await sleep(2_000);
    }
  }
}

/**
 * Opens every store from the configuration: PostgreSQL when `DATABASE_URL` is set, files under `DATA_DIR`
 * otherwise. Stored times come from `clock.nowMs()`, intervals from `clock.monotonicMs()`.
 */
export async function openStores(config: Config, clock: Clock, logger: Logger, opts: OpenStoresOptions = {}): Promise<Stores> {
  const warn = (message: string, extra?: Record<string, unknown>) => logger.warn(extra ?? {}, message);
  if (!config.DATABASE_URL) {
    if (!opts.ephemeral) {
      const removed = await removeOrphanTempFiles(config.DATA_DIR);
      if (removed.length) logger.warn({ files: removed.length }, 'removed temporary files left by a crashed process');
    }
    const sessions: SessionStore = opts.ephemeral
      ? new MemorySessionStore()
      : await FileSessionStore.open({
          dataDir: config.DATA_DIR,
          ttlMinutes: config.SESSION_TTL_MINUTES,
          maxSessions: config.SESSIONS_MAX,
          clock,
          warn,
        });
    const learning = opts.ephemeral ? undefined : await FileLearningStore.open(config.DATA_DIR, warn, clock);
    return {
      kind: 'file',
      sessions,
      learning,
      channels: fileChannelStores(config.DATA_DIR, clock, { warn }),
      salt: opts.ephemeral ? 'batch' : loadSalt(config, logger),
      openStats: (deps) => FileStatsStore.open({ dataDir: config.DATA_DIR, ...deps, logger, clock }),
      available: async () => true,
      health: async () => [],
      close: async () => undefined,
    };
  }
  const db = await openDatabase(config, clock, logger, { poolMax: opts.ephemeral ? 4 : undefined });
  try {
    const salt = opts.ephemeral ? 'batch' : await sharedSalt(db, config, clock);
    logger.info({ database: describeDatabaseUrl(config.DATABASE_URL) }, 'stores on PostgreSQL');
    return {
      kind: 'postgres',
      db,
      sessions: opts.ephemeral ? new MemorySessionStore() : new PgSessionStore(db, { ttlMinutes: config.SESSION_TTL_MINUTES, clock }),
      learning: opts.ephemeral ? undefined : new PgLearningStore(db, clock, logger),
      channels: pgChannelStores(db, clock, logger),
      salt,
      openStats: (deps) => PgStatsStore.open({ db, ...deps, logger, clock }),
      available: () => db.available(),
      health: async () => [{ name: 'database', ...(await db.health()) }],
      close: () => db.close(),
    };
  } catch (err) {
    await db.close();
    throw new Error(db.redact((err as Error).message));
  }
}

/** The statistics store alone (`npm run stats`), on the configured backend; `close` releases the database too. */
export async function openStatsStore(
  config: Config,
  clock: Clock,
  logger: Logger,
  deps: StatsStoreDeps,
): Promise<{ store: StatsStore; close(): Promise<void> }> {
  if (!config.DATABASE_URL) {
    const store = await FileStatsStore.open({ dataDir: config.DATA_DIR, ...deps, logger, clock });
    return { store, close: () => store.close() };
  }
  const db = await openDatabase(config, clock, logger, { poolMax: 4 });
  try {
    const store = await PgStatsStore.open({ db, ...deps, logger, clock });
    return {
      store,
      close: async () => {
        await store.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** The learning store alone (`npm run inbox`), on the configured backend. */
export async function openLearningStore(
  config: Config,
  clock: Clock,
  logger: Logger,
): Promise<{ store: LearningStore; close(): Promise<void> }> {
  if (!config.DATABASE_URL) {
    const store = await FileLearningStore.open(config.DATA_DIR, (m, e) => logger.warn(e ?? {}, m), clock);
    return { store, close: () => store.close() };
  }
  const db = await openDatabase(config, clock, logger, { poolMax: 4 });
  const store = new PgLearningStore(db, clock, logger);
  return {
    store,
    close: async () => {
      await store.close();
      await db.close();
    },
  };
}
