import { formatDate, formatNumber } from '../../format/vi.ts';
import type { Catalog } from '../catalog.ts';
import type { TimePoint } from '../resolve/index.ts';
import type { Val } from './types.ts';

/**
 * How figures, dates and periods are written in answers (6.621 hộ; 1,96%; "cuối năm 2023
 * (31/12/2023)"), and how a figure's measure, standard and status are named in words officials use.
 */

/** A value with its unit: "6.621 hộ", "1,96%", "1,3 triệu người", "hơn 8.300 hộ". */
export function formatValue(catalog: Catalog, value: number, unit: string, qualifier = ''): string {
  const u = catalog.units.get(unit) ?? { suffix: ` ${unit}`, decimals: 2, millions: false };
  const num =
    u.millions && Math.abs(value) >= 1e6 && Math.round(value / 1e4) * 1e4 === value
      ? `${formatNumber(value / 1e6, 2)} triệu`
      : formatNumber(value, u.decimals);
  const q = qualifier === 'at_least' ? 'hơn ' : qualifier === 'about' ? 'khoảng ' : '';
  return `${q}${num}${u.suffix}`;
}

/** " (ước tính)", " (số liệu sơ bộ)", " (chỉ tiêu)"; nothing for a final figure. */
export function statusText(catalog: Catalog, status: string): string {
  const say = catalog.statuses.get(status) ?? '';
  return say ? ` (${say})` : '';
}

/** A figure's value as the answer writes it; a change says "giảm"/"tăng". */
export function valueText(catalog: Catalog, v: Val): string {
  if (v.ind.kind === 'change' && v.value !== 0)
    return `${v.value < 0 ? 'giảm' : 'tăng'} ${formatValue(catalog, Math.abs(v.value), v.unit, v.qualifier)}${statusText(catalog, v.status)}`;
  return `${formatValue(catalog, v.value, v.unit, v.qualifier)}${statusText(catalog, v.status)}`;
}

/** When a figure refers to: "cuối năm 2023 (31/12/2023)", "năm 2023 (từ 01/01/2023 đến 31/12/2023)". */
export function timeText(f: { as_of: string; period_start: string; note: string }): string {
  if (/cumulative/i.test(f.note)) return `lũy kế đến ${formatDate(f.as_of)}`;
  if (f.period_start) {
    const y = f.as_of.slice(0, 4);
    if (f.period_start === `${y}-01-01` && f.as_of === `${y}-12-31`) return `năm ${y} (từ 01/01/${y} đến 31/12/${y})`;
    return `từ ${formatDate(f.period_start)} đến ${formatDate(f.as_of)}`;
  }
  if (f.as_of.endsWith('-01-01')) return `đầu năm ${f.as_of.slice(0, 4)} (${formatDate(f.as_of)})`;
  if (f.as_of.endsWith('-12-31')) return `cuối năm ${f.as_of.slice(0, 4)} (${formatDate(f.as_of)})`;
  return `tại thời điểm ${formatDate(f.as_of)}`;
}

/** How the question's time is named when no figure answers it ("năm 2024", "đầu năm 2023 (01/01/2023)"). */
export function pointText(p: TimePoint | null): string {
  if (!p) return 'mới nhất';
  switch (p.kind) {
    case 'date':
      return `tại thời điểm ${formatDate(p.date)}`;
    case 'start':
      return `đầu năm ${p.year} (01/01/${p.year})`;
    case 'end':
      return `cuối năm ${p.year} (31/12/${p.year})`;
    case 'year':
      return `năm ${p.year}`;
    case 'months':
      return `${p.months} tháng đầu năm ${p.year}`;
    case 'range':
      return `giai đoạn ${p.from}-${p.to}`;
  }
}

/** The day a time point refers to (the end of a year, of a range, of the first months). */
export function refDate(p: TimePoint): string {
  switch (p.kind) {
    case 'date':
      return p.date;
    case 'start':
      return `${p.year}-01-01`;
    case 'end':
    case 'year':
      return `${p.year}-12-31`;
    case 'months':
      return monthEnd(p.year, p.months);
    case 'range':
      return `${p.to}-12-31`;
  }
}

/** The last day of a month (ISO). */
export function monthEnd(y: number, m: number): string {
  return new Date(Date.UTC(y, Math.min(12, Math.max(1, m)), 0)).toISOString().slice(0, 10);
}

/** The day after an ISO date. */
export function nextDay(iso: string): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + 86400e3).toISOString().slice(0, 10);
}

/** Days between two ISO dates. */
export function days(a: string, b: string): number {
  return Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86400e3;
}

export function lcFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

export function ucFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The source's notes in Vietnamese (" (số lũy kế; gồm cả hộ nghèo và hộ cận nghèo)"). */
export function noteText(catalog: Catalog, note: string): string {
  const says = catalog.notes.filter((n) => note.toLowerCase().includes(n.match.toLowerCase()) && n.say !== 'số lũy kế').map((n) => n.say);
  return says.length ? ` (${[...new Set(says)].join('; ')})` : '';
}

/** "theo kết quả rà soát hộ nghèo, hộ cận nghèo", or '' for figures that are not a poverty measure. */
export function measureSay(catalog: Catalog, measure: string): string {
  return catalog.measures.get(measure as 'review')?.say ?? '';
}

/** "chuẩn nghèo đa chiều giai đoạn 2022-2025", or '' when no standard applies. */
export function standardLabel(catalog: Catalog, standard: string): string {
  return standard ? (catalog.standards.get(standard)?.label ?? `chuẩn ${standard}`) : '';
}

/** A figure's measure and standard in one phrase ("theo Khảo sát mức sống dân cư ..., chuẩn nghèo ..."). */
export function measureStandard(catalog: Catalog, v: Pick<Val, 'measure' | 'standard'>): string {
  return [measureSay(catalog, v.measure), standardLabel(catalog, v.standard)].filter(Boolean).join(', ');
}

/** Whether two figures can stand on one line, one chart, or in one difference: same measure and standard. */
export function sameMeasure(a: Pick<Val, 'measure' | 'standard'>, b: Pick<Val, 'measure' | 'standard'>): boolean {
  return a.measure === b.measure && a.standard === b.standard;
}

/** The number shown above a bar: the value as the answer writes it, digits and punctuation only. */
export function chartLabel(shown: string): string {
  const digits = shown.replace(/[^0-9.,%-]/g, '');
  return digits.length <= 12 ? digits : '';
}
