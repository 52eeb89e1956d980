import type { Understanding } from '../../nlu/types.ts';
import type { Catalog, MeasureId } from '../catalog.ts';
import type { Reading } from '../read.ts';
import { matchesAny, matchPattern } from '../text.ts';
import type { Words } from '../words.ts';
import { type AreaIndex, findPlace, matchAreas } from './areas.ts';
import { detectKinds, detectTags, type FuzzyIndex, matchIndicators } from './indicators.ts';
import { matchTime } from './time.ts';
import type { RankingAsk, Resolution, TimePoint } from './types.ts';

export { AreaIndex } from './areas.ts';
export { FuzzyIndex, oneEditApart } from './indicators.ts';
export type { PlaceMention, RankingAsk, Resolution, TimePoint } from './types.ts';

/**
 * Reading a statistics question: which indicators, which areas, which dates, which comparisons.
 * Everything here is derived from the catalogue, the area list and the word lists (data), not from
 * fixed words about particular figures. Follow-ups and household types come from the NLU.
 */

export interface ResolveDeps {
  catalog: Catalog;
  words: Words;
  index: AreaIndex;
  fuzzy: FuzzyIndex | null;
}

/** Resolves one message. `hasSession`: the conversation already asked for figures (a follow-up may reuse them). */
export function resolveQuestion(reading: Reading, nlu: Understanding, deps: ResolveDeps, now: Date, hasSession: boolean): Resolution {
  const { catalog, words, index } = deps;
  const { dates } = reading;
  const { main, compare, spans } = matchAreas(reading.tokens, index, words);
  // Words inside a place name are not cues ("Điện Biên" is not "diễn biến", "Tiền Giang" not "tiền").
  const tokens = reading.tokens.map((t, i) => (spans.some((h) => i >= h.start && i < h.end) ? '·' : t));
  const wantsPlanRatio = matchesAny(tokens, words.planRatio);
  const { matches, strong, weak } = matchIndicators(tokens, catalog, deps.fuzzy, words.filler, wantsPlanRatio ? ['target'] : []);
  const nowYear = Number(new Date(now.getTime() + 7 * 3600e3).toISOString().slice(0, 4));
  const time = matchTime(tokens, dates, nowYear, words);
  // Fill "đầu năm"/"cuối năm" without a year with the year said elsewhere in the message.
  const knownYear =
    time.points
      .map((p) => ('year' in p && p.year ? p.year : p.kind === 'date' ? Number(p.date.slice(0, 4)) : p.kind === 'range' ? p.to : null))
      .find((y) => y) ?? null;
  const points: TimePoint[] = [];
  const pending: ('start' | 'end')[] = [];
  for (const p of time.points) {
    if ((p.kind === 'start' || p.kind === 'end') && p.year === null) {
      if (knownYear) points.push({ kind: p.kind, year: knownYear });
      else pending.push(p.kind);
    } else points.push(p as TimePoint);
  }
  const textTags = detectTags(tokens, catalog);
  if (wantsPlanRatio) textTags.delete('target');
  const chart = matchesAny(tokens, words.chart);
  const ranking = rankingAsked(tokens, words);
  const place = ranking ? null : findPlace(reading.tokens, reading, index, words, spans, main);
  const measure = askedMeasure(tokens, catalog);
  let indicators = matches;
  // "theo khảo sát mức sống": keep the indicators of that measure when the question names one of them.
  if (measure && indicators.some((i) => i.measure === measure)) indicators = indicators.filter((i) => i.measure === measure);
  return {
    tokens,
    allTokens: reading.tokens,
    indicators,
    strongMatch: strong,
    weakMatch: weak,
    areas: place ? [] : main,
    compareAreas: compare,
    points,
    latest: time.latest,
    trend: time.trend || chart,
    chart,
    wantsChange: matchesAny(tokens, words.change),
    wantsPlanRatio,
    wantsSum: matchesAny(tokens, words.sum),
    wantsPrevYear: time.prevYear,
    wantsRegion: matchesAny(tokens, words.regionCompare),
    textTags,
    household: matchesAny(tokens, words.combinedHousehold) ? 'poor_near_poor' : (nlu.entities?.household ?? null),
    kinds: detectKinds(tokens, catalog),
    measure,
    followUp: hasSession && !strong && (tokens.length <= 10 || !!nlu.acts?.followUp),
    place,
    breakdown: matchesAny(tokens, words.breakdown),
    ranking,
    pending,
  };
}

/** The measure the question names ("theo khảo sát mức sống dân cư", "kết quả rà soát"), if any. */
function askedMeasure(tokens: string[], catalog: Catalog): MeasureId | null {
  for (const [id, m] of catalog.measures) if (m.words.length && matchesAny(tokens, m.words)) return id;
  return null;
}

/** "tỉnh nào có tỷ lệ hộ nghèo cao nhất", "5 tỉnh thấp nhất", "top 10", "vùng nào". */
function rankingAsked(tokens: string[], words: Words): RankingAsk | null {
  const r = words.ranking;
  const max = r.max.map((p) => matchPattern(tokens, p)).find((s) => s);
  const min = r.min.map((p) => matchPattern(tokens, p)).find((s) => s);
  const count = rankCount(tokens, words);
  const whole = matchesAny(tokens, r.list);
  const level = matchesAny(tokens, r.region) ? 'region' : 'province';
  if (matchesAny(tokens, r.ask) && matchesAny(tokens, r.none)) return { dir: 'min', count: Number.POSITIVE_INFINITY, level, zero: true };
  if (!matchesAny(tokens, r.ask) && count === null) return null;
  if (!max && !min && count === null && !whole && !tokens.some((t) => r.countBefore.has(t))) return null;
  const dir = min && (!max || min.start < max.start) ? 'min' : 'max';
  return {
    dir,
    count: count ?? (whole && !max && !min ? Number.POSITIVE_INFINITY : null),
    level: matchesAny(tokens, r.region) ? 'region' : 'province',
  };
}

/** "top 5", "5 tỉnh", "mười tỉnh": the number of places asked for. */
function rankCount(tokens: string[], words: Words): number | null {
  const { countUnits, countBefore, numbers } = words.ranking;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const n = /^\d{1,2}$/.test(t) ? Number(t) : (numbers.get(t) ?? null);
    if (n === null || n < 1) continue;
    if (countBefore.has(tokens[i - 1] ?? '') || countUnits.has(tokens[i + 1] ?? '')) return n;
  }
  return null;
}
