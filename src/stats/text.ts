/**
 * Text helpers for the statistics skill: folding (lower case, no diacritics, đ→d),
 * tokenising, and token-sequence matching with optional gaps ("cho ... vay").
 */

/** Lower-case, NFD, strip combining marks, đ→d, keep letters/digits/%/space, collapse spaces. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9%/.,\- ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Splits folded text into word tokens (punctuation dropped, '%' kept as its own token). */
export function tokenize(folded: string): string[] {
  return folded
    .replace(/%/g, ' % ')
    .replace(/(\d)[.,](\d)/g, '$1\u0001$2')
    .replace(/[.,;:!?()"'/-]+/g, ' ')
    .replace(/\u0001/g, '.')
    .split(/\s+/)
    .filter(Boolean);
}

/** Replaces whole tokens using a map of abbreviation → expansion (both folded). */
export function expandTokens(tokens: string[], map: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    const rep = map.get(t);
    if (rep) out.push(...rep);
    else out.push(t);
  }
  return out;
}

/** A pattern: segments of contiguous tokens; between segments up to `gap` other tokens may stand. */
export interface Pattern {
  source: string;
  segments: string[][];
  length: number;
}

export const PATTERN_GAP = 8;

export function compilePattern(folded: string): Pattern {
  const segments = folded
    .split('...')
    .map((s) => tokenize(s.trim()))
    .filter((s) => s.length > 0);
  return { source: folded, segments, length: segments.reduce((n, s) => n + s.length, 0) };
}

export interface Span {
  start: number;
  end: number; // exclusive
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
  for (let i = 0; i + phrase.length <= tokens.length; i++) if (segmentAt(tokens, phrase, i)) return true;
  return false;
}
