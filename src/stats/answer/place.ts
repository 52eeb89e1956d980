import type { Button } from '../../domain/types.ts';
import type { Area } from '../areas.ts';
import type { Indicator } from '../catalog.ts';
import type { PlaceMention } from '../resolve/index.ts';
import { lcFirst, pointText, refDate } from './format.ts';
import type { FigureCtx } from './lines.ts';

/**
 * A question about a place that has no figures of its own (a commune, a district, a sub-region): the
 * answer says "chưa có số liệu", names the level the system has figures for and the nearest area of
 * that level, and offers that area's figures as a button. It never shows the province's figure as the
 * commune's.
 */

const LEVEL_WORDS: Record<string, string> = {
  commune: 'cấp xã',
  district: 'cấp huyện',
  province: 'cấp tỉnh',
  region: 'cấp vùng',
  national: 'cả nước',
};

/** The nearest area around the place that has figures for the indicators (walking up, and across a merger). */
function nearestWithFigures(start: Area | null, inds: Indicator[], fc: FigureCtx): Area | null {
  const { deps, series, plan, today } = fc;
  const ref = plan.points[0] ? refDate(plan.points[0]) : today;
  let a = start;
  for (let hops = 0; a && hops < 6; hops++) {
    if (inds.some((i) => series.full(i, a!).length > 0)) return a;
    if (a.validTo && a.validTo < ref && a.successorId) a = deps.areas.byId.get(a.successorId) ?? null;
    else a = a.parentId ? (deps.areas.byId.get(a.parentId) ?? null) : null;
  }
  return null;
}

export function placeAnswer(place: PlaceMention, fc: FigureCtx): { text: string; buttons: Button[] } {
  const { plan } = fc;
  const labels = plan.inds.map((i) => lcFirst(i.label)).join(', ');
  const when = plan.points.length ? ` ${plan.points.map(pointText).join(', ')}` : '';
  const level = LEVEL_WORDS[place.level] ?? '';
  let text = `Dạ, chưa có số liệu ${labels} của ${place.name}${when}: hệ thống chưa có số liệu ${level ? `${level} ` : ''}cho ${place.name}.`;
  const near = nearestWithFigures(place.inArea, plan.inds, fc);
  const buttons: Button[] = [];
  if (near) {
    text += ` Cấp gần nhất có số liệu là ${LEVEL_WORDS[near.level] ?? near.level}: ${near.displayName}. Số của ${near.displayName} là số chung của cả địa bàn đó, không phải số của ${place.name}.`;
    const ind = plan.inds[0];
    const phrase = (ind.rawPhrasings.find((p) => !p.includes('...')) ?? ind.label).trim();
    buttons.push({ label: `Xem số liệu ${near.displayName}`.slice(0, 60), payload: `ask:${phrase} ${near.name}${when}`.slice(0, 290) });
  } else
    text +=
      ' Số liệu trong hệ thống có ở cấp cả nước, vùng và tỉnh, thành phố. Anh/chị cho biết nơi này thuộc tỉnh, thành phố nào để xem số liệu cấp tỉnh.';
  return { text, buttons };
}
