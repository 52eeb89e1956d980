import { formatDate } from '../../format/vi.ts';
import type { Area, Areas } from '../areas.ts';
import type { Indicator } from '../catalog.ts';
import type { TimePoint } from '../resolve/index.ts';
import { nextDay, refDate, timeText, ucFirst, valueText } from './format.ts';
import { atPoint, latestOf, nearest, type Series } from './series.ts';
import type { AnswerDeps, Val } from './types.ts';

/**
 * Provinces that merged on 01/07/2025: which area a question means, and the sentences that spell the
 * succession out ("tỉnh Hà Giang chỉ tồn tại đến 30/06/2025; từ 01/07/2025 tỉnh Hà Giang và tỉnh
 * Tuyên Quang hợp nhất thành tỉnh Tuyên Quang"), so no figure is shown for the wrong territory.
 */

/** The area a figure dated `ref` belongs to, among candidates sharing a name (former and new Lâm Đồng). */
export function pickArea(cands: Area[], ind: Indicator, points: TimePoint[], today: string, series: Series, wantTarget: boolean): Area {
  if (cands.length === 1) return cands[0];
  const ref = points[0] ? refDate(points[0]) : today;
  const exists = (a: Area) => (!a.validFrom || a.validFrom <= ref) && (!a.validTo || a.validTo >= ref);
  const valid = cands.find(exists) ?? cands[0];
  if (!points.length) return valid;
  const has = (a: Area, stored: boolean) =>
    points.some((p) => atPoint(stored ? series.stored(ind, a, wantTarget) : series.full(ind, a, wantTarget), p));
  if (has(valid, false)) return valid;
  // A figure published for the other territory at exactly that date (a merged province's 2024 review) is shown, labelled.
  return cands.find((a) => a !== valid && has(a, true)) ?? valid;
}

/** "tỉnh Hà Giang và tỉnh Tuyên Quang (trước sáp nhập) hợp nhất thành tỉnh Tuyên Quang". */
export function mergerText(merged: Area, areas: Areas): string {
  const parts = merged.predecessorIds.map((id) => areas.byId.get(id)?.displayName ?? id);
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} và ${parts[parts.length - 1]}` : (parts[0] ?? '');
  return `${list} hợp nhất thành ${merged.displayName}`;
}

/** Where an area went: its successor, or its province's successor (a former district). */
export function successorOf(area: Area, areas: Areas): Area | null {
  if (area.successorId) return areas.byId.get(area.successorId) ?? null;
  const parent = area.parentId ? areas.byId.get(area.parentId) : undefined;
  if (parent?.validTo) return successorOf(parent, areas);
  return null;
}

/** The note for a question about an area after it ceased to exist (a former province or district). */
export function afterEndNote(area: Area, areas: Areas, shownOwn = true): string {
  const end = area.validTo!;
  const from = formatDate(nextDay(end));
  const merged = successorOf(area, areas);
  if (area.level === 'district') {
    const parent = area.parentId ? areas.byId.get(area.parentId) : undefined;
    return `Lưu ý: từ ${from} cấp huyện không còn; các huyện, thị xã, thành phố cũ của ${parent?.displayName ?? 'tỉnh'}${merged ? ` nay thuộc ${merged.displayName}` : ''}.${shownOwn ? ' Số liệu cấp huyện trên là số liệu cuối cùng hiện có.' : ''}`;
  }
  return (
    `Lưu ý: ${area.displayName} chỉ tồn tại đến ${formatDate(end)}` +
    (merged ? `; từ ${from}, ${mergerText(merged, areas)} (mới)` : '') +
    (shownOwn ? `. Số liệu trên là số liệu cuối cùng hiện có của ${area.displayName}.` : '.')
  );
}

/** The note for a figure of a former province when the question's name is also a new province's. */
export function formerNote(former: Area, current: Area, areas: Areas): string {
  return `Lưu ý: số liệu trên là của ${former.displayName}, trước ngày ${formatDate(current.validFrom ?? '')}. ${ucFirst(current.displayName)} hiện nay được hình thành từ ${formatDate(current.validFrom ?? '')}: ${mergerText(current, areas)}.`;
}

/** The note for a figure of a new province dated before it existed. */
export function newBeforeNote(area: Area, areas: Areas): string {
  return `Lưu ý: ${area.displayName} được hình thành từ ${formatDate(area.validFrom ?? '')} (${mergerText(area, areas)}); số liệu trước ngày này là của địa bàn các tỉnh cũ hợp thành.`;
}

/**
 * When a merged province has no figure (stored or computable) at the point asked: says why it cannot
 * be computed and shows the parts that are known, each with its own date.
 */
export function partsLines(
  ind: Indicator,
  area: Area,
  point: TimePoint | null,
  today: string,
  deps: AnswerDeps,
  series: Series,
): {
  lines: string[];
  used: Val[];
} {
  const ref = point ? refDate(point) : (area.validFrom ?? today);
  const used: Val[] = [];
  const lines: string[] = [];
  const have: string[] = [];
  const lack: string[] = [];
  for (const id of area.predecessorIds) {
    const part = deps.areas.byId.get(id);
    if (!part) continue;
    const s = series.full(ind, part);
    const v = (point ? atPoint(s, point) : null) ?? nearest(s, ref) ?? latestOf(s, today);
    if (v) {
      used.push(v);
      have.push(`${part.displayName}: ${valueText(deps.catalog, v)}, ${timeText(v)}`);
    } else lack.push(part.displayName);
  }
  lines.push(
    `Không tính được ${ind.label.charAt(0).toLowerCase()}${ind.label.slice(1)} của ${area.displayName} cho thời điểm này: cần số liệu cùng thời điểm, cùng cách đo của tất cả các tỉnh cũ hợp thành (${mergerText(area, deps.areas)}).` +
      (ind.kind === 'rate' ? ' Tỷ lệ của tỉnh mới chỉ tính được từ số hộ và tổng số hộ, không lấy trung bình các tỷ lệ.' : ''),
  );
  if (have.length) lines.push(`Số liệu hiện có của từng tỉnh cũ: ${have.join('; ')}.`);
  if (lack.length) lines.push(`Chưa có số liệu này của: ${lack.join(', ')}.`);
  return { lines, used };
}
