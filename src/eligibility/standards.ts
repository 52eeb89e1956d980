import path from 'node:path';
import { existsSync } from 'node:fs';
import { listDataFiles, readDataFile, describeZodError } from '../knowledge/knowledge-base.ts';
import type { Citation } from '../domain/types.ts';
import {
  standardSchema,
  entitlementMapSchema,
  INDICATOR_IDS,
  type Standard,
  type StandardBasis,
  type EntitlementMap,
  type Indicator,
} from './schema.ts';

/** Raised when a standards file is broken or missing; the message names the file and field. */
export class StandardsError extends Error {}

/** The dated poverty standards, loaded and checked; pick one for a date with {@link Standards.standardFor}. */
export class Standards {
  readonly list: readonly Standard[];

  constructor(list: Standard[]) {
    this.list = [...list].sort((a, b) => (a.effective_from < b.effective_from ? -1 : 1));
    for (let i = 1; i < this.list.length; i++) {
      const prev = this.list[i - 1];
      const cur = this.list[i];
      if (cur.effective_from <= prev.effective_to)
        throw new StandardsError(`chuẩn "${cur.id}" trùng thời gian với "${prev.id}" (${cur.effective_from} ≤ ${prev.effective_to})`);
    }
  }

  /** The standard in force on an ISO date, or null when none is encoded for that day. */
  standardFor(date: string): Standard | null {
    return standardFor(this, date);
  }

  get(id: string): Standard | undefined {
    return this.list.find((s) => s.id === id);
  }

  /** First and last dates covered by any standard. */
  get coverage(): { from: string; to: string } | null {
    if (!this.list.length) return null;
    return { from: this.list[0].effective_from, to: this.list[this.list.length - 1].effective_to };
  }
}

/** Loads every `std-*.yaml` under `dir`, validated; throws a StandardsError naming the file. */
export function loadStandards(dir: string): Standards {
  if (!existsSync(dir)) throw new StandardsError(`không thấy thư mục chuẩn nghèo: ${dir}`);
  const list: Standard[] = [];
  for (const file of listDataFiles(dir)) {
    if (!/^std-/.test(path.basename(file))) continue;
    let raw: unknown;
    try {
      raw = readDataFile(file);
    } catch (err) {
      throw new StandardsError((err as Error).message);
    }
    const parsed = standardSchema.safeParse(raw);
    if (!parsed.success) throw new StandardsError(`${path.basename(file)}: ${describeZodError(parsed.error)}`);
    if (list.some((s) => s.id === parsed.data.id)) throw new StandardsError(`${path.basename(file)}: trùng id ${parsed.data.id}`);
    list.push(parsed.data);
  }
  if (!list.length) throw new StandardsError(`không có tệp std-*.yaml trong ${dir}`);
  return new Standards(list);
}

/** Loads `entitlements.yaml` (category → knowledge entry ids); an absent file means no entitlements. */
export function loadEntitlementMap(dir: string): EntitlementMap {
  const file = path.join(dir, 'entitlements.yaml');
  if (!existsSync(file)) return { categories: { poor: [], near_poor: [], average: [], not_poor: [] } };
  let raw: unknown;
  try {
    raw = readDataFile(file);
  } catch (err) {
    throw new StandardsError((err as Error).message);
  }
  const parsed = entitlementMapSchema.safeParse(raw);
  if (!parsed.success) throw new StandardsError(`entitlements.yaml: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** The standard in force on an ISO date (inclusive bounds), or null. */
export function standardFor(standards: Standards | readonly Standard[], date: string): Standard | null {
  const list = standards instanceof Standards ? standards.list : standards;
  return list.find((s) => s.effective_from <= date && date <= s.effective_to) ?? null;
}

/** The instruments that found the standard on this date (2026: Decree 07/2021 and Decree 351/2025). */
export function legalBasisFor(standard: Standard, date: string): StandardBasis[] {
  return standard.legal_basis.filter((b) => b.applies_from <= date && (!b.applies_to || date <= b.applies_to));
}

/** "Nghị định 07/2021/NĐ-CP, Điều 3; Nghị định 351/2025/NĐ-CP" */
export function legalBasisText(bases: StandardBasis[]): string {
  return bases.map((b) => (b.article && /^Điều/.test(b.article) ? `${b.instrument}, ${b.article}` : b.instrument)).join('; ');
}

export function basisCitations(bases: StandardBasis[]): Citation[] {
  return bases.map((b) => ({ instrument: b.instrument, article: b.article, effectiveFrom: b.applies_from, url: b.url }));
}

/** Cautions of the standard that apply on this date. */
export function cautionsFor(standard: Standard, date: string): string[] {
  return standard.cautions.filter((c) => (!c.from || c.from <= date) && (!c.to || date <= c.to)).map((c) => c.text);
}

export function indicatorById(standard: Standard, id: string): Indicator | undefined {
  return standard.indicators.find((i) => i.id === id);
}

/** Is this an indicator id any standard knows (the stable interface list)? */
export function isKnownIndicator(id: string): boolean {
  return (INDICATOR_IDS as readonly string[]).includes(id);
}
