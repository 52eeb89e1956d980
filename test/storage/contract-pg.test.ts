import { afterAll, beforeAll, describe, it } from 'vitest';
import { PgLearningStore } from '../../src/learning/pg-store.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { loadAreas } from '../../src/stats/areas.ts';
import { loadCatalog } from '../../src/stats/catalog.ts';
import { PgStatsStore } from '../../src/stats/pg-store.ts';
import { PgDedupStore, PgLeadership, PgPayloadStore, PgRateCounter, PgSecretStore } from '../../src/storage/pg/channel-stores.ts';
import { PgDatabase } from '../../src/storage/pg/database.ts';
import { migrate } from '../../src/storage/pg/migrate.ts';
import { PgSessionStore } from '../../src/storage/pg/session-store.ts';
import { type Clock, systemClock } from '../../src/time/clock.ts';
import { createTestDatabase, pgSkipReason, TEST_DATABASE_URL } from '../helpers/pg.ts';
import { KNOWLEDGE_DIR, SEED_DIR } from '../stats/helpers.ts';
import {
  runDedupStoreContract,
  runLeadershipContract,
  runPayloadStoreContract,
  runRateCounterContract,
  runSecretStoreContract,
} from './contract/channel.ts';
import { runLearningStoreContract } from './contract/learning.ts';
import { runSessionStoreContract } from './contract/sessions.ts';
import { runStatsStoreContract } from './contract/stats.ts';

/**
 * The same store contract suites against PostgreSQL, when TEST_DATABASE_URL is set (CI always sets it; locally
 * they skip with a message). Every test gets empty tables; `reopen` is a second connection pool, as another
 * instance would have.
 */

const skip = pgSkipReason();
let url = '';
let drop: (() => Promise<void>) | undefined;
const pools: PgDatabase[] = [];

const open = (clock: Clock = systemClock, poolMax = 6) => {
  const db = new PgDatabase({ url, poolMax, connectTimeoutMs: 3000, clock, logger: silentLogger() });
  pools.push(db);
  return db;
};

/** Empties every table (a fresh store) and closes the pools of the previous test. */
async function fresh(clock: Clock): Promise<PgDatabase> {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  const db = open(clock);
  await db.query(
    'TRUNCATE sessions, dedup_marks, payloads, secrets, rate_windows, inbox_items, usage_counts, stats_figures, app_settings RESTART IDENTITY',
  );
  await db.query('UPDATE stats_state SET generation = 0, seeded_ms = NULL WHERE id = 1');
  return db;
}
const cleanup = async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
};

if (skip) {
  describe.skip(`PostgreSQL store contracts (${skip})`, () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
} else {
  beforeAll(async () => {
    const created = await createTestDatabase(TEST_DATABASE_URL as string, 'contract');
    url = created.url;
    drop = created.drop;
    const db = open();
    await migrate(db);
    // Starting twice (a second instance) finds nothing to do.
    await migrate(open());
    await cleanup();
  });
  afterAll(async () => {
    await cleanup();
    await drop?.();
  });

  runSessionStoreContract('PostgreSQL', {
    shared: true,
    make: async (clock, ttlMinutes) => {
      const db = await fresh(clock);
      return {
        store: new PgSessionStore(db, { ttlMinutes, clock }),
        reopen: async () => new PgSessionStore(open(clock), { ttlMinutes, clock }),
        cleanup,
      };
    },
  });

  runDedupStoreContract('PostgreSQL', {
    shared: true,
    make: async (clock) => {
      const db = await fresh(clock);
      return { store: new PgDedupStore(db, clock), reopen: async () => new PgDedupStore(open(clock), clock), cleanup };
    },
  });

  runPayloadStoreContract('PostgreSQL', {
    make: async (clock) => {
      const db = await fresh(clock);
      return { store: new PgPayloadStore(db, clock), reopen: async () => new PgPayloadStore(open(clock), clock), cleanup };
    },
  });

  runSecretStoreContract('PostgreSQL', {
    shared: true,
    make: async (clock) => {
      const db = await fresh(clock);
      const validate = (v: unknown) => typeof (v as { v?: unknown }).v === 'number';
      return {
        store: new PgSecretStore<{ v: number }>(db, clock, 'zalo-oa-tokens', { validate }),
        reopen: async () => new PgSecretStore<{ v: number }>(open(clock), clock, 'zalo-oa-tokens', { validate }),
        damageCurrent: async () => {
          await db.query(`UPDATE secrets SET current_doc = '{"v": "garbage' WHERE name = 'zalo-oa-tokens'`);
        },
        cleanup,
      };
    },
  });

  runRateCounterContract('PostgreSQL', {
    shared: true,
    make: async (clock) => {
      const db = await fresh(clock);
      return { store: new PgRateCounter(db, clock), reopen: async () => new PgRateCounter(open(clock), clock), cleanup };
    },
  });

  runLeadershipContract('PostgreSQL', {
    exclusive: true,
    make: async () => {
      const db = await fresh(systemClock);
      const opts = { retryMs: 100, heartbeatMs: 500 };
      return {
        store: new PgLeadership(db, systemClock, silentLogger(), opts),
        reopen: async () => new PgLeadership(open(), systemClock, silentLogger(), opts),
        cleanup,
      };
    },
  });

  runLearningStoreContract('PostgreSQL', {
    make: async (clock) => {
      const db = await fresh(clock);
      return { store: new PgLearningStore(db, clock), reopen: async () => new PgLearningStore(open(clock), clock), cleanup };
    },
  });

  const catalog = loadCatalog(KNOWLEDGE_DIR);
  const areas = loadAreas(SEED_DIR);
  runStatsStoreContract('PostgreSQL', {
    make: async (clock) => {
      const db = await fresh(clock);
      const openStats = (d: PgDatabase) => PgStatsStore.open({ db: d, seedDir: SEED_DIR, catalog, areas, logger: silentLogger(), clock });
      return { store: await openStats(db), reopen: () => openStats(open(clock)), cleanup };
    },
  });
}
