import { DATE_MARK } from '../read.ts';
import { hasPhrase, matchesAny } from '../text.ts';
import type { Words } from '../words.ts';
import type { TimePoint } from './types.ts';

/**
 * The times a question asks about, in the order they are said: a date ("31/12/2023"), the start or
 * end of a year, a year, the first months of a year, a range ("2021-2023", "từ 2022 đến 2024"), the
 * baseline or end of a standard's period ("đầu giai đoạn 2022-2025"). The grammar words are data
 * (words.yaml `time`); years missing from "đầu năm"/"cuối năm" are left for the caller to fill.
 */

export type RawPoint = TimePoint | { kind: 'start' | 'end'; year: null };

const isYear = (t: string | undefined) => !!t && /^20[0-4]\d$/.test(t);

/** Length of the phrase from `list` that starts at tokens[i], or 0. */
function phraseLen(tokens: string[], i: number, list: string[][]): number {
  for (const p of list) if (p.every((w, k) => tokens[i + k] === w)) return p.length;
  return 0;
}

/** "6 tháng đầu năm 2024": the number of months before the year, or null. */
function firstMonths(prev: string[], words: Words): number | null {
  let k = prev.length - 1;
  if (words.time.yearWord.has(prev[k] ?? '')) k--;
  if (words.time.start.has(prev[k] ?? '')) k--;
  if (!words.time.month.has(prev[k] ?? '')) return null;
  const n = Number(prev[k - 1]);
  return Number.isInteger(n) && n >= 1 && n <= 12 ? n : null;
}

export function matchTime(
  tokens: string[],
  dates: string[],
  nowYear: number,
  words: Words,
): { points: RawPoint[]; latest: boolean; trend: boolean; prevYear: boolean } {
  const { start, end, until } = words.time;
  const points: RawPoint[] = [];
  const used = new Set<number>();
  // "đầu giai đoạn 2022-2025" is the baseline (end of the year before), "cuối giai đoạn 2022-2025" the last year's end.
  for (let i = 0; i + 2 < tokens.length; i++) {
    const edge = tokens[i];
    if (!start.has(edge) && !end.has(edge)) continue;
    const plen = phraseLen(tokens, i + 1, words.time.period);
    if (!plen) continue;
    const j = i + 1 + plen;
    const k = until.has(tokens[j + 1]) ? j + 2 : j + 1;
    if (!isYear(tokens[j]) || !isYear(tokens[k]) || Number(tokens[k]) <= Number(tokens[j])) continue;
    points.push(start.has(edge) ? { kind: 'end', year: Number(tokens[j]) - 1 } : { kind: 'end', year: Number(tokens[k]) });
    for (let x = j; x <= k; x++) used.add(x);
  }
  // Ranges: "giai đoạn 2022-2023", "từ năm 2022 đến năm 2023".
  for (let i = 0; i < tokens.length; i++) {
    if (used.has(i) || !isYear(tokens[i])) continue;
    let j = i + 1;
    if (!until.has(tokens[j])) continue;
    j++;
    if (end.has(tokens[j])) j++;
    if (words.time.yearWord.has(tokens[j])) j++;
    if (isYear(tokens[j]) && Number(tokens[j]) > Number(tokens[i]) && !used.has(j)) {
      points.push({ kind: 'range', from: Number(tokens[i]), to: Number(tokens[j]) });
      used.add(i);
      used.add(j);
      i = j;
    }
  }
  let dateIdx = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === DATE_MARK) {
      if (dates[dateIdx]) points.push({ kind: 'date', date: dates[dateIdx] });
      dateIdx++;
      used.add(i + 1);
      continue;
    }
    if (used.has(i)) continue;
    if (isYear(t)) {
      const y = Number(t);
      const prev = tokens.slice(Math.max(0, i - 4), i);
      const months = firstMonths(prev, words);
      const last = words.time.yearWord.has(prev[prev.length - 1] ?? '') ? prev[prev.length - 2] : prev[prev.length - 1];
      if (months) points.push({ kind: 'months', year: y, months });
      else if (last && start.has(last)) points.push({ kind: 'start', year: y });
      else if (
        last &&
        (end.has(last) || until.has(last) || (end.has(prev[prev.length - 2] ?? '') && until.has(prev[prev.length - 3] ?? '')))
      )
        points.push({ kind: 'end', year: y });
      else points.push({ kind: 'year', year: y });
      continue;
    }
    if ((start.has(t) || end.has(t)) && words.time.yearWord.has(tokens[i + 1]) && !isYear(tokens[i + 2])) {
      const edge = start.has(t) ? 'start' : 'end';
      if (phraseLen(tokens, i + 1, words.time.thisYear)) points.push({ kind: edge, year: nowYear });
      else if (phraseLen(tokens, i + 1, words.time.lastYear)) points.push({ kind: edge, year: nowYear - 1 });
      else points.push({ kind: edge, year: null });
      continue;
    }
    const before = tokens[i - 1] ?? '';
    if (start.has(before) || end.has(before)) continue;
    if (phraseLen(tokens, i, words.time.thisYear)) points.push({ kind: 'year', year: nowYear });
    else if (phraseLen(tokens, i, words.time.lastYear)) {
      // "so với năm trước" compares; it does not ask for last year.
      const window = tokens.slice(Math.max(0, i - 3), i);
      if (!words.compareBefore.some((p) => hasPhrase(window, p))) points.push({ kind: 'year', year: nowYear - 1 });
    }
  }
  return {
    points,
    latest: matchesAny(tokens, words.latest),
    trend: matchesAny(tokens, words.trend),
    prevYear: matchesAny(tokens, words.prevYear),
  };
}
