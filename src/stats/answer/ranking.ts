import { formatDate } from '../../format/vi.ts';
import type { Indicator } from '../catalog.ts';
import type { TimePoint } from '../resolve/index.ts';
import { measureStandard, valueText } from './format.ts';
import { type Acc, type FigureCtx, note } from './lines.ts';
import { atPoint } from './series.ts';
import type { Val } from './types.ts';

/**
 * "Tỉnh nào có tỷ lệ hộ nghèo cao nhất", "5 tỉnh thấp nhất", "vùng nào": provinces (or regions) that
 * existed on the date ranked by one indicator, among those that have the figure for that exact date
 * and standard. The answer says how many of them have it; when the administrative review covers only
 * some provinces, the GSO survey's complete table is shown as a second, separately named ranking.
 */

const DEFAULT_COUNT = 5;

/** Ranks and adds the lines; returns false when there is nothing to rank. */
export function nationalRanking(fc: FigureCtx, acc: Acc): boolean {
  const { res, plan, deps } = fc;
  const ask = res.ranking;
  if (!ask || res.breakdown) return false;
  // "Không còn hộ nghèo" is a count of zero; otherwise the rate (or count) asked.
  const ind =
    (ask.zero ? plan.inds.find((i) => i.kind === 'count') : undefined) ??
    plan.inds.find((i) => i.kind === 'rate' || i.kind === 'count') ??
    plan.inds[0];
  if (!ind) return false;
  const point = plan.points[0] ?? null;
  const table = rankTable(ind, ask.level, point, fc);
  if (!table) {
    acc.missing++;
    acc.lines.push({
      t: 'text',
      text: `Chưa có số liệu ${ind.label.charAt(0).toLowerCase()}${ind.label.slice(1)} của các ${ask.level === 'region' ? 'vùng' : 'tỉnh, thành phố'}${point ? ` ${pointWords(point)}` : ''} để xếp hạng.`,
    });
  } else {
    acc.exact++;
    addTable(ind, table, fc, acc);
  }
  // The review covers only some provinces: the survey ranks all of them (another measure, named as such).
  const gso = [...deps.catalog.indicators.values()].find((i) => i.measure === 'gso_survey' && i.kind === ind.kind);
  if (gso && gso.id !== ind.id && !res.measure && ask.level === 'province' && ind.family === 'poverty' && ind.kind === 'rate') {
    const t2 = rankTable(gso, 'province', point, fc);
    if (t2 && t2.rows.length === t2.total && (!table || table.rows.length < table.total)) addTable(gso, t2, fc, acc);
  }
  return true;
}

interface Table {
  rows: Val[];
  total: number;
  date: string;
}

function pointWords(p: TimePoint): string {
  return 'year' in p ? `năm ${p.year}` : p.kind === 'date' ? `tại thời điểm ${formatDate(p.date)}` : `giai đoạn ${p.from}-${p.to}`;
}

/** The figures of every area of the level on one date (the asked one, or the latest well-covered one). */
function rankTable(ind: Indicator, level: 'province' | 'region', point: TimePoint | null, fc: FigureCtx): Table | null {
  const { deps, series, today } = fc;
  const all = [...deps.areas.byId.values()].filter((a) => a.level === level);
  const byDate = new Map<string, Val[]>();
  for (const a of all)
    for (const v of series.stored(ind, a)) {
      if (v.as_of > today || v.standard === 'local') continue;
      if (point && !atPoint([v], point)) continue;
      const exists = (!a.validFrom || a.validFrom <= v.as_of) && (!a.validTo || a.validTo >= v.as_of);
      if (!exists) continue;
      const k = `${v.as_of}|${v.standard}`;
      byDate.set(k, [...(byDate.get(k) ?? []), v]);
    }
  if (!byDate.size) return null;
  const total = (k: string) => deps.areas.atLevel(level, k.split('|')[0]).length;
  const max = Math.max(...[...byDate.values()].map((l) => l.length));
  // The latest date every area has; else the latest whose coverage is at least half of the best one.
  const dates = [...byDate.entries()].sort(([a], [b]) => b.localeCompare(a));
  const [key, rows] = dates.find(([k, l]) => l.length >= total(k)) ?? dates.find(([, l]) => l.length * 2 >= max)!;
  return { rows, total: total(key), date: key.split('|')[0] };
}

function addTable(ind: Indicator, table: Table, fc: FigureCtx, acc: Acc): void {
  const { res, deps } = fc;
  const ask = res.ranking!;
  const dir = ask.dir;
  const sorted = [...table.rows]
    .filter((v) => !ask.zero || v.value === 0)
    .sort((a, b) => (dir === 'max' ? b.value - a.value : a.value - b.value));
  // Six regions are listed whole; provinces five at a time unless a number was asked.
  const n = Math.min(sorted.length, ask.count ?? (ask.level === 'region' ? sorted.length : DEFAULT_COUNT));
  const unit = ask.level === 'region' ? 'vùng' : 'tỉnh, thành phố';
  const how = measureStandard(deps.catalog, sorted[0]);
  const whole = n === sorted.length;
  const title = ask.zero
    ? `${sorted.length ? 'Các' : 'Chưa có'} ${unit} có ${ind.label.charAt(0).toLowerCase()}${ind.label.slice(1)} bằng 0 tại ${formatDate(table.date)}${how ? ` (${how})` : ''}, trong ${table.rows.length} ${unit} có số liệu (trên tổng số ${table.total} ${unit} lúc đó)${sorted.length ? ':' : '.'}`
    : whole
      ? `${ind.label} tại ${formatDate(table.date)}${how ? ` (${how})` : ''}, xếp từ ${dir === 'max' ? 'cao đến thấp' : 'thấp đến cao'}, ` +
        `${n} ${unit} có số liệu (trên tổng số ${table.total} ${unit} lúc đó):`
      : `${ind.label} ${dir === 'max' ? 'cao nhất' : 'thấp nhất'} tại ${formatDate(table.date)}${how ? ` (${how})` : ''}, ` +
        `${n} trong ${table.rows.length} ${unit} có số liệu (trên tổng số ${table.total} ${unit} lúc đó):`;
  const items = sorted.slice(0, n).map((v, i) => `${i + 1}. ${v.area.displayName}: ${valueText(deps.catalog, v)}`);
  acc.lines.push({ t: 'series', title, items });
  acc.used.push(...sorted.slice(0, n));
  if (table.rows.length < table.total)
    note(
      acc,
      `Lưu ý: hệ thống mới có số liệu ${ind.label.charAt(0).toLowerCase()}${ind.label.slice(1)} tại ${formatDate(table.date)} của ${table.rows.length}/${table.total} ${unit}, nên thứ hạng trên chỉ tính trong các ${unit} có số liệu, chưa phải thứ hạng của cả nước.`,
    );
}
