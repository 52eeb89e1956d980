import path from 'node:path';
import type { Config } from '../config.ts';
import { PROJECT_ROOT } from '../config.ts';
import { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { buildLanguageKit } from '../knowledge/language-kit.ts';
import { Engine, type TurnObserver } from '../core/engine.ts';
import type { Flow, Services, StatsSkill } from '../core/context.ts';
import type { SessionStore, StoreHealth } from '../storage/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { LearningStore } from '../learning/types.ts';
import { clockFor, monotonicMs, type Clock } from '../time/clock.ts';
import { createAdminSkill } from '../learning/admin-skill.ts';
import { createStatsSkill, statsVocabulary } from '../stats/index.ts';
import { loadSalt, openStores, type Stores } from './stores.ts';
import { createEligibilityFlow } from '../eligibility/index.ts';

export { loadSalt };

/** The assembled core, shared by the server, the CLI and the tests. */
export interface Core {
  engine: Engine;
  services: Services;
  sessions: SessionStore;
  flows: Flow[];
  /** Milliseconds spent loading knowledge and building indexes. */
  loadMs: number;
  /** The editors' inbox and usage figures (absent in batch runs). */
  learning?: LearningStore;
  /** Every store, files or PostgreSQL (see {@link openStores}); closed with the core. */
  stores: Stores;
  /** Health of every store, for /readyz. */
  storeHealth(): Promise<Array<{ name: string; state: 'ok' | 'degraded' | 'down'; detail?: string }>>;
  close(): Promise<void>;
}

export interface CoreOptions {
  /** Keep sessions on disk under DATA_DIR (server, chat) or in memory (one-shot batch runs). */
  persistSessions: boolean;
  /** Load the statistics store (needs DATA_DIR). */
  withStats?: boolean;
  /** The program's clock; by default the system clock with the answer day set by TODAY. */
  clock?: Clock;
  observers?: TurnObserver[];
  /** The stores; opened here from the configuration (files, or PostgreSQL with DATABASE_URL) when absent. */
  stores?: Stores;
}

/**
 * Loads knowledge, builds the language kit, opens the stores (files under DATA_DIR, or PostgreSQL with
 * DATABASE_URL: one bundle, see src/app/stores.ts) and wires the Engine. A broken knowledge file throws a
 * KnowledgeError naming the file, the entry and the field.
 */
export async function buildCore(config: Config, logger: Logger, options: CoreOptions): Promise<Core> {
  const started = monotonicMs();
  const clock = options.clock ?? clockFor(config);
  const knowledgeDir = config.KNOWLEDGE_DIR;
  const knowledge = KnowledgeBase.load(path.join(knowledgeDir, 'policies'));
  // Place and indicator names of the statistics skill are known words for the typo corrector.
  const language = buildLanguageKit(
    knowledge,
    knowledgeDir,
    options.withStats !== false ? statsVocabulary(knowledgeDir, path.join(PROJECT_ROOT, 'data')) : [],
  );
  const flows: Flow[] = [];
  try {
    flows.push(createEligibilityFlow({ knowledgeDir, knowledge }));
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'eligibility flow unavailable');
  }
  const stores = options.stores ?? (await openStores(config, clock, logger, { ephemeral: !options.persistSessions }));
  let stats: (StatsSkill & { close(): Promise<void>; health?(): Promise<StoreHealth> }) | undefined;
  if (options.withStats !== false) {
    try {
      stats = await createStatsSkill({
        dataDir: config.DATA_DIR,
        seedDir: path.join(PROJECT_ROOT, 'data'),
        knowledgeDir,
        logger,
        clock,
        openStore: (deps) => stores.openStats(deps),
      });
    } catch (err) {
      logger.warn({ err: stores.db ? stores.db.redact((err as Error).message) : (err as Error).message }, 'statistics unavailable');
    }
  }
  const loadMs = monotonicMs() - started;
  const sessions: SessionStore = stores.sessions;
  const learning = stores.learning;
  const services: Services = { knowledge, language, stats, admin: learning ? createAdminSkill(learning) : undefined };
  const salt = stores.salt;
  const observers = [...(learning ? [learning.observer] : []), ...(options.observers ?? [])];
  const engine = new Engine({
    services,
    sessions,
    flows,
    salt,
    clock,
    observers,
    cacheSize: config.ANSWER_CACHE_SIZE,
    onError: (err) =>
      logger.error({ err: err.name, frames: err.stack?.split('\n').slice(1, 5).join(' | ') }, 'a turn failed; the person got an apology'),
  });
  return {
    engine,
    services,
    sessions,
    flows,
    loadMs,
    learning,
    stores,
    async storeHealth() {
      // In parallel: on a database each check is a short probe, and /readyz must answer quickly.
      const [own, sessionHealth, learningHealth, statsHealth] = await Promise.all([
        stores.health(),
        sessions.health(),
        learning?.health(),
        stats?.health?.(),
      ]);
      const out = [...own, { name: 'sessions', ...sessionHealth }];
      if (learningHealth) out.push({ name: 'learning', ...learningHealth });
      if (statsHealth) out.push({ name: 'statistics', ...statsHealth });
      return out;
    },
    async close() {
      await engine.drain();
      await sessions.close();
      await learning?.close();
      await stats?.close();
      await stores.close();
    },
  };
}
