import type { Catalog, Indicator } from '../catalog.ts';
import { matchesAny, matchPattern, type Pattern, type Span } from '../text.ts';

/**
 * Which indicators a question names: the catalogue's phrasings (strong), its general words (weak),
 * and, for misspelt questions, a fuzzy search over phrasings. Variants (ethnic minority, target,
 * local standard...) are chosen by the tags the question carries.
 */

interface Match {
  ind: Indicator;
  span: Span;
  length: number;
  weak: boolean;
  contiguous?: boolean;
  /** Words of the phrase that carry meaning (not "bao nhiêu", "số", "mấy"...). */
  content: number;
}

function bestMatch(
  tokens: string[],
  patterns: Pattern[],
  filler: ReadonlySet<string>,
): { span: Span; length: number; contiguous: boolean; content: number } | null {
  let best: { span: Span; length: number; contiguous: boolean; content: number } | null = null;
  for (const p of patterns) {
    const span = matchPattern(tokens, p);
    if (span && (!best || p.length > best.length))
      best = {
        span,
        length: p.length,
        contiguous: p.segments.length === 1,
        content: p.segments.flat().filter((t) => !filler.has(t)).length,
      };
  }
  return best;
}

/** Tags the question carries ("dân tộc thiểu số" → dtts, "chỉ tiêu" → target). */
export function detectTags(tokens: string[], catalog: Catalog): Set<string> {
  const tags = new Set<string>();
  for (const [tag, pats] of catalog.tags) if (matchesAny(tokens, pats)) tags.add(tag);
  return tags;
}

/** Kinds of number the question names: a rate ("tỷ lệ", "%"), a count ("số hộ"), an amount ("tiền"). */
export function detectKinds(tokens: string[], catalog: Catalog): Set<'count' | 'rate' | 'amount'> {
  const out = new Set<'count' | 'rate' | 'amount'>();
  // "tỷ lệ" is a rate, never "tỷ (đồng)".
  const glued: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === 'ty' && tokens[i + 1] === 'le') {
      glued.push('tyle');
      i++;
    } else glued.push(tokens[i]);
  }
  if (matchesAny(tokens, catalog.kinds.rate)) out.add('rate');
  if (matchesAny(glued, catalog.kinds.count)) out.add('count');
  if (matchesAny(glued, catalog.kinds.amount)) out.add('amount');
  return out;
}

/** Finds indicators mentioned in the tokens (several may be asked at once). */
export function matchIndicators(
  tokens: string[],
  catalog: Catalog,
  fuse: FuzzyIndex | null,
  filler: ReadonlySet<string>,
  ignoreTags: string[] = [],
): { matches: Indicator[]; strong: boolean; weak: boolean } {
  const textTags = detectTags(tokens, catalog);
  for (const t of ignoreTags) textTags.delete(t);
  const raw: Match[] = [];
  for (const ind of catalog.indicators.values()) {
    if (ind.requiresAny.length && !matchesAny(tokens, ind.requiresAny)) continue;
    const strong = bestMatch(tokens, ind.phrasings, filler);
    if (strong) raw.push({ ind, ...strong, weak: false });
    else {
      const weak = bestMatch(tokens, ind.weak, filler);
      if (weak) raw.push({ ind, span: weak.span, length: weak.length, weak: true, content: weak.content });
    }
  }
  let matches = raw;
  // Typos ("quy vi nguoi nghe", "ty le ho can ngeo"): fuzzy search over phrasings when nothing strong matched.
  if (!matches.some((m) => !m.weak) && fuse) {
    for (const hit of fuse.search(tokens)) {
      if (hit.ind.requiresAny.length && !matchesAny(tokens, hit.ind.requiresAny)) continue;
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
  // Tags: within the same family, kind and household, keep the variants whose tags fit the question best.
  const groups = new Map<string, Match[]>();
  for (const m of matches) {
    const k = `${m.ind.family}|${m.ind.kind}|${m.ind.household ?? ''}`;
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
  return { matches: kept.map((m) => m.ind), strong: kept.some((m) => !m.weak), weak: kept.some((m) => m.weak) };
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
      let best = Number.POSITIVE_INFINITY;
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
