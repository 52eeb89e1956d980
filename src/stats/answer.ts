import type { Citation, Reply, TurnResult } from '../domain/types.ts';
import type { TurnContext } from '../core/context.ts';
import { formatDate, formatNumber, isoDateInVietnam } from '../format/vi.ts';
import type { Area, Areas, Catalog, Indicator } from './catalog.ts';
import type { Resolution, TimePoint } from './resolve.ts';
import type { StoredFigure } from './rows.ts';
import type { StatsStore } from './store.ts';
import { barChartPng } from './chart.ts';

/** What the skill remembers between turns (in `session.memo.stats`). */
export interface StatsMemo {
  indicators: string[];
  areas: string[];
  points: TimePoint[];
}

interface Deps {
  store: StatsStore;
  catalog: Catalog;
  areas: Areas;
}

/** A figure as shown: stored, or derived (aggregated from parts). */
interface Val {
  area: Area;
  ind: Indicator;
  value: number;
  unit: string;
  qualifier: string;
  as_of: string;
  period_start: string;
  status: string;
  note: string;
  sources: { source: string; url: string; as_of: string }[];
  derived?: string;
}

const NON_PLAN = new Set(['reported', 'estimate']);

// ---- formatting ---------------------------------------------------------------------------

export function formatValue(catalog: Catalog, value: number, unit: string, qualifier = ''): string {
  const u = catalog.units.get(unit) ?? { suffix: ` ${unit}`, decimals: 2, millions: false };
  let num: string;
  const suffix = u.suffix;
  if (u.millions && Math.abs(value) >= 1e6 && Math.round(value / 1e4) * 1e4 === value) {
    num = `${formatNumber(value / 1e6, 2)} triệu`;
  } else num = formatNumber(value, u.decimals);
  const q = qualifier === 'at_least' ? 'hơn ' : qualifier === 'about' ? 'khoảng ' : '';
  return `${q}${num}${suffix}`;
}

function statusText(status: string): string {
  return status === 'estimate' ? ' (ước tính)' : status === 'target' ? ' (chỉ tiêu)' : status === 'plan' ? ' (kế hoạch)' : '';
}

function timeText(f: { as_of: string; period_start: string; note: string }): string {
  const cumulative = /cumulative/i.test(f.note);
  if (cumulative) return `lũy kế đến ${formatDate(f.as_of)}`;
  if (f.period_start) {
    const y = f.as_of.slice(0, 4);
    if (f.period_start === `${y}-01-01` && f.as_of === `${y}-12-31`) return `năm ${y} (từ 01/01/${y} đến 31/12/${y})`;
    return `từ ${formatDate(f.period_start)} đến ${formatDate(f.as_of)}`;
  }
  if (f.as_of.endsWith('-01-01')) return `đầu năm ${f.as_of.slice(0, 4)} (${formatDate(f.as_of)})`;
  if (f.as_of.endsWith('-12-31')) return `cuối năm ${f.as_of.slice(0, 4)} (${formatDate(f.as_of)})`;
  return `tại thời điểm ${formatDate(f.as_of)}`;
}

function pointText(p: TimePoint | null): string {
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

function refDate(p: TimePoint): string {
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

function monthEnd(y: number, m: number): string {
  const d = new Date(Date.UTC(y, Math.min(12, Math.max(1, m)), 0));
  return d.toISOString().slice(0, 10);
}

function lcFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function ucFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function days(a: string, b: string): number {
  return Math.abs(Date.parse(a + 'T00:00:00Z') - Date.parse(b + 'T00:00:00Z')) / 86400e3;
}

function noteText(catalog: Catalog, note: string): string {
  const says = catalog.notes
    .filter((n) => note.toLowerCase().includes(n.match.toLowerCase()) && !/^số lũy kế$/.test(n.say))
    .map((n) => n.say);
  return says.length ? ` (${[...new Set(says)].join('; ')})` : '';
}

// ---- the answer ---------------------------------------------------------------------------

export function buildAnswer(ctx: TurnContext, res: Resolution, deps: Deps): TurnResult | null {
  const { catalog, areas, store } = deps;
  const memo = (ctx.session.memo?.stats as StatsMemo | undefined) ?? undefined;
  const sessionIndIds = memo?.indicators?.length ? memo.indicators : ctx.session.indicator ? [ctx.session.indicator] : [];
  const sessionInds = sessionIndIds.map((id) => catalog.indicators.get(id)).filter((x): x is Indicator => !!x);
  const today = isoDateInVietnam(ctx.now);

  // 1. Indicators.
  let inds = [...res.indicators];
  const usesSession = !res.strongMatch && sessionInds.length > 0 && (res.followUp || inds.length === 0);
  if (usesSession) inds = fromSession(res, sessionInds, catalog) ?? inds;
  if (inds.length === 0) return null;
  inds = filterMeasures(inds, res, catalog);
  inds = inds.filter((ind, i) => inds.findIndex((o) => o.series === ind.series) === i);
  if (res.unknownPlace) {
    const withData = [...areas.byId.values()].filter((a) => inds.some((ind) => store.figures(a.id, ind.id).length > 0));
    const text =
      `Dạ, hiện chưa có số liệu ${inds.map((i) => lcFirst(i.label)).join(', ')} của ${res.unknownPlace} trong hệ thống.` +
      (withData.length ? ` Chỉ tiêu này hiện có số liệu cho: ${withData.map((a) => a.displayName).join(', ')}.` : '');
    ctx.session.indicator = inds[0].id;
    return { replies: [{ text }], topic: 'statistics', household: null, confidence: 0.6, outcome: 'answered' };
  }
  if (res.wantsPlanRatio)
    for (const i of [...inds]) {
      if (i.target) addUnique(inds, catalog.indicators.get(i.target)!);
      for (const c of catalog.indicators.values()) if (c.base === i.id && c.tags.includes('target')) addUnique(inds, c);
    }

  // 2. Areas.
  let mainAreas: Area[][] = res.areas;
  if (mainAreas.length === 0) {
    const remembered =
      (usesSession || res.followUp) && memo?.areas?.length ? memo.areas : usesSession && ctx.session.area ? [ctx.session.area] : [];
    const list = remembered.map((id) => areas.byId.get(id)).filter((a): a is Area => !!a);
    mainAreas = list.length ? list.map((a) => [a]) : [[areas.defaultArea]];
  }
  if (res.breakdown) {
    const expanded: Area[][] = [];
    for (const l of mainAreas) {
      expanded.push(l);
      for (const c of areas.children(l[0].id)) if (c.level === 'district' || c.level === 'commune') expanded.push([c]);
    }
    mainAreas = expanded;
  }
  const compareAreas: Area[][] = [...res.compareAreas];
  if (res.wantsRegion) {
    const rid = mainAreas[0][0].regionId;
    const r = rid ? areas.byId.get(rid) : undefined;
    if (r && !compareAreas.some((l) => l[0].id === r.id)) compareAreas.push([r]);
  }

  // 3. Time points.
  let points: TimePoint[] = [...res.points];
  const pending = res.pending;
  const memoPoints = memo?.points ?? (ctx.session.year ? [{ kind: 'year', year: ctx.session.year } as TimePoint] : []);
  const memoYear = memoPoints
    .map((p) => ('year' in p ? p.year : p.kind === 'date' ? Number(p.date.slice(0, 4)) : p.kind === 'range' ? p.to : 0))
    .find((y) => y);
  if (points.length === 0 && (usesSession || res.followUp) && !res.latest) points = [...memoPoints];
  if (pending.length) {
    const y = memoYear ?? Number(today.slice(0, 4));
    for (const k of pending) points.push({ kind: k, year: y });
  }
  if (res.wantsPrevYear && points.length >= 1) {
    const p = points[0];
    if ('year' in p) points.push({ ...p, year: p.year - 1 } as TimePoint);
    else if (p.kind === 'date') points.push({ kind: 'date', date: `${Number(p.date.slice(0, 4)) - 1}${p.date.slice(4)}` });
  }
  const latestMode = points.length === 0;
  const rangePoint = points.find((p) => p.kind === 'range');

  // 4. Figures.
  const lines: string[] = [];
  const notes: string[] = [];
  const absent: { ind: Indicator; area: Area; line: string }[] = [];
  const used: Val[] = [];
  let exactCount = 0;
  let missingCount = 0;
  let image: Reply['image'];
  const shown = new Map<string, Val[]>(); // key ind|area → values at the asked points (for sums/changes)

  const wantTarget = (ind: Indicator) => res.textTags.has('target') || ind.tags.includes('target') || ind.measure === 'target';
  const seriesOf = (ind: Indicator, area: Area): Val[] => {
    const ids = [...catalog.indicators.values()].filter((i) => i.series === ind.series).map((i) => i.id);
    let figs: StoredFigure[] = ids.flatMap((id) => store.figures(area.id, id));
    if (!wantTarget(ind)) {
      const np = figs.filter((f) => NON_PLAN.has(f.status));
      if (np.length) figs = np;
    }
    return figs
      .map((f) => toVal(f, ind, area))
      .sort((a, b) => a.as_of.localeCompare(b.as_of) || a.period_start.localeCompare(b.period_start));
  };
  const aggregated = (ind: Indicator, area: Area): Val[] => {
    if (!ind.summable) return [];
    const parts = areas.children(area.id).filter((c) => c.level !== 'national' && c.level !== 'region');
    if (parts.length < 2) return [];
    const perPart = parts.map((p) => seriesOf(ind, p));
    if (perPart.some((s) => s.length === 0)) return [];
    const out: Val[] = [];
    for (const f of perPart[0]) {
      const same = perPart.map((s) => s.find((g) => g.as_of === f.as_of && g.period_start === f.period_start && g.status === f.status));
      if (same.some((g) => !g)) continue;
      const vals = same as Val[];
      out.push({
        ...f,
        area,
        value: vals.reduce((n, g) => n + g.value, 0),
        qualifier: vals.some((g) => g.qualifier === 'at_least') ? 'at_least' : vals.some((g) => g.qualifier === 'about') ? 'about' : '',
        sources: vals.flatMap((g) => g.sources),
        derived: `cộng từ số liệu của ${vals.length} đơn vị cấp huyện (${parts.map((p) => p.name).join(', ')})`,
      });
    }
    return out;
  };
  const derivedSum = (ind: Indicator, area: Area): Val[] => {
    if (!ind.sumOf?.length) return [];
    const comps = ind.sumOf.map((id) => catalog.indicators.get(id)!).map((ci) => seriesOf(ci, area));
    if (comps.some((s) => s.length === 0)) return [];
    const out: Val[] = [];
    for (const f of comps[0]) {
      const same = comps.map((s) => s.find((g) => g.as_of === f.as_of && g.period_start === f.period_start));
      if (same.some((g) => !g)) continue;
      const vals = same as Val[];
      out.push({
        ...f,
        ind,
        unit: ind.unit,
        value: vals.reduce((n, g) => n + g.value, 0),
        sources: vals.flatMap((g) => g.sources),
        derived: `cộng ${vals.map((g) => `${lcFirst(g.ind.label)} (${formatValue(catalog, g.value, g.unit, g.qualifier)})`).join(' và ')}`,
      });
    }
    return out;
  };
  const fullSeries = (ind: Indicator, area: Area): Val[] => {
    const s = seriesOf(ind, area);
    if (s.length) return s;
    const d = derivedSum(ind, area);
    if (d.length) return d;
    return aggregated(ind, area);
  };

  const pickArea = (cands: Area[], ind: Indicator, ref: string | null): Area => {
    if (cands.length === 1) return cands[0];
    const valid = (a: Area) => (!ref ? !a.validTo : (!a.validFrom || a.validFrom <= ref) && (!a.validTo || a.validTo >= ref));
    const ordered = [...cands.filter(valid), ...cands.filter((a) => !valid(a))];
    return ordered.find((a) => fullSeries(ind, a).length > 0) ?? ordered[0];
  };

  for (const ind of inds) {
    for (const cands of mainAreas) {
      const firstRef = points[0] ? refDate(points[0]) : null;
      let area = pickArea(cands, ind, firstRef);
      let series = fullSeries(ind, area);
      // "Lâm Đồng ... sau sáp nhập": the area as it is now may carry the plain indicator rather than the tagged variant.
      const current = cands.find((a) => !a.validTo);
      if (ind.tags.length && current && current.id !== area.id && (!firstRef || !current.validFrom || firstRef >= current.validFrom)) {
        const b = ind.base ? catalog.indicators.get(ind.base) : undefined;
        const sib = b && b.tags.length < ind.tags.length && fullSeries(b, current).length > 0 ? b : undefined;
        if (sib) {
          area = current;
          series = fullSeries(sib, current);
        }
      }
      const key = `${ind.id}|${area.id}`;
      const label = `${ind.label} của ${area.displayName}`;
      if (series.length === 0) {
        missingCount++;
        let line = `Chưa có số liệu ${lcFirst(ind.label)} của ${area.displayName}${points.length ? ' ' + points.map(pointText).join(', ') : ''}.`;
        const parent = area.parentId ? areas.byId.get(area.parentId) : undefined;
        if (parent && area.level === 'district' && !res.breakdown) {
          const ps = fullSeries(ind, parent);
          const near = nearest(ps, points[0] ? refDate(points[0]) : today);
          if (near) {
            line += ` Số liệu gần nhất hiện có là của ${near.area.displayName}: ${valueText(near)}, ${timeText(near)}.`;
            used.push(near);
          }
        } else {
          const others = [...areas.byId.values()].filter((a) => a.id !== area.id && fullSeries(ind, a).length > 0);
          if (others.length) line += ` Chỉ tiêu này hiện có số liệu cho: ${others.map((a) => a.displayName).join(', ')}.`;
          absent.push({ ind, area, line });
          continue;
        }
        lines.push(line);
        continue;
      }
      const trendMode = res.trend || (!!rangePoint && !atPoint(series, rangePoint));
      if (trendMode) {
        let list = series;
        const range = points.find((p) => p.kind === 'range') as Extract<TimePoint, { kind: 'range' }> | undefined;
        if (range) {
          const flow = series.find((f) => f.period_start === `${range.from}-01-01` && f.as_of === `${range.to}-12-31`);
          if (flow && !res.trend) list = [flow];
          else list = series.filter((f) => f.as_of >= `${range.from}-01-01` && f.as_of <= `${range.to}-12-31`);
        }
        if (list.length === 0) {
          missingCount++;
          const near = nearest(series, range ? `${range.to}-12-31` : today);
          lines.push(
            `Chưa có số liệu ${lcFirst(label)} ${range ? pointText(range) : ''}.` +
              (near ? ` Số liệu gần nhất hiện có: ${valueText(near)}, ${timeText(near)}.` : ''),
          );
          if (near) used.push(near);
          continue;
        }
        exactCount++;
        lines.push(`${label}:`);
        for (const f of list)
          lines.push(`  – ${ucFirst(timeText(f))}: ${valueText(f)}${f.derived ? ` (${f.derived})` : ''}${noteText(catalog, f.note)}`);
        used.push(...list);
        shown.set(key, list);
        if (list.length >= 2 && !image && inds.length * mainAreas.length === 1) {
          image = {
            mime: 'image/png',
            base64: barChartPng(
              list.map((f) => ({
                value: f.value,
                light: f.status !== 'reported',
                label: chartLabel(valueText(f)),
                caption: formatDate(f.as_of),
              })),
            ).toString('base64'),
            alt: `Biểu đồ cột ${lcFirst(label)}: ${list.map((f) => `${formatDate(f.as_of)} ${valueText(f)}`).join('; ')}`,
          };
        }
        continue;
      }
      const found: Val[] = [];
      const missing: TimePoint[] = [];
      const pts: (TimePoint | null)[] = latestMode ? [null] : points;
      for (const p of pts) {
        const v = p ? atPoint(series, p) : latestOf(series, today);
        if (v) {
          exactCount++;
          found.push(v);
          if (!p && v.status !== 'reported') {
            const rep = [...series].reverse().find((f) => f.status === 'reported' && f.as_of < v.as_of);
            if (rep) found.push(rep);
          }
        } else {
          missingCount++;
          missing.push(p!);
        }
      }
      const uniq = found.filter(
        (v, i) => found.findIndex((w) => w.as_of === v.as_of && w.period_start === v.period_start && w.ind.id === v.ind.id) === i,
      );
      for (const v of uniq) lines.push(figureLine(v));
      for (const p of missing) {
        const near = nearest(series, refDate(p));
        const already = near && uniq.some((u) => u.as_of === near.as_of && u.period_start === near.period_start);
        lines.push(`Chưa có số liệu ${lcFirst(label)} ${pointText(p)}.` + (already ? '' : nearText(series, refDate(p), uniq)));
      }
      used.push(...uniq);
      shown.set(key, uniq);

      // Change between the asked dates, or against the previous figure when "tăng hay giảm" is asked.
      if (!['change', 'target'].includes(ind.measure)) {
        const chrono = [...uniq].sort((a, b) => a.as_of.localeCompare(b.as_of));
        if (chrono.length >= 2 && chrono[0].as_of !== chrono[chrono.length - 1].as_of) {
          lines.push(changeLine(chrono[0], chrono[chrono.length - 1]));
        } else if (chrono.length === 1 && res.wantsChange && compareAreas.length === 0 && !res.wantsPlanRatio) {
          const cur = chrono[0];
          const prev = [...series].reverse().find((f) => f.as_of < cur.as_of && (f.period_start === '') === (cur.period_start === ''));
          if (prev) {
            lines.push(figureLine(prev));
            used.push(prev);
            lines.push(changeLine(prev, cur));
          }
        }
      }
      // Merger: a question about an area that no longer exists is answered with its last figures, and says so.
      const askedAfter = latestMode ? today : points.map(refDate).sort().pop()!;
      if (area.validTo && askedAfter > area.validTo) {
        const merged = mergedInto(area, areas);
        const parent = area.parentId ? areas.byId.get(area.parentId) : undefined;
        const n =
          area.level === 'district'
            ? `Lưu ý: từ ${formatDate(nextDay(area.validTo))} cấp huyện không còn; các huyện, thị xã, thành phố cũ của ${parent?.displayName ?? 'tỉnh'}${merged ? ` nay thuộc ${merged.displayName}` : ''}. Số liệu cấp huyện trên là số liệu cuối cùng hiện có.`
            : `Lưu ý: ${area.displayName} chỉ tồn tại đến ${formatDate(area.validTo)}${merged ? `; từ ${formatDate(nextDay(area.validTo))} đã hợp nhất vào ${merged.displayName} (mới)` : ''}. Số liệu trên là số liệu cuối cùng hiện có của ${area.displayName}.`;
        if (!notes.includes(n)) notes.push(n);
        if (merged && latestMode) {
          const ms = fullSeries(ind, merged);
          const lv = latestOf(ms, today);
          if (lv) {
            lines.push(`${ind.label} của ${merged.displayName} (sau hợp nhất) ${timeText(lv)}: ${valueText(lv)}.`);
            used.push(lv);
          }
        }
      }
    }
  }

  // Indicators with no figure at all for the asked area: one line each, or one short line when others were answered.
  if (absent.length) {
    if (lines.length === 0) lines.push(...absent.map((a) => a.line));
    else {
      if (mainAreas.length > 1) {
        const byInd = new Map<string, { ind: Indicator; areas: Area[] }>();
        for (const a of absent) byInd.set(a.ind.id, { ind: a.ind, areas: [...(byInd.get(a.ind.id)?.areas ?? []), a.area] });
        for (const { ind, areas: la } of byInd.values())
          lines.push(`Chưa có số liệu ${lcFirst(ind.label)} của: ${la.map((a) => a.displayName).join(', ')}.`);
      } else {
        const byArea = new Map<string, { area: Area; inds: Indicator[] }>();
        for (const a of absent) byArea.set(a.area.id, { area: a.area, inds: [...(byArea.get(a.area.id)?.inds ?? []), a.ind] });
        for (const { area, inds: li } of byArea.values())
          lines.push(`Chưa có số liệu của ${area.displayName} về: ${li.map((i) => lcFirst(i.label)).join('; ')}.`);
      }
    }
  }

  // "huyện nào nhiều nhất / ít nhất": rank the parts that have the figure for the same date.
  if (res.breakdown) {
    const joined = ` ${res.tokens.join(' ')} `;
    const wantMax = / (nhieu nhat|cao nhat|lon nhat) /.test(joined);
    const wantMin = / (it nhat|thap nhat|nho nhat) /.test(joined);
    if (wantMax || wantMin)
      for (const ind of inds) {
        const parts = [...shown.entries()]
          .filter(([k]) => k.startsWith(ind.id + '|'))
          .flatMap(([, v]) => v)
          .filter((v) => v.area.level === 'district');
        const date = parts[0]?.as_of;
        const same = parts.filter((v) => v.as_of === date && v.period_start === parts[0].period_start);
        if (same.length < 2) continue;
        const sorted = [...same].sort((a, b) => b.value - a.value);
        if (wantMax) lines.push(`Cao nhất trong các địa bàn có số liệu: ${sorted[0].area.displayName} (${valueText(sorted[0])}).`);
        if (wantMin)
          lines.push(
            `Thấp nhất trong các địa bàn có số liệu: ${sorted[sorted.length - 1].area.displayName} (${valueText(sorted[sorted.length - 1])}).`,
          );
      }
  }

  // Plan ratio ("đạt bao nhiêu % kế hoạch").
  if (res.wantsPlanRatio) {
    for (const ind of inds) {
      const tv = [...catalog.indicators.values()].find((c) => c.base === ind.id && c.tags.includes('target'));
      if (tv && ind.unit === 'percent') {
        for (const [key, vals] of shown) {
          if (!key.startsWith(ind.id + '|')) continue;
          const targets = shown.get(`${tv.id}|${key.split('|')[1]}`) ?? [];
          for (const v of vals) {
            const t = targets.find((x) => x.as_of === v.as_of);
            if (!t) continue;
            const d = v.value - t.value;
            lines.push(
              `So với chỉ tiêu (${formatValue(catalog, t.value, t.unit, t.qualifier)}): kết quả ${formatValue(catalog, v.value, v.unit, v.qualifier)}, ${d === 0 ? 'bằng chỉ tiêu' : `${d > 0 ? 'cao hơn' : 'thấp hơn'} chỉ tiêu ${formatNumber(Math.abs(d), 2)} điểm phần trăm`}.`,
            );
          }
        }
      }
      if (!ind.target) continue;
      for (const [key, vals] of shown) {
        if (!key.startsWith(ind.id + '|')) continue;
        const tvals = shown.get(`${ind.target}|${key.split('|')[1]}`) ?? [];
        for (const v of vals) {
          const t = tvals.find((x) => x.as_of === v.as_of && x.period_start === v.period_start);
          if (t?.value) {
            const ratio = (v.value / t.value) * 100;
            lines.push(
              `Kết quả so với kế hoạch: đạt ${formatNumber(ratio, 1)}% (tính bằng ${formatValue(catalog, v.value, v.unit, v.qualifier)} chia cho chỉ tiêu ${formatValue(catalog, t.value, t.unit, t.qualifier)}).`,
            );
          }
        }
      }
    }
  }

  // Sum of several figures asked together ("tổng cộng").
  if (res.wantsSum) {
    const groups = new Map<string, Val[]>();
    for (const vals of shown.values())
      for (const v of vals) {
        if (!v.ind.summable || v.ind.sumOf || !['count', 'amount'].includes(v.ind.measure)) continue;
        const k = `${v.area.id}|${v.unit}|${v.as_of}|${v.period_start}|${v.ind.family}|${v.ind.measure}`;
        groups.set(k, [...(groups.get(k) ?? []), v]);
      }
    for (const g of groups.values()) {
      if (g.length < 2) continue;
      const total = g.reduce((n, v) => n + v.value, 0);
      lines.push(
        `Tổng cộng: ${formatValue(catalog, total, g[0].unit, g.some((v) => v.qualifier) ? 'about' : '')} (cộng ${g.length} số liệu trên: ${g.map((v) => formatValue(catalog, v.value, v.unit, v.qualifier)).join(' + ')}).`,
      );
    }
  }

  // Comparison areas ("so với cả nước").
  for (const cands of compareAreas) {
    for (const ind of inds) {
      const area = pickArea(cands, ind, points[0] ? refDate(points[0]) : null);
      const series = fullSeries(ind, area);
      const mine = [...shown.entries()].find(([k]) => k.startsWith(ind.id + '|'))?.[1]?.[0];
      const want = mine ? ({ kind: 'date', date: mine.as_of } as TimePoint) : (points[0] ?? null);
      let v = want ? atPoint(series, want) : latestOf(series, today);
      const exact = !!v;
      if (!v) v = nearest(series, want ? refDate(want) : today);
      if (!v) {
        lines.push(`Chưa có số liệu ${lcFirst(ind.label)} của ${area.displayName} để so sánh.`);
        continue;
      }
      used.push(v);
      let line = `So với ${area.displayName}: ${lcFirst(ind.label)} ${timeText(v)} là ${valueText(v)}${v.derived ? ` (${v.derived})` : ''}`;
      if (!exact) line += ` (chưa có số liệu của ${area.displayName} cùng thời điểm với số liệu trên)`;
      if (mine && exact && mine.unit === v.unit && mine.as_of === v.as_of) {
        const d = mine.value - v.value;
        const unitWord = mine.unit === 'percent' ? ' điểm phần trăm' : '';
        const amount = mine.unit === 'percent' ? formatNumber(Math.abs(d), 2) + unitWord : formatValue(catalog, Math.abs(d), mine.unit);
        line +=
          d === 0
            ? `; ${mine.area.displayName} bằng ${area.displayName}`
            : `; ${mine.area.displayName} ${d < 0 ? 'thấp hơn' : 'cao hơn'} ${amount}`;
      }
      lines.push(line + '.');
    }
  }

  // 5. Text.
  let text: string;
  if (lines.length === 1 && !lines[0].endsWith(':')) {
    text = `Dạ, ${lcFirst(lines[0]).replace('\u0000', ' là ')}`;
  } else {
    text = `Dạ, số liệu như sau:\n${lines.map((l) => (l.startsWith('  – ') ? l : `• ${l}`).replace('\u0000', ': ')).join('\n')}`;
  }
  if (notes.length) text += '\n' + notes.join('\n');
  // Sources travel as citations: every channel renders them as "Nguồn: ..." lines under the text (once).
  const citations: Citation[] = [];
  const seenCit = new Set<string>();
  for (const v of used)
    for (const s of v.sources) {
      const k = `${s.source}|${s.url}`; // one line per source; the dates are in the text
      if (seenCit.has(k)) continue;
      seenCit.add(k);
      citations.push({ instrument: s.source, asOf: s.as_of, ...(s.url ? { url: s.url } : {}) });
    }

  // 6. Session.
  const firstVal = used[0];
  ctx.session.topic = 'statistics';
  ctx.session.indicator = inds[0].id;
  ctx.session.area = mainAreas.length === 1 ? (firstVal?.area.id ?? mainAreas[0][0].id) : mainAreas[0][0].id;
  const y = points[0] ? refDate(points[0]).slice(0, 4) : firstVal?.as_of.slice(0, 4);
  if (y) ctx.session.year = Number(y);
  const savedPoints: TimePoint[] = points.length ? points : firstVal ? [{ kind: 'date', date: firstVal.as_of }] : [];
  ctx.session.memo = {
    ...(ctx.session.memo ?? {}),
    stats: {
      indicators: inds.map((i) => i.id),
      areas: mainAreas.map((l) => (l.length === 1 ? l[0].id : l[0].id)),
      points: savedPoints,
    } satisfies StatsMemo,
  };

  const confidence = exactCount > 0 && missingCount === 0 ? 0.9 : exactCount > 0 ? 0.75 : 0.6;
  const reply: Reply = { text, citations };
  if (!res.trend) {
    // Offered as a question (the core's "ask:" convention), so it reads like any other message.
    const ind = inds[0];
    const area = firstVal?.area ?? mainAreas[0][0];
    const phrase = (ind.rawPhrasings.find((p) => !p.includes('...')) ?? ind.label).trim();
    const tagText = ind.tags
      .map((t) => catalog.tagWords.get(t) ?? '')
      .filter(Boolean)
      .join(' ');
    reply.buttons = [
      { label: 'Số liệu qua các năm', payload: `ask:${phrase}${tagText ? ' ' + tagText : ''} ${area.name} qua các năm`.slice(0, 290) },
    ];
  }
  if (image) reply.image = image;
  return { replies: [reply], topic: 'statistics', household: null, confidence, outcome: 'answered' };

  // ---- helpers using deps ----
  function valueText(v: Val): string {
    if (v.ind.measure === 'change' && v.value !== 0)
      return `${v.value < 0 ? 'giảm' : 'tăng'} ${formatValue(catalog, Math.abs(v.value), v.unit, v.qualifier)}${statusText(v.status)}`;
    return `${formatValue(catalog, v.value, v.unit, v.qualifier)}${statusText(v.status)}`;
  }
  function nearText(series: Val[], ref: string, shownAlready: Val[] = []): string {
    const before = [...series].reverse().find((f) => f.as_of <= ref);
    const after = series.find((f) => f.as_of > ref);
    const pick = [before, after].filter(
      (x): x is Val => !!x && !shownAlready.some((u) => u.as_of === x.as_of && u.period_start === x.period_start),
    );
    if (!pick.length) return '';
    used.push(...pick);
    return ` Số liệu gần nhất hiện có: ${pick.map((n) => `${valueText(n)}, ${timeText(n)}${n.derived ? ` (${n.derived})` : ''}`).join('; và ')}.`;
  }
  function figureLine(v: Val): string {
    const base = `${v.ind.label} của ${v.area.displayName} ${timeText(v)}`;
    const extra = `${v.derived ? ` (${v.derived})` : ''}${noteText(catalog, v.note)}`;
    return `${base}\u0000${valueText(v)}${extra}.`;
  }
  function changeLine(a: Val, b: Val): string {
    const d = b.value - a.value;
    const dir = d < 0 ? 'giảm' : d > 0 ? 'tăng' : 'không đổi';
    let amount: string;
    if (a.unit === 'percent') amount = `${formatNumber(Math.abs(d), 2)} điểm phần trăm`;
    else {
      amount = formatValue(catalog, Math.abs(d), a.unit);
      if (a.value) amount += ` (${formatNumber(Math.abs(d / a.value) * 100, 1)}%)`;
    }
    return `Thay đổi từ ${formatDate(a.as_of)} đến ${formatDate(b.as_of)}: ${dir}${d === 0 ? '' : ' ' + amount} (tính từ hai số liệu ${valueText(a)} và ${valueText(b)}).`;
  }
}

function addUnique(list: Indicator[], ind: Indicator): void {
  if (!list.some((i) => i.id === ind.id)) list.push(ind);
}

function toVal(f: StoredFigure, ind: Indicator, area: Area): Val {
  return {
    area,
    ind,
    value: f.value,
    unit: f.unit,
    qualifier: f.qualifier,
    as_of: f.as_of,
    period_start: f.period_start,
    status: f.status,
    note: f.note,
    sources: [{ source: f.source, url: f.source_url, as_of: f.as_of }],
  };
}

function atPoint(series: Val[], p: TimePoint): Val | null {
  const prefer = (cands: Val[], _year: number) => cands.sort((a, b) => score(b) - score(a) || b.as_of.localeCompare(a.as_of))[0] ?? null;
  const score = (v: Val) => (v.period_start === '' || v.period_start === `${v.as_of.slice(0, 4)}-01-01` ? 1 : 0);
  switch (p.kind) {
    case 'date':
      return prefer(
        series.filter((f) => f.as_of === p.date),
        0,
      );
    case 'start':
      return prefer(
        series.filter((f) => f.as_of === `${p.year}-01-01`),
        p.year,
      );
    case 'end':
      return prefer(
        series.filter((f) => f.as_of === `${p.year}-12-31`),
        p.year,
      );
    case 'year': {
      const inYear = series.filter((f) => f.as_of > `${p.year}-01-01` && f.as_of <= `${p.year}-12-31`);
      const end = inYear.filter((f) => f.as_of === `${p.year}-12-31`);
      return prefer(end.length ? end : inYear, p.year);
    }
    case 'months': {
      const d = monthEnd(p.year, p.months);
      return prefer(
        series.filter((f) => f.as_of === d && (f.period_start === '' || f.period_start === `${p.year}-01-01`)),
        p.year,
      );
    }
    case 'range':
      return series.find((f) => f.period_start === `${p.from}-01-01` && f.as_of === `${p.to}-12-31`) ?? null;
  }
}

function latestOf(series: Val[], today: string): Val | null {
  const past = series.filter((f) => f.as_of <= today);
  const list = past.length ? past : series;
  return list.length ? list[list.length - 1] : null;
}

function nearest(series: Val[], ref: string): Val | null {
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

function mergedInto(area: Area, areas: Areas): Area | null {
  const m = /merged into ([a-z0-9-]+)/.exec(area.note);
  if (m) return areas.byId.get(m[1]) ?? null;
  const parent = area.parentId ? areas.byId.get(area.parentId) : undefined;
  if (parent?.validTo) return mergedInto(parent, areas);
  return null;
}

function nextDay(iso: string): string {
  return new Date(Date.parse(iso + 'T00:00:00Z') + 86400e3).toISOString().slice(0, 10);
}

/** Fills a follow-up ("còn hộ cận nghèo?", "chiếm bao nhiêu %?", "thế năm 2022?") from the last indicators. */
function fromSession(res: Resolution, base: Indicator[], catalog: Catalog): Indicator[] | null {
  const all = [...catalog.indicators.values()];
  const sameTags = (a: Indicator, b: Indicator) => a.tags.length === b.tags.length && a.tags.every((t) => b.tags.includes(t));
  const baseHouseholds = new Set(base.map((b) => b.household));
  if (res.household && !baseHouseholds.has(res.household) && base.some((b) => b.household)) {
    const out: Indicator[] = [];
    for (const b of base) {
      const measures = res.measures.size
        ? [...res.measures]
        : [b.measure, ...(b.measure === 'count' || b.measure === 'amount' ? ['count', 'amount'] : [])];
      for (const c of all)
        if (c.family === b.family && c.household === res.household && sameTags(c, b) && measures.includes(c.measure) && !out.includes(c))
          out.push(c);
    }
    if (out.length) return out;
  }
  if (res.measures.size && !res.strongMatch) {
    const out: Indicator[] = [];
    for (const b of base) {
      if (res.measures.has(b.measure as 'count')) {
        if (!out.includes(b)) out.push(b);
        continue;
      }
      const sib = all.filter(
        (c) => c.family === b.family && c.household === b.household && sameTags(c, b) && res.measures.has(c.measure as 'count'),
      );
      for (const s of sib) if (!out.includes(s)) out.push(s);
    }
    if (out.length) {
      // "chiếm bao nhiêu %" after a count: answer the rate only.
      return out;
    }
  }
  if (res.indicators.length && !res.followUp) return res.indicators;
  if (res.indicators.length && res.weakMatch && !base.some((b) => res.indicators.some((i) => i.family === b.family))) return res.indicators;
  return base;
}

/** Within a family, keep the measures the question names (count, rate, amount); add rates for "tỷ lệ tương ứng". */
function filterMeasures(inds: Indicator[], res: Resolution, catalog: Catalog): Indicator[] {
  const cra = new Set(['count', 'rate', 'amount']);
  let out = [...inds];
  if (res.measures.size) {
    const byFamily = new Map<string, Indicator[]>();
    for (const i of out) byFamily.set(i.family, [...(byFamily.get(i.family) ?? []), i]);
    out = [];
    for (const list of byFamily.values()) {
      const measured = list.filter((i) => cra.has(i.measure));
      const kinds = new Set(measured.map((i) => i.measure));
      if (kinds.size >= 2) {
        const keep = measured.filter((i) => res.measures.has(i.measure as 'count'));
        out.push(...(keep.length ? keep : measured), ...list.filter((i) => !cra.has(i.measure)));
      } else out.push(...list);
    }
  }
  if (res.measures.has('rate')) {
    for (const i of [...out]) {
      if (i.measure !== 'count' || !i.household) continue;
      if (out.some((o) => o.measure === 'rate' && o.household === i.household && o.family === i.family)) continue;
      const sib = [...catalog.indicators.values()].find(
        (c) =>
          c.family === i.family &&
          c.household === i.household &&
          c.measure === 'rate' &&
          c.tags.length === i.tags.length &&
          c.tags.every((t) => i.tags.includes(t)),
      );
      if (sib) out.splice(out.indexOf(i) + 1, 0, sib);
    }
  }
  return out;
}

/** The number shown above a bar: the value as the answer writes it, digits and punctuation only. */
function chartLabel(shown: string): string {
  const digits = shown.replace(/[^0-9.,%-]/g, '');
  return digits.length <= 12 ? digits : '';
}
