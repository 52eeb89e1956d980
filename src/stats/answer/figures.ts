import type { Area } from '../areas.ts';
import type { Indicator } from '../catalog.ts';
import type { TimePoint } from '../resolve/index.ts';
import { lcFirst, pointText, refDate, sameMeasure, timeText, valueText } from './format.ts';
import { type Acc, afterEnd, changeLine, extra, type FigureCtx, figureLine, note, related } from './lines.ts';
import { missingAll } from './missing.ts';
import { atPoint, latestOf } from './pick.ts';
import { formerNote, newBeforeNote, partsLines, pickArea } from './succession.ts';
import { trend } from './trend.ts';
import type { Val } from './types.ts';

export { type Acc, type FigureCtx, newAcc, note } from './lines.ts';

/**
 * The figures of an answer, one indicator and one area at a time: the value at each time asked (or
 * the latest), a series for trend questions (trend.ts), the change between two dates, and an honest
 * "chưa có" naming what does exist (missing.ts). Figures under two poverty standards are never
 * differenced.
 */

/** Answers one indicator for one area (given as the candidates sharing its name). */
export function answerOne(ind: Indicator, cands: Area[], fc: FigureCtx, acc: Acc): void {
  const { plan, res, today, deps, series } = fc;
  const { catalog, areas } = deps;
  const wantTarget = res.textTags.has('target') || ind.tags.includes('target') || ind.kind === 'target';
  const points = plan.points;
  let area = pickArea(cands, ind, points, today, series, wantTarget);
  let list = series.full(ind, area, wantTarget);
  // "Lâm Đồng ... sau sáp nhập": the area as it is now may carry the plain indicator rather than the tagged variant.
  const current = cands.find((a) => !a.validTo);
  const firstRef = points[0] ? refDate(points[0]) : null;
  if (ind.tags.length && current && current.id !== area.id && (!firstRef || !current.validFrom || firstRef >= current.validFrom)) {
    const b = ind.base ? catalog.indicators.get(ind.base) : undefined;
    if (b && b.tags.length < ind.tags.length && series.full(b, current).length) {
      area = current;
      list = series.full(b, current);
    }
  }
  const label = `${ind.label} của ${area.displayName}`;
  if (current && current !== area && area.validTo) note(acc, formerNote(area, current, areas));
  if (list.length === 0) {
    missingAll(ind, area, fc, acc);
    return;
  }
  const range = points.find((p) => p.kind === 'range') as Extract<TimePoint, { kind: 'range' }> | undefined;
  if (res.trend || (!!range && !atPoint(list, range))) {
    trend(ind, area, list, range, label, fc, acc);
    return;
  }

  const found: Val[] = [];
  const missing: TimePoint[] = [];
  for (const p of plan.latestMode ? [null] : points) {
    const v = p ? atPoint(list, p) : latestOf(list, today);
    if (v) {
      acc.exact++;
      found.push(v);
      // The same date under another standard (end-2021: the 2016-2020 review and the 2022-2025 baseline): both, each named.
      found.push(...list.filter((o) => o !== v && o.as_of === v.as_of && o.period_start === v.period_start && o.standard !== v.standard));
      // The latest figure is an estimate: also give the last final one.
      if (!p && v.status !== 'reported') {
        const rep = [...list].reverse().find((f) => f.status === 'reported' && f.as_of < v.as_of);
        if (rep) found.push(rep);
      }
    } else {
      acc.missing++;
      missing.push(p!);
    }
  }
  const uniq = found.filter(
    (v, i) => found.findIndex((w) => w.as_of === v.as_of && w.period_start === v.period_start && w.standard === v.standard) === i,
  );
  for (const v of uniq) acc.lines.push(figureLine(v, fc));
  for (const p of missing) {
    let line = `Chưa có số liệu ${lcFirst(label)} ${pointText(p)}.`;
    const ref = refDate(p);
    if (area.validFrom && ref < area.validFrom && area.predecessorIds.length) {
      const parts = partsLines(ind, area, p, today, deps, series);
      line += ` ${parts.lines.join(' ')}`;
      acc.used.push(...parts.used);
    } else {
      const near = [[...list].reverse().find((f) => f.as_of <= ref), list.find((f) => f.as_of > ref)].filter(
        (x): x is Val => !!x && !uniq.some((u) => u.as_of === x.as_of && u.period_start === x.period_start),
      );
      if (near.length) {
        acc.used.push(...near);
        line += ` Số liệu gần nhất hiện có: ${near.map((n) => `${valueText(catalog, n)}, ${timeText(n)}${extra(n, fc)}`).join('; và ')}.`;
      }
      line += related(ind, area, p, fc, acc);
    }
    acc.lines.push({ t: 'text', text: line });
  }
  acc.used.push(...uniq);
  acc.shown.set(`${ind.id}|${area.id}`, uniq);
  changes(ind, list, uniq, fc, acc);
  if (uniq.some((v) => area.validFrom && v.as_of < area.validFrom && !v.area.validTo)) note(acc, newBeforeNote(area, areas));
  afterEnd(ind, area, fc, acc);
}

/** Change between the asked dates, or against the previous figure when "tăng hay giảm" is asked. */
function changes(ind: Indicator, list: Val[], uniq: Val[], fc: FigureCtx, acc: Acc): void {
  const { res, plan } = fc;
  if (['change', 'target'].includes(ind.kind)) return;
  const chrono = [...uniq].sort((a, b) => a.as_of.localeCompare(b.as_of));
  if (chrono.length >= 2 && chrono[0].as_of !== chrono[chrono.length - 1].as_of) {
    acc.changes++;
    acc.lines.push({ t: 'text', text: changeLine(chrono[0], chrono[chrono.length - 1], fc) });
  } else if (chrono.length === 1 && res.wantsChange && plan.compare.length === 0 && !res.wantsPlanRatio) {
    const cur = chrono[0];
    const prev = [...list]
      .reverse()
      .find((f) => f.as_of < cur.as_of && (f.period_start === '') === (cur.period_start === '') && sameMeasure(f, cur));
    if (prev) {
      acc.lines.push(figureLine(prev, fc));
      acc.used.push(prev);
      acc.changes++;
      acc.lines.push({ t: 'text', text: changeLine(prev, cur, fc) });
    }
  }
}
