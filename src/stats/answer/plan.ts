import type { Area } from '../areas.ts';
import type { Catalog, Indicator } from '../catalog.ts';
import type { Resolution, TimePoint } from '../resolve/index.ts';
import type { StatsMemo } from './memo.ts';
import type { AnswerDeps } from './types.ts';

/**
 * What to answer: which indicators, which areas (each a list of candidates sharing a name), which
 * time points. The question says most of it; a follow-up takes the rest from the skill's memory of
 * the conversation, and a question that names no area is about the deployment's home province.
 */
export interface Plan {
  inds: Indicator[];
  main: Area[][];
  compare: Area[][];
  points: TimePoint[];
  /** No time asked: the latest figure. */
  latestMode: boolean;
  /** The indicators came from the conversation, not from this message. */
  usesMemo: boolean;
}

/** Plans the answer, or returns null when no indicator can be identified. */
export function planAnswer(res: Resolution, memo: StatsMemo | null, deps: AnswerDeps, today: string): Plan | null {
  const { catalog, areas } = deps;
  const memoInds = (memo?.indicators ?? []).map((id) => catalog.indicators.get(id)).filter((x): x is Indicator => !!x);
  // 1. Indicators.
  let inds = [...res.indicators];
  const usesMemo = !res.strongMatch && memoInds.length > 0 && (res.followUp || inds.length === 0);
  if (usesMemo) inds = fromMemo(res, memoInds, catalog) ?? inds;
  if (inds.length === 0 && res.ranking && catalog.rankingIndicator) inds = [catalog.rankingIndicator];
  if (inds.length === 0) return null;
  inds = filterKinds(inds, res, catalog);
  inds = inds.filter((ind, i) => inds.findIndex((o) => o.series === ind.series) === i);
  if (res.wantsPlanRatio)
    for (const i of [...inds]) {
      const t = i.target ? catalog.indicators.get(i.target) : undefined;
      if (t) addUnique(inds, t);
      for (const c of catalog.indicators.values()) if (c.base === i.id && c.tags.includes('target')) addUnique(inds, c);
    }

  // 2. Areas.
  let main: Area[][] = res.areas;
  if (main.length === 0) {
    const remembered = usesMemo || res.followUp ? (memo?.areas ?? []) : [];
    const list = remembered.map((id) => areas.byId.get(id)).filter((a): a is Area => !!a);
    main = list.length ? list.map((a) => [a]) : [[areas.defaultArea]];
  }
  if (res.breakdown) {
    const expanded: Area[][] = [];
    for (const l of main) {
      expanded.push(l);
      for (const c of areas.children(l[0].id)) if (c.level === 'district' || c.level === 'commune') expanded.push([c]);
    }
    main = expanded;
  }
  const compare: Area[][] = [...res.compareAreas];
  if (res.wantsRegion) {
    const rid = main[0][0].regionId;
    const r = rid ? areas.byId.get(rid) : undefined;
    if (r && !compare.some((l) => l[0].id === r.id)) compare.push([r]);
  }

  // 3. Time points.
  let points: TimePoint[] = [...res.points];
  const memoPoints = memo?.points ?? [];
  const memoYear = memoPoints
    .map((p) => ('year' in p ? p.year : p.kind === 'date' ? Number(p.date.slice(0, 4)) : p.kind === 'range' ? p.to : 0))
    .find((y) => y);
  if (points.length === 0 && (usesMemo || res.followUp) && !res.latest) points = [...memoPoints];
  if (res.pending.length) {
    const y = memoYear ?? Number(today.slice(0, 4));
    for (const k of res.pending) points.push({ kind: k, year: y });
  }
  if (res.wantsPrevYear && points.length >= 1) {
    const p = points[0];
    if ('year' in p) points.push({ ...p, year: p.year - 1 } as TimePoint);
    else if (p.kind === 'date') points.push({ kind: 'date', date: `${Number(p.date.slice(0, 4)) - 1}${p.date.slice(4)}` });
  }
  return { inds, main, compare, points, latestMode: points.length === 0, usesMemo };
}

function addUnique(list: Indicator[], ind: Indicator): void {
  if (!list.some((i) => i.id === ind.id)) list.push(ind);
}

const sameTags = (a: Indicator, b: Indicator) => a.tags.length === b.tags.length && a.tags.every((t) => b.tags.includes(t));

/** Fills a follow-up ("còn hộ cận nghèo?", "chiếm bao nhiêu %?", "thế năm 2022?") from the last indicators. */
function fromMemo(res: Resolution, base: Indicator[], catalog: Catalog): Indicator[] | null {
  const all = [...catalog.indicators.values()];
  const baseHouseholds = new Set(base.map((b) => b.household));
  if (res.household && !baseHouseholds.has(res.household) && base.some((b) => b.household)) {
    const out: Indicator[] = [];
    for (const b of base) {
      const kinds = res.kinds.size ? [...res.kinds] : [b.kind, ...(b.kind === 'count' || b.kind === 'amount' ? ['count', 'amount'] : [])];
      for (const c of all)
        if (c.family === b.family && c.household === res.household && sameTags(c, b) && kinds.includes(c.kind) && !out.includes(c))
          out.push(c);
    }
    if (out.length) return out;
  }
  if (res.kinds.size && !res.strongMatch) {
    const out: Indicator[] = [];
    for (const b of base) {
      if (res.kinds.has(b.kind as 'count')) {
        if (!out.includes(b)) out.push(b);
        continue;
      }
      // "chiếm bao nhiêu %" after a count: answer the rate only.
      for (const s of all.filter(
        (c) => c.family === b.family && c.household === b.household && sameTags(c, b) && res.kinds.has(c.kind as 'count'),
      ))
        if (!out.includes(s)) out.push(s);
    }
    if (out.length) return out;
  }
  if (res.indicators.length && !res.followUp) return res.indicators;
  if (res.indicators.length && res.weakMatch && !base.some((b) => res.indicators.some((i) => i.family === b.family))) return res.indicators;
  return base;
}

/** Within a family, keep the kinds the question names (count, rate, amount); add rates for "tỷ lệ tương ứng". */
function filterKinds(inds: Indicator[], res: Resolution, catalog: Catalog): Indicator[] {
  const cra = new Set(['count', 'rate', 'amount']);
  let out = [...inds];
  if (res.kinds.size) {
    const byFamily = new Map<string, Indicator[]>();
    for (const i of out) byFamily.set(i.family, [...(byFamily.get(i.family) ?? []), i]);
    out = [];
    for (const list of byFamily.values()) {
      const measured = list.filter((i) => cra.has(i.kind));
      const kinds = new Set(measured.map((i) => i.kind));
      if (kinds.size >= 2) {
        const keep = measured.filter((i) => res.kinds.has(i.kind as 'count'));
        out.push(...(keep.length ? keep : measured), ...list.filter((i) => !cra.has(i.kind)));
      } else out.push(...list);
    }
  }
  if (res.kinds.has('rate')) {
    for (const i of [...out]) {
      if (i.kind !== 'count' || !i.household) continue;
      if (out.some((o) => o.kind === 'rate' && o.household === i.household && o.family === i.family)) continue;
      const sib = [...catalog.indicators.values()].find(
        (c) => c.family === i.family && c.household === i.household && c.kind === 'rate' && sameTags(c, i),
      );
      if (sib) out.splice(out.indexOf(i) + 1, 0, sib);
    }
  }
  return out;
}
