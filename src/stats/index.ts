import path from 'node:path';
import type { StatsSkill, TurnContext } from '../core/context.ts';
import type { TurnResult } from '../domain/types.ts';
import type { Logger } from '../observability/logger.ts';
import { buildAnswer } from './answer.ts';
import { loadAreas, loadCatalog, loadPlaces, type Areas, type Catalog } from './catalog.ts';
import { FuzzyIndex, resolveQuestion, type Resolution } from './resolve.ts';
import { StatsStore } from './store.ts';
import { hasPhrase, tokenize } from './text.ts';
import type { Clock } from '../time/clock.ts';
import type { StoreHealth } from '../storage/types.ts';

export { StatsStore, ImportRejected, type ImportSummary } from './store.ts';
export { loadAreas, loadCatalog, type Area, type Areas, type Catalog, type Indicator } from './catalog.ts';
export { parseCsv, toCsv, CsvSyntaxError } from './csv.ts';
export { validateCsv, figuresToCsv, CSV_COLUMNS, type FigureRow, type StoredFigure, type RowError } from './rows.ts';
export { formatValue } from './answer.ts';
export { fold } from './text.ts';

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

const STAT_CUES = [
  'so lieu',
  'thong ke',
  'bao cao',
  'luy ke',
  'toan tinh',
  'ca nuoc',
  'toan quoc',
  'tinh den',
  'ty le',
  'bao nhieu ho',
  'bao nhieu can',
  'bao nhieu nguoi',
  'tong so',
  'ket qua',
  'giai ngan',
  'du no',
  'con bao nhieu',
  'dat bao nhieu',
  'moi nhat',
  'qua cac nam',
  'tren dia ban',
  'cuoi nam',
  'dau nam',
  'giai doan',
  'so voi',
  'tang hay giam',
  'giam duoc',
  'cap duoc',
  'van dong duoc',
  'bao nhieu the',
  'bao nhieu xa',
  'bao nhieu ty',
  'chiem bao nhieu',
  'tung huyen',
  'cac huyen',
  'theo huyen',
  'huyen nao',
  'nhieu nhat',
  'tinh hinh',
  'bao nhieu huyen',
  'bao nhieu dan toc',
  'co bao nhieu',
  'phan tram',
  'nghèo da chieu',
  'ngheo da chieu',
  'dan so',
  'dien tich',
  'kinh phi',
  'von',
];
/** Questions about one's own entitlement ("hộ nghèo vay được bao nhiêu", "tôi có được..."), not about figures of an area. */
const POLICY_CUES = [
  'toi',
  'minh',
  'nha toi',
  'nha minh',
  'nha em',
  'em',
  'tui',
  'nha tui',
  'co duoc',
  'duoc khong',
  'co phai',
  'phai khong',
  'lam sao',
  'the nao',
  'nhu the nao',
  'thu tuc',
  'ho so',
  'dieu kien',
  'lai suat',
  'muc vay',
  'toi da',
  'vay duoc bao nhieu',
  'duoc vay bao nhieu',
  'vay bao nhieu',
  'duoc bao nhieu tien',
  'duoc ho tro bao nhieu',
  'ho tro bao nhieu',
  'xin ho tro',
  'xin vay',
  'xin cap',
  'o dau',
  'bao lau',
  'giay to',
  'can gi',
  'duoc mien',
  'co bi',
  'ai duoc',
  'doi tuong nao',
  'moi thang',
  'muc ho tro',
  'duoc huong',
  'tra lai',
  'tra no',
  'thoi han',
  'hop ly',
  'nen',
  'huong dan',
  'quy trinh',
  'cac buoc',
  'quyet dinh',
  'nghi dinh',
  'thong tu',
  'chuan ngheo',
  'mot nguoi mot thang',
  'nguoi thang',
  'con duoc',
  'dung khong',
  'hay khong',
  'nhan khau',
  'xep loai',
  'ho nay',
  'thuoc dien',
  'co lop',
  'ong a',
  'ba b',
  'gia dinh toi',
];

/**
 * The statistics skill: a lowdb store of sourced figures and a reader of officials' questions.
 * Load failures of the store never crash start-up (a corrupt file is set aside and rebuilt from the seed);
 * a broken catalogue or area list does throw, naming the file, because it is shipped with the code.
 */
export async function createStatsSkill(opts: StatsSkillOptions): Promise<StatsSkillHandle> {
  const catalog = loadCatalog(opts.knowledgeDir);
  const areas = loadAreas(opts.seedDir);
  const store = await StatsStore.open({
    dataDir: opts.dataDir,
    seedDir: opts.seedDir,
    catalog,
    areas,
    logger: opts.logger,
    clock: opts.clock,
  });
  const fuzzy = new FuzzyIndex(catalog);
  const places = loadPlaces(opts.knowledgeDir);
  const cache = new WeakMap<TurnContext, Resolution>();
  const cuePhrases = STAT_CUES.map((c) => tokenize(c));
  const policyPhrases = POLICY_CUES.map((c) => tokenize(c));
  const strongCuePhrases = ['so lieu', 'thong ke', 'bao cao', 'luy ke', 'toan tinh', 'ca nuoc', 'tren dia ban'].map((c) => tokenize(c));

  const resolve = (ctx: TurnContext): Resolution => {
    const hit = cache.get(ctx);
    if (hit) return hit;
    // The raw text keeps dates (31/12/2023) and percent signs intact; folding and the few abbreviations
    // that matter for figures are done here, so the skill does not depend on the NLU's exact normalisation.
    const text = ctx.nlu.original || ctx.incoming.text || ctx.nlu.folded || '';
    const hasSession = !!(ctx.session.indicator || (ctx.session.memo as Record<string, unknown> | undefined)?.stats);
    const r = resolveQuestion(text, catalog, areas, fuzzy, ctx.now, hasSession, places);
    cache.set(ctx, r);
    return r;
  };

  /** Button payload `stats:trend:<indicator>:<area>` (offered under every answer): the series as a list and a chart. */
  const fromPayload = (ctx: TurnContext): Resolution | null => {
    const m = /^stats:trend:([a-z0-9_]+):([a-z0-9-]+)$/.exec(ctx.incoming.payload ?? '');
    const ind = m ? catalog.indicators.get(m[1]) : undefined;
    const area = m ? areas.byId.get(m[2]) : undefined;
    if (!ind || !area) return null;
    const base = resolveQuestion('qua cac nam', catalog, areas, null, ctx.now, false, places);
    return { ...base, indicators: [ind], strongMatch: true, areas: [[area]], trend: true, followUp: false };
  };

  const score = (ctx: TurnContext): number => {
    if (ctx.incoming.payload?.startsWith('stats:')) return fromPayload(ctx) ? 1 : 0;
    const r = resolve(ctx);
    const t = r.tokens;
    let s = 0;
    if (r.strongMatch) s += 0.45;
    else if (r.weakMatch) s += 0.15;
    const cues = cuePhrases.filter((c) => hasPhrase(t, c)).length;
    const strongCues = strongCuePhrases.filter((c) => hasPhrase(t, c)).length;
    s += Math.min(0.4, cues * 0.15 + strongCues * 0.1);
    if (r.areas.length || r.compareAreas.length) s += 0.15;
    if (r.points.length || r.latest) s += 0.15;
    let policy = policyPhrases.filter((c) => hasPhrase(t, c)).length;
    // Yes/no questions ("có ... không", "... đúng không") ask about rules, not figures.
    if (t[t.length - 1] === 'khong' || t[t.length - 1] === 'chua') policy++;
    const statFrame =
      r.areas.length > 0 ||
      r.points.length > 0 ||
      hasPhrase(t, tokenize('luy ke')) ||
      hasPhrase(t, tokenize('toan tinh')) ||
      hasPhrase(t, tokenize('so lieu'));
    if (policy) s -= statFrame ? 0.15 * policy : 0.4 + 0.1 * policy;
    if (r.followUp && ctx.session.topic === 'statistics') s += 0.45;
    else if (r.followUp) s += 0.2;
    return Math.max(0, Math.min(1, Math.round(s * 100) / 100));
  };

  const answer = async (ctx: TurnContext): Promise<TurnResult | null> => {
    try {
      await store.refreshIfChanged();
    } catch (err) {
      opts.logger.warn({ err: (err as Error).message }, 'statistics store could not be re-read; answering from memory');
    }
    if (ctx.incoming.payload?.startsWith('stats:')) {
      const r = fromPayload(ctx);
      return r ? buildAnswer(ctx, r, { store, catalog, areas }) : null;
    }
    return buildAnswer(ctx, resolve(ctx), { store, catalog, areas });
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

/** Default locations inside the project (for scripts): data/ and knowledge/. */
export function defaultStatsPaths(projectRoot: string): { seedDir: string; knowledgeDir: string } {
  return { seedDir: path.join(projectRoot, 'data'), knowledgeDir: path.join(projectRoot, 'knowledge') };
}
