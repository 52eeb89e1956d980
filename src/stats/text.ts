import { fold, tokenize } from '../nlu/text.ts';

/**
 * The statistics skill's pattern matcher: token sequences with optional gaps ("cho ... vay").
 * The skill does not fold or tokenise messages itself (it reads `ctx.nlu`, see read.ts); this module
 * only turns the catalogue's own phrases into patterns, with the NLU's `fold` and `tokenize`, and
 * matches them against the tokens of a reading.
 */

/**
 * Tokens of a phrase written by an editor ("tỷ lệ hộ nghèo", "% kế hoạch"): folded like messages,
 * with "%" kept as a token of its own because officials write "bao nhiêu %".
 */
export function phraseTokens(phrase: string): string[] {
  return fold(String(phrase))
    .split(/(%)/)
    .flatMap((part) => (part === '%' ? ['%'] : tokenize(part)));
}

/** Replaces whole tokens using a map of abbreviation → expansion (both as tokens). */
export function expandTokens(tokens: string[], map: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    const rep = map.get(t);
    if (rep) out.push(...rep);
    else out.push(t);
  }
  return out;
}

/** A pattern: segments of contiguous tokens; between segments up to `PATTERN_GAP` other tokens may stand. */
export interface Pattern {
  source: string;
  segments: string[][];
  length: number;
}

/** How many other words may stand between two segments of a pattern ("cho ... vay"). */
export const PATTERN_GAP = 8;

/** Compiles an editor's phrase ("cho vay ... hộ nghèo") into a pattern. */
export function compilePattern(phrase: string): Pattern {
  const segments = String(phrase)
    .split('...')
    .map((s) => phraseTokens(s.trim()))
    .filter((s) => s.length > 0);
  return { source: phrase, segments, length: segments.reduce((n, s) => n + s.length, 0) };
}

/** Compiles a list of phrases, dropping empty ones. */
export function compileAll(phrases: readonly string[]): Pattern[] {
  return phrases.map(compilePattern).filter((p) => p.length > 0);
}

/** A half-open token range [start, end). */
export interface Span {
  start: number;
  end: number;
}

const tokenSets = new WeakMap<string[], { length: number; set: Set<string> }>();
const patternWords = new WeakMap<Pattern, string[]>();

/** True when some word of the pattern is absent from the tokens: the pattern cannot match (cheap test first). */
function cannotMatch(tokens: string[], p: Pattern): boolean {
  let cached = tokenSets.get(tokens);
  if (!cached || cached.length !== tokens.length) {
    cached = { length: tokens.length, set: new Set(tokens) };
    tokenSets.set(tokens, cached);
  }
  let words = patternWords.get(p);
  if (!words) {
    words = [...new Set(p.segments.flat())];
    patternWords.set(p, words);
  }
  for (const w of words) if (!cached.set.has(w)) return true;
  return false;
}

/** Finds the first (shortest-span) occurrence of a pattern in tokens. */
export function matchPattern(tokens: string[], p: Pattern): Span | null {
  if (cannotMatch(tokens, p)) return null;
  let best: Span | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const end = matchFrom(tokens, p, 0, i, true);
    if (end !== null && (!best || end - i < best.end - best.start)) best = { start: i, end };
  }
  return best;
}

/** True when any of the patterns matches. */
export function matchesAny(tokens: string[], patterns: readonly Pattern[]): boolean {
  return patterns.some((p) => matchPattern(tokens, p) !== null);
}

/** How many of the patterns match. */
export function countMatches(tokens: string[], patterns: readonly Pattern[]): number {
  return patterns.filter((p) => matchPattern(tokens, p) !== null).length;
}

function matchFrom(tokens: string[], p: Pattern, seg: number, pos: number, anchored: boolean): number | null {
  if (seg === p.segments.length) return pos;
  const s = p.segments[seg];
  const maxStart = anchored ? pos : Math.min(tokens.length - s.length, pos + PATTERN_GAP);
  for (let at = pos; at <= maxStart; at++) {
    if (segmentAt(tokens, s, at)) {
      const r = matchFrom(tokens, p, seg + 1, at + s.length, false);
      if (r !== null) return r;
    }
  }
  return null;
}

function segmentAt(tokens: string[], s: string[], at: number): boolean {
  if (at + s.length > tokens.length) return false;
  for (let k = 0; k < s.length; k++) if (tokens[at + k] !== s[k]) return false;
  return true;
}

/** True when the token sequence contains the phrase (contiguous). */
export function hasPhrase(tokens: string[], phrase: string[]): boolean {
  return phraseAt(tokens, phrase) >= 0;
}

/** Index of the first contiguous occurrence of the phrase at or after `from`, or -1. */
export function phraseAt(tokens: string[], phrase: string[], from = 0): number {
  if (phrase.length === 0) return -1;
  for (let i = from; i + phrase.length <= tokens.length; i++) if (segmentAt(tokens, phrase, i)) return i;
  return -1;
}
