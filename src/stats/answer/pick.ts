import type { TimePoint } from '../resolve/index.ts';
import { days, monthEnd } from './format.ts';
import type { Val } from './types.ts';

/** Choosing a figure from a series: the one a time point asks for, the latest, the nearest to a day. */

/** The figure a time point asks for, if there is one (a year-end figure is preferred within a year). */
export function atPoint(series: Val[], p: TimePoint): Val | null {
  const score = (v: Val) => (v.period_start === '' || v.period_start === `${v.as_of.slice(0, 4)}-01-01` ? 1 : 0);
  const prefer = (cands: Val[]) => [...cands].sort((a, b) => score(b) - score(a) || b.as_of.localeCompare(a.as_of))[0] ?? null;
  switch (p.kind) {
    case 'date':
      return prefer(series.filter((f) => f.as_of === p.date));
    case 'start':
      return prefer(series.filter((f) => f.as_of === `${p.year}-01-01`));
    case 'end':
      return prefer(series.filter((f) => f.as_of === `${p.year}-12-31`));
    case 'year': {
      const inYear = series.filter((f) => f.as_of > `${p.year}-01-01` && f.as_of <= `${p.year}-12-31`);
      const end = inYear.filter((f) => f.as_of === `${p.year}-12-31`);
      return prefer(end.length ? end : inYear);
    }
    case 'months': {
      const d = monthEnd(p.year, p.months);
      return prefer(series.filter((f) => f.as_of === d && (f.period_start === '' || f.period_start === `${p.year}-01-01`)));
    }
    case 'range':
      return series.find((f) => f.period_start === `${p.from}-01-01` && f.as_of === `${p.to}-12-31`) ?? null;
  }
}

/** The latest figure on or before today (or the earliest future one when there is none). */
export function latestOf(series: Val[], today: string): Val | null {
  const past = series.filter((f) => f.as_of <= today);
  const list = past.length ? past : series;
  return list.length ? list[list.length - 1] : null;
}

/** The figure nearest to a day (the earlier one on a tie). */
export function nearest(series: Val[], ref: string): Val | null {
  let best: Val | null = null;
  for (const f of series) {
    if (!best) best = f;
    else {
      const df = days(f.as_of, ref);
      const db = days(best.as_of, ref);
      if (df < db || (df === db && f.as_of < best.as_of)) best = f;
    }
  }
  return best;
}
