import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { PROJECT_ROOT } from '../config.ts';
import { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { buildLanguageKit } from '../knowledge/language-kit.ts';
import { Engine, type TurnObserver } from '../core/engine.ts';
import type { Flow, Services, StatsSkill } from '../core/context.ts';
import { FileSessionStore } from '../storage/file/session-store.ts';
import { MemorySessionStore } from '../storage/memory/session-store.ts';
import type { SessionStore, StoreHealth } from '../storage/types.ts';
import { removeOrphanTempFiles } from '../storage/atomic-file.ts';
import { writeFileAtomicSync } from '../storage/atomic-file.ts';
import type { Logger } from '../observability/logger.ts';
import { FileLearningStore } from '../learning/file-store.ts';
import type { LearningStore } from '../learning/types.ts';
import { clockFor, monotonicMs, type Clock } from '../time/clock.ts';
import { createAdminSkill } from '../learning/admin-skill.ts';
import { statsVocabulary } from '../stats/index.ts';

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
 * Loads knowledge, builds the language kit, opens session and statistics stores and wires the Engine.
 * A broken knowledge file throws a KnowledgeError naming the file, the entry and the field.
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
    const elig = await import('../eligibility/index.ts');
    flows.push(elig.createEligibilityFlow({ knowledgeDir, knowledge }));
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'eligibility flow unavailable');
  }
  let stats: (StatsSkill & { close(): Promise<void>; health?(): Promise<StoreHealth> }) | undefined;
  if (options.withStats !== false) {
    try {
      const mod = await import('../stats/index.ts');
      stats = await mod.createStatsSkill({
        dataDir: config.DATA_DIR,
        seedDir: path.join(PROJECT_ROOT, 'data'),
        knowledgeDir,
        logger,
        clock,
      });
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'statistics unavailable');
    }
  }
  const loadMs = monotonicMs() - started;
  if (options.persistSessions) {
    const removed = await removeOrphanTempFiles(config.DATA_DIR);
    if (removed.length) logger.warn({ files: removed.length }, 'removed temporary files left by a crashed process');
  }
  const sessions: SessionStore = options.persistSessions
    ? await FileSessionStore.open({
        dataDir: config.DATA_DIR,
        ttlMinutes: config.SESSION_TTL_MINUTES,
        maxSessions: config.SESSIONS_MAX,
        clock,
        warn: (msg, extra) => logger.warn(extra ?? {}, msg),
      })
    : new MemorySessionStore();
  const learning = options.persistSessions
    ? await FileLearningStore.open(config.DATA_DIR, (msg, extra) => logger.warn(extra ?? {}, msg), clock)
    : undefined;
  const services: Services = { knowledge, language, stats, admin: learning ? createAdminSkill(learning) : undefined };
  const salt = options.persistSessions ? loadSalt(config, logger) : 'batch';
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
    async storeHealth() {
      const out = [{ name: 'sessions', ...(await sessions.health()) }];
      if (learning) out.push({ name: 'learning', ...(await learning.health()) });
      if (stats?.health) out.push({ name: 'statistics', ...(await stats.health()) });
      return out;
    },
    async close() {
      await engine.drain();
      await sessions.close();
      await learning?.close();
      await stats?.close();
    },
  };
}
