import type { Area } from '../areas.ts';
import type { Indicator } from '../catalog.ts';
import type { StoredFigure } from '../rows.ts';
import { formatValue, lcFirst } from './format.ts';
import type { AnswerDeps, Val } from './types.ts';

export { atPoint, latestOf, nearest } from './pick.ts';

/**
 * The figures behind an answer: stored figures, and figures computed honestly from stored ones
 * (poor + near-poor from its two parts, a province from its districts, a merged province before
 * 01/07/2025 from its former provinces). A computed figure exists only when every input exists for
 * the same date and standard, and it always says "tính từ" with its inputs.
 */

const FINAL = new Set(['reported', 'estimate', 'preliminary']);
const STATUS_ORDER = ['reported', 'preliminary', 'estimate', 'target', 'plan'];

/** The least final status among inputs (a sum with one preliminary part is preliminary). */
function worstStatus(vals: Val[]): string {
  return vals.map((v) => v.status).sort((a, b) => STATUS_ORDER.indexOf(b) - STATUS_ORDER.indexOf(a))[0] ?? 'reported';
}

function combinedQualifier(vals: Val[]): string {
  return vals.some((g) => g.qualifier === 'at_least') ? 'at_least' : vals.some((g) => g.qualifier === 'about') ? 'about' : '';
}

const keyOf = (v: Pick<Val, 'as_of' | 'period_start' | 'standard'>) => `${v.as_of}|${v.period_start}|${v.standard}`;

export function toVal(f: StoredFigure, ind: Indicator, area: Area): Val {
  return {
    area,
    ind,
    value: f.value,
    unit: f.unit,
    qualifier: f.qualifier,
    as_of: f.as_of,
    period_start: f.period_start,
    status: f.status,
    note: f.note,
    measure: f.measure || ind.measure,
    standard: f.standard,
    sources: [{ source: f.source, url: f.source_url, as_of: f.as_of }],
  };
}

export function sortVals(list: Val[]): Val[] {
  return list.sort(
    (a, b) => a.as_of.localeCompare(b.as_of) || a.standard.localeCompare(b.standard) || a.period_start.localeCompare(b.period_start),
  );
}

export class Series {
  constructor(private readonly deps: AnswerDeps) {}

  /** Stored figures of the indicator's series for an area, oldest first; targets and plans only when wanted. */
  stored(ind: Indicator, area: Area, wantTarget = false): Val[] {
    const { catalog, store } = this.deps;
    const ids = [...catalog.indicators.values()].filter((i) => i.series === ind.series).map((i) => i.id);
    let figs: StoredFigure[] = ids.flatMap((id) => store.figures(area.id, id));
    if (!wantTarget) {
      const final = figs.filter((f) => FINAL.has(f.status));
      if (final.length) figs = final;
    }
    return sortVals(figs.map((f) => toVal(f, ind, area)));
  }

  /** Everything known for the indicator and area: stored, else computed (sum of parts, districts), plus merged-province figures. */
  full(ind: Indicator, area: Area, wantTarget = false): Val[] {
    let list = this.stored(ind, area, wantTarget);
    if (!list.length) list = this.sumOf(ind, area);
    if (!list.length) list = this.districts(ind, area);
    const merged = this.merged(ind, area).filter((m) => !list.some((s) => keyOf(s) === keyOf(m)));
    return merged.length ? sortVals([...list, ...merged]) : list;
  }

  /** "Số hộ nghèo và cận nghèo" from the poor and the near-poor counts of the same date and standard. */
  sumOf(ind: Indicator, area: Area): Val[] {
    const { catalog } = this.deps;
    if (!ind.sumOf?.length) return [];
    const comps = ind.sumOf.map((id) => this.stored(catalog.indicators.get(id)!, area));
    if (comps.some((s) => s.length === 0)) return [];
    const out: Val[] = [];
    for (const f of comps[0]) {
      const same = comps.map((s) => s.find((g) => keyOf(g) === keyOf(f)));
      if (same.some((g) => !g)) continue;
      const vals = same as Val[];
      out.push({
        ...f,
        ind,
        unit: ind.unit,
        value: vals.reduce((n, g) => n + g.value, 0),
        status: worstStatus(vals),
        qualifier: combinedQualifier(vals),
        sources: vals.flatMap((g) => g.sources),
        derived: {
          text: `tính từ ${vals.map((g) => `${lcFirst(g.ind.label)} (${formatValue(catalog, g.value, g.unit, g.qualifier)})`).join(' cộng ')}`,
          inputs: vals,
        },
      });
    }
    return out;
  }

  /** A province's count as the sum of its districts, at dates every district has. */
  districts(ind: Indicator, area: Area): Val[] {
    if (!ind.summable) return [];
    const parts = this.deps.areas.children(area.id).filter((c) => c.level === 'district');
    if (parts.length < 2) return [];
    const perPart = parts.map((p) => this.stored(ind, p));
    if (perPart.some((s) => s.length === 0)) return [];
    const out: Val[] = [];
    for (const f of perPart[0]) {
      const same = perPart.map((s) => s.find((g) => keyOf(g) === keyOf(f) && g.status === f.status));
      if (same.some((g) => !g)) continue;
      const vals = same as Val[];
      out.push(this.sumVal(ind, area, vals, `tính từ số liệu của ${vals.length} đơn vị cấp huyện`));
    }
    return out;
  }

  /**
   * A province formed on 01/07/2025, before it existed: counts are the sum of its former provinces'
   * counts; a rate is recomputed as summed count over summed households (never an average of rates).
   * Only for dates and standards every former province has.
   */
  merged(ind: Indicator, area: Area): Val[] {
    const parts = area.predecessorIds.map((id) => this.deps.areas.byId.get(id)!).filter(Boolean);
    // Local standards differ between provinces: their figures are never added up.
    if (parts.length < 2 || !area.validFrom || ind.standard === 'local') return [];
    const before = (v: Val) => v.as_of < area.validFrom!;
    if (ind.kind === 'count' && ind.summable) {
      const perPart = parts.map((p) => this.stored(ind, p).filter(before));
      const out: Val[] = [];
      for (const f of perPart[0]) {
        const same = perPart.map((s) => s.find((g) => keyOf(g) === keyOf(f)));
        if (same.every(Boolean)) out.push(this.sumVal(ind, area, same as Val[], `tính từ số liệu của ${parts.length} tỉnh cũ hợp thành`));
      }
      return out;
    }
    if (ind.kind !== 'rate') return [];
    const count = this.countSibling(ind);
    const total = this.deps.catalog.indicators.get('total_households');
    if (!count) return [];
    const out: Val[] = [];
    const counts = parts.map((p) => this.stored(count, p).filter(before));
    for (const c0 of counts[0]) {
      const cs = counts.map((s) => s.find((g) => keyOf(g) === keyOf(c0)));
      if (!cs.every(Boolean)) continue;
      const totals = parts.map((p) => (total ? this.stored(total, p).find((g) => g.as_of === c0.as_of) : undefined));
      const rates = parts.map((p) => this.stored(ind, p).find((g) => keyOf(g) === keyOf(c0)));
      const implied = !totals.every(Boolean);
      if (implied && !rates.every((r, i) => r && r.value > 0 && cs[i]!.value > 0)) continue;
      const den = parts.map((_, i) => (implied ? (cs[i]!.value * 100) / rates[i]!.value : totals[i]!.value));
      const num = cs.reduce((n, c) => n + c!.value, 0);
      const sumDen = den.reduce((n, d) => n + d, 0);
      const inputs = [...(cs as Val[]), ...((implied ? rates : totals) as Val[])];
      const { catalog } = this.deps;
      const detail = parts
        .map((p, i) =>
          implied
            ? `${p.displayName}: ${formatValue(catalog, cs[i]!.value, cs[i]!.unit)}, ${formatValue(catalog, rates[i]!.value, 'percent')}`
            : `${p.displayName}: ${formatValue(catalog, cs[i]!.value, cs[i]!.unit)} trên ${formatValue(catalog, den[i], 'households')}`,
        )
        .join('; ');
      out.push({
        ...c0,
        area,
        ind,
        unit: ind.unit,
        value: Math.round((num / sumDen) * 10000) / 100,
        qualifier: implied ? 'about' : '',
        status: worstStatus(inputs),
        note: '',
        sources: inputs.flatMap((v) => v.sources),
        derived: {
          text:
            `tính từ ${lcFirst(count.label)} cộng lại (${formatValue(catalog, num, count.unit)}) chia cho tổng số hộ ` +
            `(${formatValue(catalog, Math.round(sumDen), 'households', implied ? 'about' : '')}) của ${parts.length} tỉnh cũ hợp thành (${detail})` +
            (implied ? '; tổng số hộ của từng tỉnh suy ra từ số hộ và tỷ lệ đã công bố, nên là số gần đúng' : ''),
          inputs,
        },
      });
    }
    return out;
  }

  /** The count indicator a rate is the share of (same family, household, tags, measure). */
  countSibling(ind: Indicator): Indicator | undefined {
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((t) => b.includes(t));
    return [...this.deps.catalog.indicators.values()].find(
      (c) =>
        c.kind === 'count' &&
        c.family === ind.family &&
        c.household === ind.household &&
        c.measure === ind.measure &&
        same(c.tags, ind.tags),
    );
  }

  private sumVal(ind: Indicator, area: Area, vals: Val[], how: string): Val {
    const { catalog } = this.deps;
    return {
      ...vals[0],
      area,
      ind,
      value: vals.reduce((n, g) => n + g.value, 0),
      qualifier: combinedQualifier(vals),
      status: worstStatus(vals),
      note: '',
      sources: vals.flatMap((g) => g.sources),
      derived: {
        text: `${how}: ${vals.map((g) => `${g.area.displayName} ${formatValue(catalog, g.value, g.unit, g.qualifier)}`).join(', ')}`,
        inputs: vals,
      },
    };
  }
}
