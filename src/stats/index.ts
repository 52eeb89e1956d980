import path from 'node:path';
import type { StatsSkill, TurnContext } from '../core/context.ts';
import type { TurnResult } from '../domain/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { StoreHealth } from '../storage/types.ts';
import type { Clock } from '../time/clock.ts';
import { buildAnswer, hasMemo } from './answer/index.ts';
import { type Areas, loadAreas, loadPlaces } from './areas.ts';
import { type Catalog, loadCatalog } from './catalog.ts';
import { readMessage } from './read.ts';
import { AreaIndex, FuzzyIndex, type Resolution, resolveQuestion } from './resolve/index.ts';
import { statsScore } from './score.ts';
import { StatsStore } from './store.ts';
import { loadWords } from './words.ts';

export { formatValue, readMemo, type StatsMemo } from './answer/index.ts';
export { type Area, type Areas, loadAreas } from './areas.ts';
export { type Catalog, type Indicator, loadCatalog } from './catalog.ts';
export { CsvSyntaxError, parseCsv, toCsv } from './csv.ts';
export { CSV_COLUMNS, type FigureRow, figuresToCsv, type RowError, type StoredFigure, validateCsv } from './rows.ts';
export { ImportRejected, type ImportSummary, StatsStore } from './store.ts';

export interface StatsSkillOptions {
  /** Where stats.jsonl lives (DATA_DIR). */
  dataDir: string;
  /** Where areas.csv and stats.csv (the seed, last good data) live: <project>/data. */
  seedDir: string;
  /** Knowledge root; the catalogue is <knowledgeDir>/stats/indicators.yaml. */
  knowledgeDir: string;
  logger: Logger;
  /** The program's clock (import timestamps); the system clock when omitted. */
  clock?: Clock;
  /**
   * Opens the figures' store (files or PostgreSQL, chosen by the composition root); the file store under
   * `dataDir` when omitted.
   */
  openStore?: (deps: { seedDir: string; catalog: Catalog; areas: Areas }) => Promise<StatsStore>;
}

export type StatsSkillHandle = StatsSkill & {
  close(): Promise<void>;
  health(): Promise<StoreHealth>;
  store: StatsStore;
  catalog: Catalog;
  areas: Areas;
  /** How the skill reads a message (for debugging and the admin console). */
  resolve(ctx: TurnContext): Resolution;
};

/**
 * The statistics skill: a store of sourced figures and a reader of officials' questions. It reads the
 * NLU's understanding of a message (never the raw text), answers from the store, and keeps what a
 * follow-up needs in its own slice of the session. Load failures of the store never crash start-up
 * (a damaged file is set aside and reported); a broken catalogue, word list or area list does throw,
 * naming the file, because they are shipped with the code.
 */
export async function createStatsSkill(opts: StatsSkillOptions): Promise<StatsSkillHandle> {
  const { catalog, areas, words } = takeStatsFiles(opts.knowledgeDir, opts.seedDir);
  const places = loadPlaces(opts.knowledgeDir, areas);
  const store: StatsStore = opts.openStore
    ? await opts.openStore({ seedDir: opts.seedDir, catalog, areas })
    : await StatsStore.open({
        dataDir: opts.dataDir,
        seedDir: opts.seedDir,
        catalog,
        areas,
        logger: opts.logger,
        clock: opts.clock,
      });
  const index = new AreaIndex(areas, places, catalog.abbreviations);
  const deps = { catalog, words, index, fuzzy: new FuzzyIndex(catalog) };
  const vocabulary = new Set([...catalog.vocabulary, ...words.vocabulary, ...index.vocabulary]);
  // score() and answer() receive the same context object for one message: read it once.
  const cache = new WeakMap<TurnContext, Resolution>();

  const resolve = (ctx: TurnContext): Resolution => {
    const hit = cache.get(ctx);
    if (hit) return hit;
    const reading = readMessage(ctx.nlu, vocabulary, catalog.abbreviations);
    const r = resolveQuestion(reading, ctx.nlu, deps, ctx.now, hasMemo(ctx.session));
    cache.set(ctx, r);
    return r;
  };

  /** Button payload `stats:trend:<indicator>:<area>`: the series as a list and a chart. */
  const fromPayload = (ctx: TurnContext): Resolution | null => {
    const m = /^stats:trend:([a-z0-9_]+):([a-z0-9-]+)$/.exec(ctx.incoming.payload ?? '');
    const ind = m ? catalog.indicators.get(m[1]) : undefined;
    const area = m ? areas.byId.get(m[2]) : undefined;
    if (!ind || !area) return null;
    const empty = { original: '', normalized: '', folded: '', matchText: '', tokens: [] } as unknown as TurnContext['nlu'];
    const base = resolveQuestion({ tokens: [], dates: [], original: '', typed: '' }, empty, deps, ctx.now, false);
    return { ...base, indicators: [ind], strongMatch: true, areas: [[area]], trend: true, followUp: false };
  };

  const score = (ctx: TurnContext): number => {
    if (ctx.incoming.payload?.startsWith('stats:')) return fromPayload(ctx) ? 1 : 0;
    return statsScore(resolve(ctx), words, ctx.session.topic === 'statistics');
  };

  const answer = async (ctx: TurnContext): Promise<TurnResult | null> => {
    try {
      await store.refreshIfChanged();
    } catch (err) {
      opts.logger.warn({ err: (err as Error).message }, 'statistics store could not be re-read; answering from memory');
    }
    const answerDeps = { store, catalog, areas, words };
    if (ctx.incoming.payload?.startsWith('stats:')) {
      const r = fromPayload(ctx);
      return r ? buildAnswer(ctx, r, answerDeps) : null;
    }
    return buildAnswer(ctx, resolve(ctx), answerDeps);
  };

  return {
    score,
    answer,
    importCsv: (csv: string) => store.importCsv(csv),
    resolve,
    store,
    catalog,
    areas,
    health: () => store.health(),
    async close() {
      // Imports are written durably when they happen; wait for one in progress.
      await store.close();
    },
  };
}

/**
 * Every word of the statistics catalogue, word lists, area names and places. Why: the NLU's spelling
 * corrector does not know them and "corrects" some ("ninh" → "nien", "biểu" → "biết"); adding these to
 * its vocabulary (where the language kit is built) stops that at the source.
 */
export function statsVocabulary(knowledgeDir: string, seedDir: string): string[] {
  const files = {
    dirs: `${knowledgeDir}\u0000${seedDir}`,
    catalog: loadCatalog(knowledgeDir),
    areas: loadAreas(seedDir),
    words: loadWords(knowledgeDir),
  };
  handedOver = files;
  const { catalog, areas } = files;
  const index = new AreaIndex(areas, loadPlaces(knowledgeDir, areas), catalog.abbreviations);
  return [...new Set([...catalog.vocabulary, ...files.words.vocabulary, ...index.vocabulary])].filter((w) => /^[a-z]+$/.test(w));
}

/**
 * The statistics files read by the last {@link statsVocabulary}, handed to the next {@link createStatsSkill} on the
 * same folders and then dropped. Why: start-up read and validated the catalogue, areas and words twice.
 */
let handedOver:
  | { dirs: string; catalog: ReturnType<typeof loadCatalog>; areas: ReturnType<typeof loadAreas>; words: ReturnType<typeof loadWords> }
  | undefined;

function takeStatsFiles(knowledgeDir: string, seedDir: string) {
  const files = handedOver;
  handedOver = undefined;
  if (files && files.dirs === `${knowledgeDir}\u0000${seedDir}`) return files;
  return { catalog: loadCatalog(knowledgeDir), areas: loadAreas(seedDir), words: loadWords(knowledgeDir) };
}

/** Default locations inside the project (for scripts): data/ and knowledge/. */
export function defaultStatsPaths(projectRoot: string): { seedDir: string; knowledgeDir: string } {
  return { seedDir: path.join(projectRoot, 'data'), knowledgeDir: path.join(projectRoot, 'knowledge') };
}
