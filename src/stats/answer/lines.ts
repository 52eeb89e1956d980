import type { Button } from '../../domain/types.ts';
import { formatDate, formatNumber } from '../../format/vi.ts';
import type { Area } from '../areas.ts';
import { type Indicator, standardByDate } from '../catalog.ts';
import type { Resolution, TimePoint } from '../resolve/index.ts';
import { formatValue, lcFirst, noteText, refDate, sameMeasure, standardLabel, timeText, valueText } from './format.ts';
import type { Plan } from './plan.ts';
import { atPoint, latestOf } from './pick.ts';
import type { Series } from './series.ts';
import { afterEndNote, successorOf } from './succession.ts';
import type { AnswerDeps, Line, Val } from './types.ts';

/**
 * The building blocks every part of an answer shares: what the answer collects while it is built,
 * a figure's line, the change between two figures (never across two standards), related figures of
 * the same area, and the note about an area that no longer exists.
 */

/** What the answer collects while it is built. */
export interface Acc {
  lines: Line[];
  notes: string[];
  used: Val[];
  /** `${indicator}|${area}` → the values shown (for sums, ratios, comparisons). */
  shown: Map<string, Val[]>;
  /** Indicators with no figure at all for an area (summed up at the end). */
  absent: { ind: Indicator; area: Area; line: string }[];
  exact: number;
  missing: number;
  /** The series drawn as a chart (the first trend with two or more figures). */
  chart: Val[] | null;
  /** Buttons offered under the answer (the figures of the nearest level that has them). */
  buttons: Button[];
  /** How many changes between two figures were computed. */
  changes: number;
}

export interface FigureCtx {
  plan: Plan;
  res: Resolution;
  today: string;
  deps: AnswerDeps;
  series: Series;
}

export function newAcc(): Acc {
  return { lines: [], notes: [], used: [], shown: new Map(), absent: [], exact: 0, missing: 0, chart: null, buttons: [], changes: 0 };
}

/** Adds a note once. */
export function note(acc: Acc, text: string): void {
  if (!acc.notes.includes(text)) acc.notes.push(text);
}

/** A figure's line: "<label> của <area> <time>" and its value, with how it was computed and its notes. */
export function figureLine(v: Val, fc: FigureCtx): Line {
  const { catalog } = fc.deps;
  return {
    t: 'figure',
    subject: `${v.ind.label} của ${v.area.displayName} ${timeText(v)}`,
    value: `${valueText(catalog, v)}${extra(v, fc)}`,
  };
}

/** Standard (when not the one in force today), how it was computed, and the source's notes. */
export function extra(v: Val, fc: FigureCtx): string {
  const { catalog } = fc.deps;
  const std =
    v.standard && v.standard !== 'local' && v.standard !== standardByDate(catalog, fc.today) ? standardLabel(catalog, v.standard) : '';
  return `${std ? ` (theo ${std})` : ''}${v.derived ? ` (${v.derived.text})` : ''}${noteText(catalog, v.note)}`;
}

/** The change between two figures, or why it is not computed. */
export function changeLine(a: Val, b: Val, fc: FigureCtx): string {
  const { catalog } = fc.deps;
  if (!sameMeasure(a, b))
    return `Không tính mức thay đổi giữa ${formatDate(a.as_of)} và ${formatDate(b.as_of)}: hai số liệu theo hai cách đo hoặc hai chuẩn nghèo khác nhau (${standardLabel(catalog, a.standard) || a.measure}; ${standardLabel(catalog, b.standard) || b.measure}), không so sánh trực tiếp được.`;
  const d = b.value - a.value;
  const dir = d < 0 ? 'giảm' : d > 0 ? 'tăng' : 'không đổi';
  let amount: string;
  if (a.unit === 'percent') amount = `${formatNumber(Math.abs(d), 2)} điểm phần trăm`;
  else {
    amount = formatValue(catalog, Math.abs(d), a.unit);
    if (a.value) amount += ` (${formatNumber(Math.abs(d / a.value) * 100, 1)}%)`;
  }
  return `Thay đổi từ ${formatDate(a.as_of)} đến ${formatDate(b.as_of)}: ${dir}${d === 0 ? '' : ` ${amount}`} (tính từ hai số liệu ${valueText(catalog, a)} và ${valueText(catalog, b)}).`;
}

/**
 * Other figures of the same area and time in the same field (poor + near-poor when the poor-only rate is
 * missing, the GSO survey rate when the review has none): each on its own, named by its own label.
 */
export function related(ind: Indicator, area: Area, p: TimePoint | null, fc: FigureCtx, acc: Acc): string {
  const { deps, series, today } = fc;
  if (ind.family !== 'poverty' && ind.family !== 'poverty_survey') return '';
  const sameTags = (a: Indicator) => a.tags.every((t) => ind.tags.includes(t) || t === 'local_standard');
  const out: Val[] = [];
  for (const other of deps.catalog.indicators.values()) {
    if (other.id === ind.id || other.kind === 'target' || other.kind === 'change' || !sameTags(other)) continue;
    if (other.family !== 'poverty' && other.family !== 'poverty_survey') continue;
    const list = series.stored(other, area);
    const v = p ? atPoint(list, p) : latestOf(list, today);
    if (v && !out.some((o) => o.ind.id === v.ind.id)) out.push(v);
    if (out.length >= 3) break;
  }
  if (!out.length) return '';
  acc.used.push(...out);
  return ` Hiện có số liệu khác của ${area.displayName}: ${out.map((v) => `${lcFirst(v.ind.label)} ${timeText(v)} là ${valueText(deps.catalog, v)}${extra(v, fc)}`).join('; ')}.`;
}

/** A question about an area that no longer exists: its last figures, the succession, and the successor's figure. */
export function afterEnd(ind: Indicator, area: Area, fc: FigureCtx, acc: Acc): void {
  const { plan, today, deps, series } = fc;
  const askedAfter = plan.latestMode ? today : plan.points.map(refDate).sort().pop()!;
  if (!area.validTo || askedAfter <= area.validTo) return;
  note(
    acc,
    afterEndNote(
      area,
      deps.areas,
      acc.used.some((v) => v.area.id === area.id),
    ),
  );
  const merged = successorOf(area, deps.areas);
  if (!merged) return;
  // The successor's own figure (never computed from this area), at the time asked or its latest, named as its.
  const own = series.stored(ind, merged).filter((v) => !merged.validFrom || v.as_of >= merged.validFrom);
  const after = plan.points.filter((p) => refDate(p) > area.validTo!);
  const lv = plan.latestMode ? latestOf(own, today) : (after.map((p) => atPoint(own, p)).find((v) => v) ?? null);
  if (lv) {
    acc.lines.push({
      t: 'figure',
      subject: `${ind.label} của ${merged.displayName} (sau hợp nhất) ${timeText(lv)}`,
      value: valueText(deps.catalog, lv),
    });
    acc.used.push(lv);
  }
}
