import path from 'node:path';
import { z } from 'zod';
import { describeZodError, KnowledgeError, readDataFile } from '../util/data-file.ts';
import { compileAll, type Pattern, phraseTokens } from './text.ts';

/**
 * The indicator catalogue (knowledge/stats/indicators.yaml), validated with zod at load. It says,
 * for every indicator, what it is (label, unit, kind), how it was measured (the administrative
 * review or the GSO survey, under which poverty standard) and how officials ask for it. Phrasings
 * are folded and compiled once.
 */

const phraseList = z.array(z.union([z.string(), z.number()]).transform(String)).default([]);

const unitSchema = z.object({
  suffix: z.string(),
  decimals: z.number().int().min(0).max(4).default(0),
  millions: z.boolean().default(false),
  integer: z.boolean().default(false),
});

/** What kind of number an indicator is. */
export const KINDS = ['count', 'rate', 'amount', 'change', 'target', 'share', 'other'] as const;
export type Kind = (typeof KINDS)[number];
/** How a figure was measured: the administrative review, the GSO survey, or another report. */
export const MEASURES = ['review', 'gso_survey', 'report'] as const;
export type MeasureId = (typeof MEASURES)[number];

const indicatorSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/, 'id chỉ gồm chữ thường, số và _'),
  label: z.string().min(2),
  unit: z.string().min(1),
  summable: z.boolean(),
  family: z.string().min(1),
  kind: z.enum(KINDS),
  measure: z.enum(MEASURES).default('report'),
  standard: z.enum(['national', 'local']).optional(),
  household: z.string().optional(),
  tags: z.array(z.string()).default([]),
  requires_any: phraseList,
  series: z.string().optional(),
  like: z.string().optional(),
  target: z.string().optional(),
  sum_of: z.array(z.string()).optional(),
  phrasings: phraseList,
  weak: phraseList,
});

const measureSchema = z.object({ say: z.string(), short: z.string(), words: phraseList });

const catalogSchema = z.object({
  settings: z.object({
    abbreviations: z.record(z.string(), z.string()).default({}),
    tags: z.record(z.string(), phraseList).default({}),
    kinds: z.object({ rate: phraseList, count: phraseList, amount: phraseList }),
    measures: z.object({ review: measureSchema, gso_survey: measureSchema, report: measureSchema }),
    standards: z
      .array(
        z.object({
          id: z.string().regex(/^(\d{4}-\d{4}|local)$/),
          label: z.string().min(3),
          first_as_of: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .optional(),
        }),
      )
      .min(1),
    ranking_indicator: z.string().optional(),
    statuses: z.record(z.string(), z.string()).default({}),
    notes: z.array(z.object({ match: z.string(), say: z.string() })).default([]),
  }),
  units: z.record(z.string(), unitSchema),
  indicators: z.array(indicatorSchema).min(1),
});

export type UnitFormat = z.infer<typeof unitSchema>;

/** One indicator as the skill uses it. */
export interface Indicator {
  id: string;
  label: string;
  unit: string;
  summable: boolean;
  family: string;
  kind: Kind;
  /** How its figures are measured; two measures are never one series. */
  measure: MeasureId;
  /** 'national': each figure carries the period of the national standard; 'local': the province's own standard. */
  standard: 'national' | 'local' | null;
  household?: string;
  tags: string[];
  requiresAny: Pattern[];
  series: string;
  /** The indicator this one is a variant of (`like` in the catalogue). */
  base?: string;
  target?: string;
  sumOf?: string[];
  phrasings: Pattern[];
  weak: Pattern[];
  /** Phrasings as written in the catalogue (accented), e.g. to phrase a follow-up question. */
  rawPhrasings: string[];
}

/** A period of the national poverty standard (or the local standard). */
export interface Standard {
  id: string;
  label: string;
  /** Figures dated on or after this day belong to this standard unless the row says otherwise. */
  firstAsOf: string | null;
}

export interface Catalog {
  indicators: Map<string, Indicator>;
  /** First phrase of each tag as written (to phrase questions). */
  tagWords: Map<string, string>;
  units: Map<string, UnitFormat>;
  /** Abbreviations used only in statistics questions (token → tokens); the common ones are the NLU's. */
  abbreviations: Map<string, string[]>;
  tags: Map<string, Pattern[]>;
  kinds: { rate: Pattern[]; count: Pattern[]; amount: Pattern[] };
  measures: Map<MeasureId, { say: string; short: string; words: Pattern[] }>;
  standards: Map<string, Standard>;
  statuses: Map<string, string>;
  /** The indicator a ranking without one is about ("vùng nào nghèo nhất"). */
  rankingIndicator: Indicator | null;
  notes: { match: string; say: string }[];
  /** Every word of every phrase (part of the skill's vocabulary, see read.ts). */
  vocabulary: Set<string>;
}

/** Loads and validates `<knowledgeDir>/stats/indicators.yaml`. Throws with the field named on a mistake. */
export function loadCatalog(knowledgeDir: string): Catalog {
  const file = path.join(knowledgeDir, 'stats', 'indicators.yaml');
  const parsed = catalogSchema.safeParse(readDataFile(file));
  if (!parsed.success) throw new KnowledgeError(`${file}: ${describeZodError(parsed.error)}`);
  const raw = parsed.data;
  const vocabulary = new Set<string>();
  const pats = (xs: string[]) => {
    for (const x of xs) for (const t of phraseTokens(x)) vocabulary.add(t);
    return compileAll(xs);
  };
  const byId = new Map(raw.indicators.map((d) => [d.id, d]));
  if (byId.size !== raw.indicators.length) throw new KnowledgeError(`${file}: id chỉ tiêu bị trùng`);
  const indicators = new Map<string, Indicator>();
  for (const d of raw.indicators) {
    if (!raw.units[d.unit]) throw new KnowledgeError(`${file}: chỉ tiêu ${d.id}: đơn vị "${d.unit}" chưa khai báo trong units`);
    for (const t of d.tags) if (!raw.settings.tags[t]) throw new KnowledgeError(`${file}: chỉ tiêu ${d.id}: thẻ "${t}" chưa khai báo`);
    let phr = [...d.phrasings];
    let weak = [...d.weak];
    if (d.like) {
      const base = byId.get(d.like);
      if (!base) throw new KnowledgeError(`${file}: chỉ tiêu ${d.id}: like "${d.like}" không tồn tại`);
      phr = [...phr, ...base.phrasings];
      weak = [...weak, ...base.weak];
    }
    for (const ref of [d.target, ...(d.sum_of ?? [])]) {
      if (ref && !byId.has(ref)) throw new KnowledgeError(`${file}: chỉ tiêu ${d.id}: tham chiếu "${ref}" không tồn tại`);
    }
    indicators.set(d.id, {
      id: d.id,
      label: d.label,
      unit: d.unit,
      summable: d.summable && d.unit !== 'percent' && d.unit !== 'percentage_points',
      family: d.family,
      kind: d.kind,
      measure: d.measure,
      standard: d.standard ?? null,
      household: d.household,
      tags: d.tags,
      requiresAny: pats(d.requires_any),
      series: d.series ?? d.id,
      base: d.like,
      target: d.target,
      sumOf: d.sum_of,
      phrasings: pats(phr),
      weak: pats(weak),
      rawPhrasings: phr.map(String),
    });
  }
  const abbreviations = new Map<string, string[]>();
  for (const [k, v] of Object.entries(raw.settings.abbreviations)) abbreviations.set(phraseTokens(k).join(' '), phraseTokens(v));
  const tags = new Map<string, Pattern[]>();
  for (const [k, v] of Object.entries(raw.settings.tags)) tags.set(k, pats(v));
  const measures = new Map<MeasureId, { say: string; short: string; words: Pattern[] }>();
  for (const m of MEASURES) {
    const s = raw.settings.measures[m];
    measures.set(m, { say: s.say, short: s.short, words: pats(s.words) });
  }
  if (raw.settings.ranking_indicator && !indicators.has(raw.settings.ranking_indicator))
    throw new KnowledgeError(`${file}: settings.ranking_indicator: "${raw.settings.ranking_indicator}" không có trong danh mục`);
  const standards = new Map<string, Standard>();
  for (const s of raw.settings.standards) standards.set(s.id, { id: s.id, label: s.label, firstAsOf: s.first_as_of ?? null });
  return {
    indicators,
    tagWords: new Map(Object.entries(raw.settings.tags).map(([k, v]) => [k, String(v[0] ?? '')])),
    units: new Map(Object.entries(raw.units)),
    abbreviations,
    tags,
    kinds: { rate: pats(raw.settings.kinds.rate), count: pats(raw.settings.kinds.count), amount: pats(raw.settings.kinds.amount) },
    measures,
    standards,
    statuses: new Map(Object.entries(raw.settings.statuses)),
    rankingIndicator: raw.settings.ranking_indicator ? (indicators.get(raw.settings.ranking_indicator) ?? null) : null,
    notes: raw.settings.notes,
    vocabulary,
  };
}

/**
 * The national standard a figure dated `asOf` belongs to when its row does not say: the last period
 * whose first day is on or before it (the end-of-year review before a period is that period's baseline).
 */
export function standardByDate(catalog: Catalog, asOf: string): string {
  let best: Standard | null = null;
  for (const s of catalog.standards.values())
    if (s.firstAsOf && s.firstAsOf <= asOf && (!best || (best.firstAsOf ?? '') < s.firstAsOf)) best = s;
  return best?.id ?? '';
}
