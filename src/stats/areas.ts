import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { describeZodError, KnowledgeError, readDataFile } from '../util/data-file.ts';
import { parseCsv } from './csv.ts';
import { phraseTokens } from './text.ts';

/**
 * The areas figures belong to (data/areas.csv): the nation, the six regions, the 63 provinces that
 * existed until 30/06/2025, the 34 in force since 01/07/2025 and a few former districts. Each has its
 * dates of existence and its succession (merged into, formed from), so an answer can say which
 * province a figure is for and what became of it. Also the places without figures (places.yaml).
 */

const isoDateOrEmpty = z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]);

const LEVELS = ['national', 'region', 'province', 'district', 'commune'] as const;
export type Level = (typeof LEVELS)[number];

const areaRowSchema = z.object({
  area_id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  display_name: z.string().default(''),
  level: z.enum(LEVELS),
  parent_id: z.string().default(''),
  valid_from: isoDateOrEmpty.default(''),
  valid_to: isoDateOrEmpty.default(''),
  note: z.string().default(''),
  region_id: z.string().default(''),
  default: z.string().default(''),
  aliases: z.string().default(''),
  successor_id: z.string().default(''),
  predecessor_ids: z.string().default(''),
});

export interface Area {
  id: string;
  name: string;
  /** How answers name it: "tỉnh Bình Thuận", "huyện Tuy Phong", "cả nước". */
  displayName: string;
  level: Level;
  parentId: string | null;
  validFrom: string | null;
  validTo: string | null;
  note: string;
  regionId: string | null;
  isDefault: boolean;
  /** Folded alias token lists (the name is always one). */
  aliases: string[][];
  /** The area it was merged into (the day after `validTo`). */
  successorId: string | null;
  /** The areas it was formed from (on `validFrom`). */
  predecessorIds: string[];
}

export interface Areas {
  byId: Map<string, Area>;
  /** The area a question about "toàn tỉnh" without a name is about (the deployment's home province). */
  defaultArea: Area;
  national: Area | null;
  /** Areas whose parent is `id` (e.g. the districts of a province). */
  children(id: string): Area[];
  /** Areas of a level that existed on a day (the provinces on 31/12/2023 are the 63 former ones). */
  atLevel(level: Level, day: string): Area[];
}

/** True when the area existed on `day` (YYYY-MM-DD). */
export function existsOn(a: Area, day: string): boolean {
  return (!a.validFrom || a.validFrom <= day) && (!a.validTo || a.validTo >= day);
}

/** Loads `<seedDir>/areas.csv`; throws naming the line when a row or a reference is wrong. */
export function loadAreas(seedDir: string): Areas {
  const file = path.join(seedDir, 'areas.csv');
  const recs = parseCsv(readFileSync(file, 'utf8'));
  const header = recs[0]?.fields.map((h) => h.trim()) ?? [];
  const byId = new Map<string, Area>();
  const lines = new Map<string, number>();
  for (const rec of recs.slice(1)) {
    const obj: Record<string, string> = {};
    header.forEach((h, i) => {
      obj[h] = (rec.fields[i] ?? '').trim();
    });
    const r = areaRowSchema.safeParse(obj);
    if (!r.success) throw new KnowledgeError(`${file}: dòng ${rec.line}: ${describeZodError(r.error)}`);
    const a = r.data;
    if (byId.has(a.area_id)) throw new KnowledgeError(`${file}: dòng ${rec.line}: area_id "${a.area_id}" bị trùng`);
    const aliasTexts = [a.name, ...a.aliases.split(';')].map((s) => phraseTokens(s.trim()).join(' ')).filter(Boolean);
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
      aliases: [...new Set(aliasTexts)].map((s) => s.split(' ')),
      successorId: a.successor_id || null,
      predecessorIds: a.predecessor_ids
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean),
    });
    lines.set(a.area_id, rec.line);
  }
  for (const a of byId.values()) {
    const refs = [a.parentId, a.regionId, a.successorId, ...a.predecessorIds].filter((x): x is string => !!x);
    for (const ref of refs)
      if (!byId.has(ref)) throw new KnowledgeError(`${file}: dòng ${lines.get(a.id)}: ${a.id} tham chiếu địa bàn không có: "${ref}"`);
    for (const p of a.predecessorIds)
      if (byId.get(p)?.successorId !== a.id)
        throw new KnowledgeError(`${file}: dòng ${lines.get(a.id)}: ${p} không ghi successor_id = ${a.id}`);
  }
  const all = [...byId.values()];
  const defaultArea = all.find((a) => a.isDefault) ?? all.find((a) => a.level === 'province') ?? all[0];
  if (!defaultArea) throw new KnowledgeError(`${file}: không có địa bàn nào`);
  const kids = new Map<string, Area[]>();
  for (const a of all) if (a.parentId) kids.set(a.parentId, [...(kids.get(a.parentId) ?? []), a]);
  return {
    byId,
    defaultArea,
    national: all.find((a) => a.level === 'national') ?? null,
    children: (id) => kids.get(id) ?? [],
    atLevel: (level, day) => all.filter((a) => a.level === level && existsOn(a, day)),
  };
}

/** A place without figures of its own (knowledge/stats/places.yaml): a commune, a city, a sub-region. */
export interface Place {
  name: string;
  tokens: string[];
  level: Level | 'place';
  /** The area it lies in, when known (the nearest level that may have figures). */
  inArea: string | null;
}

const placeSchema = z.union([
  z.string().min(2),
  z.object({ name: z.string().min(2), level: z.enum([...LEVELS, 'place']).default('place'), in: z.string().optional() }),
]);

/** Places without figures, so a question about them is answered "chưa có" rather than with another area. */
export function loadPlaces(knowledgeDir: string, areas: Areas): Place[] {
  const file = path.join(knowledgeDir, 'stats', 'places.yaml');
  const parsed = z.object({ places: z.array(placeSchema).default([]) }).safeParse(readDataFile(file));
  if (!parsed.success) throw new KnowledgeError(`${file}: ${describeZodError(parsed.error)}`);
  return parsed.data.places.map((p) => {
    const o = typeof p === 'string' ? { name: p, level: 'place' as const, in: undefined } : p;
    if (o.in && !areas.byId.has(o.in)) throw new KnowledgeError(`${file}: ${o.name}: "in: ${o.in}" không có trong data/areas.csv`);
    return { name: o.name, tokens: phraseTokens(o.name), level: o.level, inArea: o.in ?? null };
  });
}
