import type { Area, Areas, Catalog, Indicator } from './catalog.ts';
import { expandTokens, fold, hasPhrase, matchPattern, tokenize, type Pattern, type Span } from './text.ts';

/**
 * Reading a statistics question: which indicators, which areas, which dates, which comparisons.
 * Everything here is derived from the catalogue and the area list (data), not from fixed words
 * about particular figures.
 */

export type TimePoint =
  | { kind: 'date'; date: string }
  | { kind: 'start'; year: number }
  | { kind: 'end'; year: number }
  | { kind: 'year'; year: number }
  | { kind: 'months'; year: number; months: number }
  | { kind: 'range'; from: number; to: number };

export interface Resolution {
  tokens: string[];
  indicators: Indicator[];
  strongMatch: boolean;
  weakMatch: boolean;
  /** Areas named in the question (each a list of candidates sharing a name, e.g. old and new Lâm Đồng). */
  areas: Area[][];
  /** Areas named after "so với" (comparison targets). */
  compareAreas: Area[][];
  points: TimePoint[];
  latest: boolean;
  trend: boolean;
  wantsChange: boolean;
  wantsPlanRatio: boolean;
  wantsSum: boolean;
  wantsPrevYear: boolean;
  wantsRegion: boolean;
  textTags: Set<string>;
  household: string | null;
  measures: Set<'count' | 'rate' | 'amount'>;
  followUp: boolean;
  /** A province or city named in the question that has no figures here (e.g. "Hà Nội"). */
  unknownPlace: string | null;
  /** "các huyện", "từng huyện": list the parts of the area. */
  breakdown: boolean;
  /** "đầu năm"/"cuối năm" said without a year anywhere in the message (filled from the conversation). */
  pending: ('start' | 'end')[];
}

const has = (tokens: string[], phrase: string) => hasPhrase(tokens, tokenize(phrase));
const hasAny = (tokens: string[], phrases: string[]) => phrases.some((p) => has(tokens, p));

/** Folds and expands a message into tokens; dates (dd/mm/yyyy) are returned separately. */
export function prepare(text: string, catalog: Catalog): { tokens: string[]; dates: string[] } {
  let s = fold(text);
  const dates: string[] = [];
  const push = (d: number, m: number, y: number) => dates.push(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  s = s.replace(/\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\b/g, (_, d, m, y) => {
    push(Number(d), Number(m), Number(y));
    return ` ngaycuthe ${y} `;
  });
  s = s.replace(/\bngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})\b/g, (_, d, m, y) => {
    push(Number(d), Number(m), Number(y));
    return ` ngaycuthe ${y} `;
  });
  // "tháng 6/2024", "6/2024", "tháng 6 năm 2024": the figure at the end of that month.
  s = s.replace(/\b(?:thang\s*)?(\d{1,2})\s*[/.-]\s*(20\d\d)\b|\bthang (\d{1,2}) nam (20\d\d)\b/g, (all, m1, y1, m2, y2) => {
    const m = Number(m1 ?? m2);
    const y = Number(y1 ?? y2);
    if (m < 1 || m > 12) return all;
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    push(last, m, y);
    return ` ngaycuthe ${y} `;
  });
  s = s.replace(/\b(20\d\d)\s*[-–]\s*(20\d\d)\b/g, '$1 den $2');
  let tokens = expandTokens(tokenize(s), catalog.abbreviations);
  // A second pass lets expansions such as "ti" → "ty" meet other rules; then glue "ty le" so it is not read as "tỷ (đồng)".
  tokens = expandTokens(tokens, catalog.abbreviations);
  return { tokens, dates };
}

interface Match {
  ind: Indicator;
  span: Span;
  length: number;
  weak: boolean;
  contiguous?: boolean;
  /** Words of the phrase that carry meaning (not "bao nhiêu", "số", "mấy"...). */
  content: number;
}

const FILLER = new Set(['bao', 'nhieu', 'may', 'so', 'con', 'lai', 'tong', 'luong', 'cua', 'la', 'duoc', 'co']);

function bestMatch(tokens: string[], patterns: Pattern[]): { span: Span; length: number; contiguous: boolean; content: number } | null {
  let best: { span: Span; length: number; contiguous: boolean; content: number } | null = null;
  for (const p of patterns) {
    const span = matchPattern(tokens, p);
    if (span && (!best || p.length > best.length))
      best = {
        span,
        length: p.length,
        contiguous: p.segments.length === 1,
        content: p.segments.flat().filter((t) => !FILLER.has(t)).length,
      };
  }
  return best;
}

function detectTags(tokens: string[], catalog: Catalog): Set<string> {
  const tags = new Set<string>();
  for (const [tag, pats] of catalog.tags) if (pats.some((p) => matchPattern(tokens, p))) tags.add(tag);
  return tags;
}

function detectMeasures(tokens: string[], catalog: Catalog): Set<'count' | 'rate' | 'amount'> {
  const out = new Set<'count' | 'rate' | 'amount'>();
  // "tỷ lệ" is a rate, never "tỷ (đồng)".
  const glued: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === 'ty' && tokens[i + 1] === 'le') {
      glued.push('tyle');
      i++;
    } else glued.push(tokens[i]);
  }
  if (catalog.measures.rate.some((p) => matchPattern(tokens, p))) out.add('rate');
  if (catalog.measures.count.some((p) => matchPattern(glued, p))) out.add('count');
  if (catalog.measures.amount.some((p) => matchPattern(glued, p))) out.add('amount');
  return out;
}

export function detectHousehold(tokens: string[]): string | null {
  if (hasAny(tokens, ['ngheo va can ngheo', 'ngheo va ho can ngheo', 'ngheo da chieu'])) return 'poor_near_poor';
  if (hasAny(tokens, ['moi thoat ngheo', 'thoat ngheo'])) return 'escaped';
  if (hasAny(tokens, ['can ngheo'])) return 'near_poor';
  if (hasAny(tokens, ['ho ngheo', 'nguoi ngheo'])) return 'poor';
  return null;
}

const FOLLOW_UP_STARTS = ['con', 'the', 'vay', 'thi', 'so voi', 'con lai', 'nhu vay', 'roi', 'va', 'the con'];

/** Finds indicators mentioned in the tokens (several may be asked at once). */
export function matchIndicators(
  tokens: string[],
  catalog: Catalog,
  fuse: FuzzyIndex | null,
  ignoreTags: string[] = [],
): { matches: Match[]; strong: boolean; weak: boolean } {
  const textTags = detectTags(tokens, catalog);
  for (const t of ignoreTags) textTags.delete(t);
  const raw: Match[] = [];
  for (const ind of catalog.indicators.values()) {
    if (ind.requiresAny.length && !ind.requiresAny.some((p) => matchPattern(tokens, p))) continue;
    const strong = bestMatch(tokens, ind.phrasings);
    if (strong)
      raw.push({ ind, span: strong.span, length: strong.length, weak: false, contiguous: strong.contiguous, content: strong.content });
    else {
      const weak = bestMatch(tokens, ind.weak);
      if (weak) raw.push({ ind, span: weak.span, length: weak.length, weak: true, content: weak.content });
    }
  }
  let matches = raw;
  // Typos ("quy vi nguoi nghe", "ty le ho can ngeo"): fuzzy search over phrasings when nothing strong matched.
  if (!matches.some((m) => !m.weak) && fuse) {
    for (const hit of fuse.search(tokens)) {
      if (hit.ind.requiresAny.length && !hit.ind.requiresAny.some((p) => matchPattern(tokens, p))) continue;
      if (!matches.some((m) => m.ind.id === hit.ind.id && !m.weak)) {
        matches = matches.filter((m) => m.ind.id !== hit.ind.id);
        matches.push({ ind: hit.ind, span: { start: 0, end: 0 }, length: hit.length, weak: false, content: hit.length });
      }
    }
  }
  const strongs = matches.filter((m) => !m.weak);
  if (strongs.length) {
    const strongFamilies = new Set(strongs.map((m) => m.ind.family));
    matches = matches.filter((m) => !m.weak || strongFamilies.has(m.ind.family));
    // A weak match is dropped when its words are part of a strong match.
    matches = matches.filter(
      (m) => !m.weak || !strongs.some((s) => s.ind.family === m.ind.family && (s.ind.household ?? '') === (m.ind.household ?? '')),
    );
    matches = matches.filter((m) => !m.weak || !strongs.some((s) => overlaps(s.span, m.span)));
  }
  // Longest match wins: a match inside a longer match of another family is a word of that phrase.
  const spanLen = (x: Match) => x.span.end - x.span.start;
  matches = matches.filter(
    (m) =>
      !matches.some(
        (o) =>
          o !== m &&
          spanLen(m) > 0 &&
          (o.ind.family !== m.ind.family
            ? (spanLen(o) > spanLen(m) && o.span.start <= m.span.start && o.span.end >= m.span.end) ||
              (overlaps(o.span, m.span) && o.content > m.content)
            : spanLen(o) > spanLen(m) && !!o.contiguous && overlaps(o.span, m.span)),
      ),
  );
  // Tags: within the same family, measure and household, keep the variants whose tags fit the question best.
  const groups = new Map<string, Match[]>();
  for (const m of matches) {
    const k = `${m.ind.family}|${m.ind.measure}|${m.ind.household ?? ''}`;
    groups.set(k, [...(groups.get(k) ?? []), m]);
  }
  const kept: Match[] = [];
  for (const g of groups.values()) {
    const fit = (ind: Indicator) => {
      const missing = ind.tags.filter((t) => !textTags.has(t)).length;
      const present = ind.tags.filter((t) => textTags.has(t)).length;
      return missing * -10 + present;
    };
    const best = Math.max(...g.map((m) => fit(m.ind)));
    kept.push(...g.filter((m) => fit(m.ind) === best));
  }
  return { matches: kept, strong: kept.some((m) => !m.weak), weak: kept.some((m) => m.weak) };
}

function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * Fuzzy phrase search for misspelt questions ("quy vi nguoi nghe", "ty le ho can ngeo"): a phrasing
 * matches when its words appear in a row in the question, each equal or one edit away, with at most
 * one misspelt word in three. Word-level comparison keeps the cost proportional to the question's
 * length times the number of phrasings, with no per-query index to build.
 */
export class FuzzyIndex {
  private readonly entries: { words: string[]; ind: Indicator; length: number }[] = [];
  constructor(catalog: Catalog) {
    for (const ind of catalog.indicators.values())
      for (const p of ind.phrasings) {
        const phrase = p.segments.map((s) => s.join(' ')).join(' ');
        if (p.segments.length === 1 && p.length >= 3 && phrase.length >= 10 && phrase.length <= 32)
          this.entries.push({ words: phrase.split(' '), ind, length: p.length });
      }
  }
  search(tokens: string[]): { ind: Indicator; length: number }[] {
    const out = new Map<string, { ind: Indicator; length: number; score: number }>();
    const present = new Set(tokens);
    for (const e of this.entries) {
      const k = e.words.length;
      // One misspelt word at most: all the other words must be in the question as they are.
      let exact = 0;
      for (const w of e.words) if (present.has(w)) exact++;
      if (exact < k - 1) continue;
      let best = Infinity;
      for (let i = 0; i + k <= tokens.length && best > 0; i++) {
        let edits = 0;
        for (let j = 0; j < k && edits <= 1; j++) {
          const a = tokens[i + j];
          const b = e.words[j];
          if (a !== b) edits += oneEditApart(a, b) ? 1 : 2;
        }
        if (edits <= 1 && edits * 3 <= k) best = Math.min(best, edits);
      }
      if (best === 1) {
        const score = 1 / k;
        const prev = out.get(e.ind.id);
        if (!prev || prev.score > score) out.set(e.ind.id, { ind: e.ind, length: e.length, score });
      }
    }
    // Keep only the best-scoring family to avoid a scatter of near misses.
    const list = [...out.values()].sort((a, b) => a.score - b.score || b.length - a.length);
    if (!list.length) return [];
    const fam = list[0].ind.family;
    const top = list[0].score;
    return list.filter((x) => x.ind.family === fam && x.score <= top + 0.05);
  }
}

/** True when two words differ by one insertion, deletion, substitution or adjacent swap (words of 3+ letters). */
export function oneEditApart(a: string, b: string): boolean {
  if (a.length < 3 || b.length < 3 || Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    if (i === a.length) return true;
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  const [s, l] = a.length < b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < s.length && s[i] === l[i]) i++;
  return s.slice(i) === l.slice(i + 1);
}

/** Finds named areas; returns mentions in order, each as the candidates sharing that name. */
export function matchAreas(tokens: string[], areas: Areas): { main: Area[][]; compare: Area[][] } {
  type Hit = { start: number; end: number; ids: Set<string> };
  const hits: Hit[] = [];
  for (const a of areas.byId.values()) {
    for (const alias of a.aliases) {
      for (let i = 0; i + alias.length <= tokens.length; i++) {
        let ok = true;
        for (let k = 0; k < alias.length; k++) if (tokens[i + k] !== alias[k]) ok = false;
        if (ok) hits.push({ start: i, end: i + alias.length, ids: new Set([a.id]) });
      }
    }
  }
  // Longest non-overlapping hits; equal spans merge their candidates (old/new Lâm Đồng).
  hits.sort((x, y) => y.end - y.start - (x.end - x.start) || x.start - y.start);
  const chosen: Hit[] = [];
  for (const h of hits) {
    const same = chosen.find((c) => c.start === h.start && c.end === h.end);
    if (same) {
      h.ids.forEach((id) => same.ids.add(id));
      continue;
    }
    if (chosen.some((c) => h.start < c.end && c.start < h.end)) continue;
    chosen.push(h);
  }
  chosen.sort((x, y) => x.start - y.start);
  const main: Area[][] = [];
  const compare: Area[][] = [];
  for (const h of chosen) {
    const before = tokens.slice(Math.max(0, h.start - 4), h.start).join(' ');
    const list = [...h.ids].map((id) => areas.byId.get(id)!).sort((a, b) => (a.validTo ? 1 : 0) - (b.validTo ? 1 : 0));
    const target = /\bso (sanh )?voi\b|\bvoi\b|\bva\b.*\bso\b/.test(before) ? compare : main;
    if (!target.some((l) => l[0].id === list[0].id)) target.push(list);
  }
  return { main, compare };
}

/** Time points in the order they are mentioned. Years missing from "đầu năm"/"cuối năm" are filled in by the caller. */
export function matchTime(
  tokens: string[],
  dates: string[],
  nowYear: number,
): { points: (TimePoint | { kind: 'start' | 'end'; year: null })[]; latest: boolean; trend: boolean; prevYear: boolean } {
  const points: (TimePoint | { kind: 'start' | 'end'; year: null })[] = [];
  let dateIdx = 0;
  const isYear = (t: string | undefined) => !!t && /^20[0-4]\d$/.test(t);
  const used = new Set<number>();
  // "đầu giai đoạn 2022-2025" is the baseline (end of the year before), "cuối giai đoạn 2022-2025" the last year's end.
  for (let i = 0; i + 3 < tokens.length; i++) {
    const edge = tokens[i];
    if (edge !== 'dau' && edge !== 'cuoi') continue;
    let j = i + 1;
    if (tokens[j] === 'giai' && tokens[j + 1] === 'doan') j += 2;
    else if (tokens[j] === 'ky' || (tokens[j] === 'nhiem' && tokens[j + 1] === 'ky')) j += tokens[j] === 'ky' ? 1 : 2;
    else continue;
    if (!isYear(tokens[j]) || !isYear(tokens[j + 1]) || Number(tokens[j + 1]) <= Number(tokens[j])) continue;
    points.push(edge === 'dau' ? { kind: 'end', year: Number(tokens[j]) - 1 } : { kind: 'end', year: Number(tokens[j + 1]) });
    used.add(j);
    used.add(j + 1);
  }
  // Ranges: "giai đoạn 2022-2023", "từ năm 2022 đến năm 2023".
  for (let i = 0; i < tokens.length; i++) {
    if (used.has(i)) continue;
    if (!isYear(tokens[i])) continue;
    let j = i + 1;
    if (tokens[j] === 'den' || tokens[j] === 'toi') {
      j++;
      if (tokens[j] === 'het') j++;
      if (tokens[j] === 'nam') j++;
      if (isYear(tokens[j]) && Number(tokens[j]) > Number(tokens[i])) {
        points.push({ kind: 'range', from: Number(tokens[i]), to: Number(tokens[j]) });
        used.add(i);
        used.add(j);
        i = j;
      }
    }
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'ngaycuthe') {
      if (dates[dateIdx]) points.push({ kind: 'date', date: dates[dateIdx] });
      dateIdx++;
      used.add(i + 1);
      continue;
    }
    if (used.has(i)) continue;
    const prev = tokens.slice(Math.max(0, i - 4), i).join(' ');
    if (isYear(t)) {
      const y = Number(t);
      const m = /(\d{1,2}) thang (dau )?(nam )?$/.exec(prev + ' ');
      if (m && Number(m[1]) >= 1 && Number(m[1]) <= 12) points.push({ kind: 'months', year: y, months: Number(m[1]) });
      else if (/(^| )dau( nam)?$/.test(prev)) points.push({ kind: 'start', year: y });
      else if (/(^| )(cuoi|het)( nam)?$/.test(prev) || /(den|toi) (het )?(nam )?$/.test(prev + ' ')) points.push({ kind: 'end', year: y });
      else points.push({ kind: 'year', year: y });
      continue;
    }
    if ((t === 'dau' || t === 'cuoi' || t === 'het') && tokens[i + 1] === 'nam' && !isYear(tokens[i + 2])) {
      const nxt = tokens[i + 2];
      if (nxt === 'nay') points.push({ kind: t === 'dau' ? 'start' : 'end', year: nowYear });
      else if (nxt === 'ngoai' || nxt === 'truoc') points.push({ kind: t === 'dau' ? 'start' : 'end', year: nowYear - 1 });
      else points.push({ kind: t === 'dau' ? 'start' : 'end', year: null });
      continue;
    }
    if (t === 'nam' && tokens[i + 1] === 'nay' && tokens[i - 1] !== 'dau' && tokens[i - 1] !== 'cuoi')
      points.push({ kind: 'year', year: nowYear });
    if (
      t === 'nam' &&
      (tokens[i + 1] === 'ngoai' ||
        (tokens[i + 1] === 'truoc' && !/so voi|voi|sanh voi/.test(tokens.slice(Math.max(0, i - 3), i).join(' ')))) &&
      tokens[i - 1] !== 'dau' &&
      tokens[i - 1] !== 'cuoi'
    )
      points.push({ kind: 'year', year: nowYear - 1 });
  }
  const latest = hasAny(tokens, [
    'moi nhat',
    'hien nay',
    'hien tai',
    'bay gio',
    'hien gio',
    'gan day nhat',
    'gan nhat',
    'hien co',
    'luc nay',
    'den nay',
    'hien nay la',
  ]);
  const trend = hasAny(tokens, [
    'qua cac nam',
    'cac nam',
    'tung nam',
    'hang nam',
    'xu huong',
    'dien bien',
    'qua tung nam',
    'theo nam',
    'cac ky',
    'chuoi so lieu',
    'bieu do',
    'qua cac thoi ky',
    'nhung nam qua',
  ]);
  const prevYear = hasAny(tokens, [
    'so voi nam truoc',
    'so voi nam ngoai',
    'so voi cung ky',
    'voi nam truoc',
    'voi nam ngoai',
    'so cung ky',
    'so nam truoc',
  ]);
  return { points, latest, trend, prevYear };
}

export function resolveQuestion(
  text: string,
  catalog: Catalog,
  areas: Areas,
  fuse: FuzzyIndex | null,
  now: Date,
  hasSession: boolean,
  places: { name: string; tokens: string[] }[] = [],
): Resolution {
  const { tokens, dates } = prepare(text, catalog);
  const wantsPlanRatio = hasAny(tokens, [
    'phan tram ke hoach',
    '% ke hoach',
    'so voi ke hoach',
    'so voi chi tieu',
    'phan tram chi tieu',
    '% chi tieu',
    'vuot ke hoach',
    'vuot chi tieu',
    'hoan thanh ke hoach',
    'dat ke hoach',
    'dat chi tieu',
    'hoan thanh chi tieu',
    'phan tram so voi ke hoach',
    'dat muc tieu',
    'so voi muc tieu',
    'hoan thanh muc tieu',
    'vuot muc tieu',
  ]);
  const { matches, strong, weak } = matchIndicators(tokens, catalog, fuse, wantsPlanRatio ? ['target'] : []);
  const { main, compare } = matchAreas(tokens, areas);
  const nowYear = Number(new Date(now.getTime() + 7 * 3600e3).toISOString().slice(0, 4));
  const time = matchTime(tokens, dates, nowYear);
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
  const firstWords = tokens.slice(0, 2).join(' ');
  const followUp =
    hasSession && !strong && (tokens.length <= 10 || FOLLOW_UP_STARTS.some((s) => firstWords === s || firstWords.startsWith(s + ' ')));
  const res: Resolution = {
    tokens,
    indicators: matches.map((m) => m.ind),
    strongMatch: strong,
    weakMatch: weak,
    areas: main,
    compareAreas: compare,
    points,
    latest: time.latest,
    trend: time.trend,
    wantsChange: hasAny(tokens, [
      'tang hay giam',
      'tang giam',
      'giam bao nhieu',
      'giam duoc',
      'tang bao nhieu',
      'tang duoc',
      'bien dong',
      'thay doi',
      'so sanh',
      'so voi',
      'giam may',
      'tang may',
      'chenh lech',
      'giam hay tang',
    ]),
    wantsPlanRatio,
    wantsSum: hasAny(tokens, ['tong cong', 'cong lai', 'ca ba nhom', 'ca ba', 'gop lai', 'cong chung', 'tinh tong', 'cong tat ca']),
    wantsPrevYear: time.prevYear,
    wantsRegion: hasAny(tokens, [
      'so voi vung',
      'so voi khu vuc',
      'so voi ca vung',
      'so voi binh quan vung',
      'so voi trung binh vung',
      'so sanh voi vung',
      'so voi mien trung',
    ]),
    textTags,
    household: detectHousehold(tokens),
    measures: detectMeasures(tokens, catalog),
    followUp,
    unknownPlace: null,
    pending,
    breakdown: hasAny(tokens, [
      'cac huyen',
      'tung huyen',
      'huyen nao',
      'dia phuong nao',
      'theo huyen',
      'moi huyen',
      'cac dia phuong',
      'tung dia phuong',
      'theo dia ban huyen',
      'chia theo huyen',
      'cap huyen',
    ]),
  };
  if (main.length === 0) {
    // "huyện Đức Trọng", "thị xã Buôn Hồ": a district that is not in the area list.
    const m = /\b(huyen|thi xa|thanh pho|tp|quan) ([a-z]+(?: [a-z]+)?)/.exec(tokens.join(' '));
    const STOP = new Set([
      'nao',
      'nay',
      'do',
      'cua',
      'co',
      'nam',
      'la',
      'bao',
      'so',
      'ty',
      'toan',
      'ta',
      'minh',
      'nha',
      'tren',
      'thi',
      'va',
      'o',
      'tai',
      'cap',
      'moi',
      'tung',
      'cac',
      'deu',
      'duoc',
      'con',
      'mien',
      'thi xa',
      'ngheo',
      'ho',
    ]);
    if (m) {
      const words = m[2].split(' ').filter((w, i, arr) => !STOP.has(w) && (i === 0 || !STOP.has(arr[0])));
      if (words.length && !STOP.has(m[2].split(' ')[0])) {
        const name = originalWords(text, m[1], words.length) ?? `${m[1]} ${words.join(' ')}`;
        res.unknownPlace = name;
      }
    }
    const known = new Set([...areas.byId.values()].flatMap((a) => a.aliases.map((x) => x.join(' '))));
    const place = places
      .filter((p) => !known.has(p.tokens.join(' ')) && hasPhrase(tokens, p.tokens))
      .sort((a, b) => b.tokens.length - a.tokens.length)[0];
    if (place) res.unknownPlace = place.name;
  }
  return res;
}

/** The words after "huyện"/"thị xã"... as the person typed them (with accents), when they can be found. */
function originalWords(text: string, kind: string, count: number): string | null {
  const words = text.split(/[\s,.;:!?()]+/).filter(Boolean);
  const kindLen = kind.split(' ').length;
  for (let i = 0; i + kindLen + count <= words.length; i++) {
    if (fold(words.slice(i, i + kindLen).join(' ')) === kind) return words.slice(i, i + kindLen + count).join(' ');
  }
  return null;
}
