import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseCsv } from './csv.ts';
import { compilePattern, fold, tokenize, type Pattern } from './text.ts';

/**
 * The indicator catalogue (knowledge/stats/indicators.yaml) and the area list (data/areas.csv),
 * validated with zod at load. Phrasings and aliases are folded and compiled once.
 */

const phraseList = z.array(z.union([z.string(), z.number()]).transform(String)).default([]);

const unitSchema = z.object({
  suffix: z.string(),
  decimals: z.number().int().min(0).max(4).default(0),
  millions: z.boolean().default(false),
  integer: z.boolean().default(false),
});

const MEASURES = ['count', 'rate', 'amount', 'change', 'target', 'share', 'other'] as const;

const indicatorSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/, 'id chỉ gồm chữ thường, số và _'),
  label: z.string().min(2),
  unit: z.string().min(1),
  summable: z.boolean(),
  family: z.string().min(1),
  measure: z.enum(MEASURES),
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

const catalogSchema = z.object({
  settings: z.object({
    abbreviations: z.record(z.string(), z.string()).default({}),
    tags: z.record(z.string(), phraseList).default({}),
    measures: z.object({ rate: phraseList, count: phraseList, amount: phraseList }),
    notes: z.array(z.object({ match: z.string(), say: z.string() })).default([]),
  }),
  units: z.record(z.string(), unitSchema),
  indicators: z.array(indicatorSchema).min(1),
});

export type UnitFormat = z.infer<typeof unitSchema>;
export type Measure = (typeof MEASURES)[number];

export interface Indicator {
  id: string;
  label: string;
  unit: string;
  summable: boolean;
  family: string;
  measure: Measure;
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

export interface Catalog {
  indicators: Map<string, Indicator>;
  /** First phrase of each tag as written (to phrase questions). */
  tagWords: Map<string, string>;
  units: Map<string, UnitFormat>;
  abbreviations: Map<string, string[]>;
  tags: Map<string, Pattern[]>;
  measures: { rate: Pattern[]; count: Pattern[]; amount: Pattern[] };
  notes: { match: string; say: string }[];
}

const compileAll = (xs: string[]) => xs.map((x) => compilePattern(fold(x))).filter((p) => p.length > 0);

/** Loads and validates `<knowledgeDir>/stats/indicators.yaml`. Throws with the field named on a mistake. */
export function loadCatalog(knowledgeDir: string): Catalog {
  const file = path.join(knowledgeDir, 'stats', 'indicators.yaml');
  const parsed = catalogSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${file}: ${i?.path.join('.')}: ${i?.message}`);
  }
  const raw = parsed.data;
  const byId = new Map(raw.indicators.map((d) => [d.id, d]));
  if (byId.size !== raw.indicators.length) throw new Error(`${file}: id chỉ tiêu bị trùng`);
  const indicators = new Map<string, Indicator>();
  for (const d of raw.indicators) {
    if (!raw.units[d.unit]) throw new Error(`${file}: chỉ tiêu ${d.id}: đơn vị "${d.unit}" chưa khai báo trong units`);
    for (const t of d.tags) if (!raw.settings.tags[t]) throw new Error(`${file}: chỉ tiêu ${d.id}: thẻ "${t}" chưa khai báo`);
    let phr = [...d.phrasings];
    let weak = [...d.weak];
    if (d.like) {
      const base = byId.get(d.like);
      if (!base) throw new Error(`${file}: chỉ tiêu ${d.id}: like "${d.like}" không tồn tại`);
      phr = [...phr, ...base.phrasings];
      weak = [...weak, ...base.weak];
    }
    for (const ref of [d.target, ...(d.sum_of ?? [])]) {
      if (ref && !byId.has(ref)) throw new Error(`${file}: chỉ tiêu ${d.id}: tham chiếu "${ref}" không tồn tại`);
    }
    indicators.set(d.id, {
      id: d.id,
      label: d.label,
      unit: d.unit,
      summable: d.summable && d.unit !== 'percent' && d.unit !== 'percentage_points',
      family: d.family,
      measure: d.measure,
      household: d.household,
      tags: d.tags,
      requiresAny: compileAll(d.requires_any),
      series: d.series ?? d.id,
      base: d.like,
      target: d.target,
      sumOf: d.sum_of,
      phrasings: compileAll(phr),
      weak: compileAll(weak),
      rawPhrasings: phr.map(String),
    });
  }
  const abbreviations = new Map<string, string[]>();
  for (const [k, v] of Object.entries(raw.settings.abbreviations)) abbreviations.set(fold(k), tokenize(fold(v)));
  const tags = new Map<string, Pattern[]>();
  for (const [k, v] of Object.entries(raw.settings.tags)) tags.set(k, compileAll(v));
  const units = new Map(Object.entries(raw.units));
  const tagWords = new Map(Object.entries(raw.settings.tags).map(([k, v]) => [k, String(v[0] ?? '')]));
  return {
    indicators,
    tagWords,
    units,
    abbreviations,
    tags,
    measures: {
      rate: compileAll(raw.settings.measures.rate),
      count: compileAll(raw.settings.measures.count),
      amount: compileAll(raw.settings.measures.amount),
    },
    notes: raw.settings.notes,
  };
}

// ---- Areas -------------------------------------------------------------------------------

const isoDateOrEmpty = z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]);

const areaRowSchema = z.object({
  area_id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  display_name: z.string().default(''),
  level: z.enum(['national', 'region', 'province', 'district', 'commune']),
  parent_id: z.string().default(''),
  valid_from: isoDateOrEmpty.default(''),
  valid_to: isoDateOrEmpty.default(''),
  note: z.string().default(''),
  region_id: z.string().default(''),
  default: z.string().default(''),
  aliases: z.string().default(''),
});

export interface Area {
  id: string;
  name: string;
  /** How answers name it: "tỉnh Bình Thuận", "huyện Tuy Phong", "cả nước". */
  displayName: string;
  level: 'national' | 'region' | 'province' | 'district' | 'commune';
  parentId: string | null;
  validFrom: string | null;
  validTo: string | null;
  note: string;
  regionId: string | null;
  isDefault: boolean;
  /** Folded alias token lists (the name is always one). */
  aliases: string[][];
}

export interface Areas {
  byId: Map<string, Area>;
  defaultArea: Area;
  national: Area | null;
  /** Areas whose parent is `id` (e.g. the districts of a province). */
  children(id: string): Area[];
}

/** Loads `<seedDir>/areas.csv` (columns area_id,name,level,parent_id,valid_from,valid_to,note[,region_id,default,aliases]). */
export function loadAreas(seedDir: string): Areas {
  const file = path.join(seedDir, 'areas.csv');
  const recs = parseCsv(readFileSync(file, 'utf8'));
  const header = recs[0]?.fields.map((h) => h.trim()) ?? [];
  const byId = new Map<string, Area>();
  for (const rec of recs.slice(1)) {
    const obj: Record<string, string> = {};
    header.forEach((h, i) => (obj[h] = (rec.fields[i] ?? '').trim()));
    const r = areaRowSchema.safeParse(obj);
    if (!r.success) throw new Error(`${file}: dòng ${rec.line}: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
    const a = r.data;
    const aliasTexts = [a.name, ...a.aliases.split(';')].map((s) => fold(s.trim())).filter(Boolean);
    const aliases = [...new Set(aliasTexts)].map((s) => tokenize(s));
    byId.set(a.area_id, {
      id: a.area_id,
      name: a.name,
      displayName: a.display_name || a.name,
      level: a.level,
      parentId: a.parent_id || null,
      validFrom: a.valid_from || null,
      validTo: a.valid_to || null,
      note: a.note,
      regionId: a.region_id || null,
      isDefault: /^(yes|true|1|x)$/i.test(a.default),
      aliases,
    });
  }
  const all = [...byId.values()];
  const defaultArea = all.find((a) => a.isDefault) ?? all.find((a) => a.level === 'province') ?? all[0];
  if (!defaultArea) throw new Error(`${file}: không có địa bàn nào`);
  return {
    byId,
    defaultArea,
    national: all.find((a) => a.level === 'national') ?? null,
    children: (id) => all.filter((a) => a.parentId === id),
  };
}

/** Places without figures (knowledge/stats/places.yaml), so a question about them is not answered with another area. */
export function loadPlaces(knowledgeDir: string): { name: string; tokens: string[] }[] {
  const file = path.join(knowledgeDir, 'stats', 'places.yaml');
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
  const parsed = z.object({ places: z.array(z.string().min(2)) }).safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return parsed.data.places.map((name) => ({ name, tokens: tokenize(fold(name)) }));
}
