import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { PROJECT_ROOT } from '../config.ts';
import { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { buildLanguageKit } from '../nlu/language-kit.ts';
import { Engine, type TurnObserver } from '../core/engine.ts';
import type { Flow, Services, StatsSkill } from '../core/context.ts';
import { FileSessionStore, MemorySessionStore, type SessionStore } from '../storage/session-store.ts';
import { writeFileAtomicSync } from '../storage/atomic-file.ts';
import type { Logger } from '../observability/logger.ts';
import { LearningStore } from '../learning/learning-store.ts';
import { clockFor, monotonicMs, type Clock } from '../time/clock.ts';

/** The assembled core, shared by the server, the CLI and the tests. */
export interface Core {
  engine: Engine;
  services: Services;
  sessions: SessionStore;
  flows: Flow[];
  /** Milliseconds spent loading knowledge and building indexes. */
  loadMs: number;
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
export function loadSalt(config: Pick<Config, 'USER_ID_SALT' | 'DATA_DIR'>): string {
  if (config.USER_ID_SALT) return config.USER_ID_SALT;
  const file = path.join(config.DATA_DIR, 'salt.txt');
  if (existsSync(file)) {
    const s = readFileSync(file, 'utf8').trim();
    if (s.length >= 16) return s;
  }
  const salt = randomBytes(24).toString('hex');
  writeFileAtomicSync(file, salt);
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
  const language = buildLanguageKit(knowledge, knowledgeDir);
  const flows: Flow[] = [];
  try {
    const elig = await import('../eligibility/index.ts');
    flows.push(elig.createEligibilityFlow({ knowledgeDir, knowledge }));
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'eligibility flow unavailable');
  }
  let stats: (StatsSkill & { close(): Promise<void> }) | undefined;
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
  const sessions: SessionStore = options.persistSessions
    ? await FileSessionStore.open(
        config.DATA_DIR,
        config.SESSION_TTL_MINUTES,
        (msg, extra) => logger.warn(extra ?? {}, msg),
        undefined,
        clock,
      )
    : new MemorySessionStore();
  const learning = options.persistSessions
    ? await LearningStore.open(config.DATA_DIR, (msg, extra) => logger.warn(extra ?? {}, msg))
    : undefined;
  const services: Services = { knowledge, language, stats, learning };
  const salt = options.persistSessions ? loadSalt(config) : 'batch';
  const observers = [...(learning ? [learning.observer] : []), ...(options.observers ?? [])];
  const engine = new Engine({ services, sessions, flows, salt, clock, observers, cacheSize: config.ANSWER_CACHE_SIZE });
  return {
    engine,
    services,
    sessions,
    flows,
    loadMs,
    async close() {
      await engine.drain();
      await sessions.close();
      await learning?.flush();
      await stats?.close();
    },
  };
}
