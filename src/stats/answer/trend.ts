import { formatDate } from '../../format/vi.ts';
import type { Area } from '../areas.ts';
import type { Indicator } from '../catalog.ts';
import type { TimePoint } from '../resolve/index.ts';
import { lcFirst, noteText, pointText, sameMeasure, standardLabel, timeText, ucFirst, valueText } from './format.ts';
import { type Acc, afterEnd, changeLine, extra, type FigureCtx, note } from './lines.ts';
import { atPoint, nearest } from './pick.ts';
import type { Val } from './types.ts';

/**
 * A series over the years ("qua các năm", "xu hướng", "có biểu đồ không"): the figures in order, each
 * marked with its poverty standard when the series crosses a change of standard, a note saying the two
 * parts are not comparable, the change over the period when asked, and the series kept for the chart.
 */

/** A series over the years ("qua các năm", "xu hướng", "biểu đồ"), marking a change of standard. */
export function trend(
  ind: Indicator,
  area: Area,
  series: Val[],
  range: Extract<TimePoint, { kind: 'range' }> | undefined,
  label: string,
  fc: FigureCtx,
  acc: Acc,
): void {
  const { res, deps, today } = fc;
  let list = series;
  const years = fc.plan.points.filter((p) => p.kind !== 'range');
  if (years.length >= 2) {
    // "các năm 2022, 2023 và 2024": those years only.
    const picked = years.map((p) => atPoint(series, p)).filter((v): v is Val => !!v);
    list = series.filter((v) => picked.includes(v));
  } else if (range) {
    const flow = series.find((f) => f.period_start === `${range.from}-01-01` && f.as_of === `${range.to}-12-31`);
    list = flow && !res.trend ? [flow] : series.filter((f) => f.as_of >= `${range.from}-01-01` && f.as_of <= `${range.to}-12-31`);
  }
  if (list.length === 0) {
    acc.missing++;
    const near = nearest(series, range ? `${range.to}-12-31` : today);
    acc.lines.push({
      t: 'text',
      text:
        `Chưa có số liệu ${lcFirst(label)} ${range ? pointText(range) : ''}.` +
        (near ? ` Số liệu gần nhất hiện có: ${valueText(deps.catalog, near)}, ${timeText(near)}${extra(near, fc)}.` : ''),
    });
    if (near) acc.used.push(near);
    return;
  }
  acc.exact++;
  const asked = fc.plan.points.filter((p) => p.kind !== 'range' && !atPoint(list, p));
  if (asked.length) acc.lines.push({ t: 'text', text: `Chưa có số liệu ${lcFirst(label)} ${asked.map(pointText).join(', ')}.` });
  const standards = [...new Set(list.map((f) => f.standard))];
  const items = list.map((f) => {
    const std = standards.length > 1 ? ` (${standardLabel(deps.catalog, f.standard)})` : '';
    return `${ucFirst(timeText(f))}${std}: ${valueText(deps.catalog, f)}${f.derived ? ` (${f.derived.text})` : ''}${noteText(deps.catalog, f.note)}`;
  });
  acc.lines.push({ t: 'series', title: `${label}:`, items });
  acc.used.push(...list);
  acc.shown.set(`${ind.id}|${area.id}`, list);
  if (standards.length > 1) {
    const spans = standards.map((st) => {
      const of = list.filter((f) => f.standard === st);
      const a = formatDate(of[0].as_of);
      const b = formatDate(of[of.length - 1].as_of);
      return `${standardLabel(deps.catalog, st)} (${a === b ? a : `${a} đến ${b}`})`;
    });
    note(
      acc,
      `Lưu ý: dãy số trên đổi chuẩn nghèo: ${spans.join('; ')}. Số liệu của hai chuẩn khác nhau không so sánh trực tiếp: chênh lệch giữa chúng không phải là mức tăng, giảm thực tế.`,
    );
  }
  if (res.wantsChange && list.length >= 2) {
    const last = list[list.length - 1];
    const first = list.find((f) => sameMeasure(f, last) && f.as_of < last.as_of);
    if (first) {
      acc.changes++;
      acc.lines.push({ t: 'text', text: changeLine(first, last, fc) });
    }
  }
  if (list.length >= 2 && !acc.chart) acc.chart = list;
  afterEnd(ind, area, fc, acc);
}
