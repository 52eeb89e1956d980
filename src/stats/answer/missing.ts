import type { Area } from '../areas.ts';
import type { Indicator } from '../catalog.ts';
import { lcFirst, pointText, refDate, timeText, ucFirst } from './format.ts';
import { type Acc, afterEnd, type FigureCtx, related } from './lines.ts';
import { nearest } from './pick.ts';
import { newBeforeNote, partsLines } from './succession.ts';

/**
 * No figure at all for an indicator and area: "chưa có số liệu", then the nearest thing that honestly
 * exists: a new province's former provinces (or why the merged figure cannot be computed), the level
 * above a district (named, offered as a button, never given as the district's figure), related
 * figures of the same area, or the places that do have the indicator.
 */

/** No figure at all for this indicator and area: say so, and name the nearest level or measure that has one. */
export function missingAll(ind: Indicator, area: Area, fc: FigureCtx, acc: Acc): void {
  const { plan, res, today, deps, series } = fc;
  acc.missing++;
  let line = `Chưa có số liệu ${lcFirst(ind.label)} của ${area.displayName}${plan.points.length ? ` ${plan.points.map(pointText).join(', ')}` : ''}.`;
  const parent = area.parentId ? deps.areas.byId.get(area.parentId) : undefined;
  const ref = plan.points[0] ? refDate(plan.points[0]) : today;
  if (area.predecessorIds.length && area.validFrom && ref < area.validFrom) {
    const parts = partsLines(ind, area, plan.points[0] ?? null, today, deps, series);
    acc.lines.push({ t: 'text', text: `${line} ${parts.lines.join(' ')}` });
    acc.used.push(...parts.used);
    return;
  }
  if (area.predecessorIds.length) {
    // A new province with no figure of its own yet: other figures it has, then its former provinces' latest, each named.
    const parts = partsLines(ind, area, null, today, deps, series);
    const rel = related(ind, area, plan.points[0] ?? null, fc, acc);
    const formed = ucFirst(newBeforeNote(area, deps.areas).replace(/^Lưu ý: /, ''));
    acc.lines.push({ t: 'text', text: `${line}${rel} ${formed} ${parts.lines.slice(1).join(' ')}`.trim() });
    acc.used.push(...parts.used);
    return;
  }
  if (parent && area.level === 'district' && !res.breakdown) {
    // Name the nearest level that has the figure; its number is offered as a button, never given as the district's.
    const near = nearest(series.full(ind, parent), plan.points[0] ? refDate(plan.points[0]) : today);
    if (near) {
      line += ` Cấp gần nhất có số liệu là cấp tỉnh: ${parent.displayName} (có số liệu ${timeText(near)}); số của tỉnh là số chung của cả tỉnh, không phải số của ${area.displayName}.`;
      acc.buttons.push({ label: `Xem số liệu ${parent.displayName}`.slice(0, 60), payload: `stats:trend:${ind.id}:${parent.id}` });
    }
    acc.lines.push({ t: 'text', text: line });
    return;
  }
  const rel = related(ind, area, plan.points[0] ?? null, fc, acc);
  const others = [...deps.areas.byId.values()].filter((a) => a.id !== area.id && series.stored(ind, a).length > 0);
  // Name the places an official is most likely to want: the nation and the area's region first.
  const near = [deps.areas.national?.id, area.regionId];
  others.sort((a, b) => Number(near.includes(b.id)) - Number(near.includes(a.id)));
  if (rel) line += rel;
  else if (others.length)
    line += ` Chỉ tiêu này hiện có số liệu cho ${others.length} địa bàn khác, ví dụ: ${others
      .slice(0, 4)
      .map((a) => a.displayName)
      .join(', ')}.`;
  acc.absent.push({ ind, area, line });
  afterEnd(ind, area, fc, acc);
}
