import type { Understanding } from '../nlu/types.ts';
import { expandTokens } from './text.ts';

/**
 * How the statistics skill reads a message: from the NLU's one reading (`ctx.nlu`), never from the
 * raw text. Two of its forms are used:
 * - `tokens` (abbreviations expanded, typos corrected) for the words;
 * - `matchText` (folded as typed, punctuation kept) for what the tokens lose: dates ("31/12/2023"),
 *   year ranges ("2021-2023") and "%".
 * The general spelling corrector does not know the skill's vocabulary (place names, indicator words),
 * so where it changed one of those words ("ninh" → "nien", "biểu" → "biết", "số" → "giấy chứng nhận")
 * the word as typed is kept. Every other correction and expansion of the NLU stands.
 */

/** A reading of one message for the statistics skill. */
export interface Reading {
  /** Folded word tokens; a full date is the marker {@link DATE_MARK} followed by its year. */
  tokens: string[];
  /** The full dates mentioned (ISO), one per {@link DATE_MARK}, in order. */
  dates: string[];
  /** The message as typed (for quoting a place name back with its accents). */
  original: string;
  /** The NLU's `matchText`: folded as typed, punctuation kept (a name is not split by a comma). */
  typed: string;
}

/** Stands in the tokens where a full date was written. */
export const DATE_MARK = 'ngaycuthe';

const MAX_TOKENS = 600;

/** Reads `nlu` for the statistics skill (see the module comment). */
export function readMessage(nlu: Understanding, vocabulary: ReadonlySet<string>, abbreviations: Map<string, string[]>): Reading {
  const { text, dates } = markDates(nlu.matchText ?? '');
  const typed = text
    .split(/[^a-z0-9%]+/)
    .filter(Boolean)
    .slice(0, MAX_TOKENS);
  const read = (nlu.tokens ?? []).slice(0, MAX_TOKENS);
  const merged = merge(typed, read, (t) => vocabulary.has(t) || /^\d+$/.test(t) || t === DATE_MARK || t === '%');
  // A second pass lets an expansion meet another rule ("ti" → "tỷ", then "tỷ lệ").
  const tokens = expandTokens(expandTokens(merged, abbreviations), abbreviations);
  return { tokens, dates, original: nlu.original ?? '', typed: nlu.matchText ?? '' };
}

/** Replaces dates in folded text by `ngaycuthe <year>` and returns them; "2021-2023" becomes "2021 den 2023". */
function markDates(folded: string): { text: string; dates: string[] } {
  const dates: string[] = [];
  const push = (d: number, m: number, y: number) => {
    dates.push(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    return ` ${DATE_MARK} ${y} `;
  };
  let s = folded.replace(/\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\b/g, (_, d, m, y) => push(Number(d), Number(m), Number(y)));
  s = s.replace(/\bngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})\b/g, (_, d, m, y) => push(Number(d), Number(m), Number(y)));
  // "tháng 6/2024", "6/2024", "tháng 6 năm 2024": the figure at the end of that month.
  s = s.replace(/\b(?:thang\s*)?(\d{1,2})\s*[/.-]\s*(20\d\d)\b|\bthang (\d{1,2}) nam (20\d\d)\b/g, (all, m1, y1, m2, y2) => {
    const m = Number(m1 ?? m2);
    const y = Number(y1 ?? y2);
    if (m < 1 || m > 12) return all;
    return push(new Date(Date.UTC(y, m, 0)).getUTCDate(), m, y);
  });
  s = s.replace(/\b(20\d\d)\s*[-–]\s*(20\d\d)\b/g, '$1 den $2').replace(/%/g, ' % ');
  return { text: s, dates };
}

/**
 * Aligns the tokens as typed with the NLU's tokens (longest common subsequence) and keeps, in each
 * stretch where they differ, the typed words when all of them are the skill's own words, else the NLU's.
 */
function merge(typed: string[], read: string[], own: (t: string) => boolean): string[] {
  const n = typed.length;
  const m = read.length;
  const width = m + 1;
  const lcs = new Uint16Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * width + j] =
        typed[i] === read[j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  let a: string[] = [];
  let b: string[] = [];
  const flush = () => {
    if (a.length && (b.length === 0 || a.every(own))) out.push(...a);
    else out.push(...b);
    a = [];
    b = [];
  };
  while (i < n || j < m) {
    if (i < n && j < m && typed[i] === read[j]) {
      flush();
      out.push(typed[i]);
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])) a.push(typed[i++]);
    else b.push(read[j++]);
  }
  flush();
  return out;
}
