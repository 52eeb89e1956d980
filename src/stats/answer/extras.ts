import { formatNumber } from '../../format/vi.ts';
import { matchesAny } from '../text.ts';
import { formatValue, lcFirst, refDate, sameMeasure, timeText, valueText } from './format.ts';
import { type Acc, extra, type FigureCtx } from './lines.ts';
import { atPoint, latestOf, nearest } from './series.ts';
import { pickArea } from './succession.ts';
import type { Val } from './types.ts';

/**
 * What officials ask beyond a figure: the district with the most or least, the result against the
 * plan, a total of several figures, and a comparison with the nation or the region. Each works on the
 * figures already shown and never compares two measures or two standards.
 */

/** "huyện nào nhiều nhất / ít nhất": rank the districts that have the figure for the same date. */
export function districtRanking(fc: FigureCtx, acc: Acc): void {
  const { res, plan, deps } = fc;
  if (!res.breakdown) return;
  const wantMax = matchesAny(res.tokens, deps.words.ranking.max);
  const wantMin = matchesAny(res.tokens, deps.words.ranking.min);
  if (!wantMax && !wantMin) return;
  for (const ind of plan.inds) {
    const parts = [...acc.shown.entries()]
      .filter(([k]) => k.startsWith(`${ind.id}|`))
      .flatMap(([, v]) => v)
      .filter((v) => v.area.level === 'district');
    const same = parts.filter((v) => v.as_of === parts[0]?.as_of && v.period_start === parts[0].period_start);
    if (same.length < 2) continue;
    const sorted = [...same].sort((a, b) => b.value - a.value);
    const v = (x: Val) => valueText(deps.catalog, x);
    if (wantMax)
      acc.lines.push({ t: 'text', text: `Cao nhất trong các địa bàn có số liệu: ${sorted[0].area.displayName} (${v(sorted[0])}).` });
    if (wantMin) {
      const last = sorted[sorted.length - 1];
      acc.lines.push({ t: 'text', text: `Thấp nhất trong các địa bàn có số liệu: ${last.area.displayName} (${v(last)}).` });
    }
  }
}

/** "đạt bao nhiêu % kế hoạch": the result against its target, computed and explained. */
export function planRatio(fc: FigureCtx, acc: Acc): void {
  const { res, plan, deps } = fc;
  const { catalog } = deps;
  if (!res.wantsPlanRatio) return;
  const fmt = (v: Val) => formatValue(catalog, v.value, v.unit, v.qualifier);
  for (const ind of plan.inds) {
    const tv = [...catalog.indicators.values()].find((c) => c.base === ind.id && c.tags.includes('target'));
    const pairs = (targetId: string) =>
      [...acc.shown.entries()]
        .filter(([k]) => k.startsWith(`${ind.id}|`))
        .flatMap(([k, vals]) => vals.map((v) => [v, acc.shown.get(`${targetId}|${k.split('|')[1]}`) ?? []] as const));
    if (tv && ind.unit === 'percent')
      for (const [v, targets] of pairs(tv.id)) {
        const t = targets.find((x) => x.as_of === v.as_of);
        if (!t) continue;
        const d = v.value - t.value;
        acc.lines.push({
          t: 'text',
          text: `So với chỉ tiêu (${fmt(t)}): kết quả ${fmt(v)}, ${d === 0 ? 'bằng chỉ tiêu' : `${d > 0 ? 'cao hơn' : 'thấp hơn'} chỉ tiêu ${formatNumber(Math.abs(d), 2)} điểm phần trăm`}.`,
        });
      }
    if (!ind.target) continue;
    for (const [v, targets] of pairs(ind.target)) {
      const t = targets.find((x) => x.as_of === v.as_of && x.period_start === v.period_start);
      if (t?.value)
        acc.lines.push({
          t: 'text',
          text: `Kết quả so với kế hoạch: đạt ${formatNumber((v.value / t.value) * 100, 1)}% (tính từ ${fmt(v)} chia cho chỉ tiêu ${fmt(t)}).`,
        });
    }
  }
}

/** "tổng cộng": the sum of several counts or amounts of one area, date and unit. */
export function total(fc: FigureCtx, acc: Acc): void {
  const { catalog } = fc.deps;
  if (!fc.res.wantsSum) return;
  const groups = new Map<string, Val[]>();
  for (const vals of acc.shown.values())
    for (const v of vals) {
      if (!v.ind.summable || v.ind.sumOf || !['count', 'amount'].includes(v.ind.kind)) continue;
      const k = `${v.area.id}|${v.unit}|${v.as_of}|${v.period_start}|${v.ind.family}|${v.ind.kind}|${v.standard}`;
      groups.set(k, [...(groups.get(k) ?? []), v]);
    }
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const sum = g.reduce((n, v) => n + v.value, 0);
    acc.lines.push({
      t: 'text',
      text: `Tổng cộng: ${formatValue(catalog, sum, g[0].unit, g.some((v) => v.qualifier) ? 'about' : '')} (tính từ ${g.length} số liệu trên: ${g.map((v) => formatValue(catalog, v.value, v.unit, v.qualifier)).join(' + ')}).`,
    });
  }
}

/** "so với cả nước", "so với vùng": the same indicator of the other area, at the same date, and the difference. */
export function comparison(fc: FigureCtx, acc: Acc): void {
  const { plan, res, today, deps, series } = fc;
  const { catalog } = deps;
  if (res.wantsRegion && !plan.compare.some((l) => l[0].level === 'region')) {
    const a = plan.main[0]?.[0];
    if (a && !a.regionId)
      acc.lines.push({
        t: 'text',
        text: `${a.displayName} gồm các tỉnh cũ thuộc các vùng kinh tế - xã hội khác nhau, chưa được xếp vào một vùng thống kê nên chưa so sánh được với vùng.`,
      });
  }
  for (const cands of plan.compare) {
    for (const ind of plan.inds) {
      const area = pickArea(cands, ind, plan.points, today, series, false);
      const list = series.full(ind, area);
      const mine = [...acc.shown.entries()].find(([k]) => k.startsWith(`${ind.id}|`))?.[1]?.[0];
      const want = mine ? ({ kind: 'date', date: mine.as_of } as const) : (plan.points[0] ?? null);
      let v = want ? atPoint(mine ? list.filter((x) => sameMeasure(x, mine)) : list, want) : latestOf(list, today);
      const exact = !!v;
      if (!v) v = nearest(list, want ? refDate(want) : today);
      if (!v) {
        acc.lines.push({ t: 'text', text: `Chưa có số liệu ${lcFirst(ind.label)} của ${area.displayName} để so sánh.` });
        continue;
      }
      acc.used.push(v);
      let line = `So với ${area.displayName}: ${lcFirst(ind.label)} ${timeText(v)} là ${valueText(catalog, v)}${extra(v, fc)}`;
      if (!exact) line += ` (chưa có số liệu của ${area.displayName} cùng thời điểm với số liệu trên, nên không tính chênh lệch)`;
      if (mine && exact && mine.unit === v.unit && mine.as_of === v.as_of && sameMeasure(mine, v)) {
        const d = mine.value - v.value;
        const amount =
          mine.unit === 'percent' ? `${formatNumber(Math.abs(d), 2)} điểm phần trăm` : formatValue(catalog, Math.abs(d), mine.unit);
        line +=
          d === 0
            ? `; ${mine.area.displayName} bằng ${area.displayName}`
            : `; ${mine.area.displayName} ${d < 0 ? 'thấp hơn' : 'cao hơn'} ${amount}`;
      }
      acc.lines.push({ t: 'text', text: `${line}.` });
    }
  }
}
