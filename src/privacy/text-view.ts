import { fold } from '../nlu/text.ts';
/**
 * A folded, tokenised view of a text, built in one pass, for the personal-data scanner in mask.ts.
 *
 * Why: people hide or mangle the digits of an ID or a phone number (full-width digits, zero-width
 * spaces, upper case, Vietnamese diacritics, en dashes…). Matching every variant with regular
 * expressions is slow and easy to get wrong; instead the text is folded once into a canonical form
 * (ASCII digits, lower-case letters without diacritics, zero-width characters dropped) and cut into
 * tokens, and the detectors walk the tokens. Every folded character remembers where it came from,
 * so the masks are applied to the original text and everything else is returned untouched.
 */

/**
 * Token kinds: a run of ASCII digits, a run of letters, a run of white space, one ASCII punctuation
 * character, or one other character (symbols, emoji halves). Numbers, so the scanner compares small
 * integers in its loops.
 */
export const DIGITS = 1;
export const WORD = 2;
export const SPACE = 3;
export const PUNCT = 4;
export const OTHER = 5;

/** The folded text and its tokens; read it before the next buildView call, which reuses its buffers. */
export interface TextView {
  /**
   * The folded text: ASCII digits, lower-case letters without diacritics, no zero-width characters.
   * Characters still outside ASCII after folding (other scripts, emoji) read as U+007F: they never match
   * a keyword, and their token kind (a letter or not) is in `kind`. One byte per character keeps it cheap.
   */
  readonly text: string;
  /** origin[i] is the index in the source of folded character i; origin[text.length] is the source length. */
  readonly origin: Int32Array;
  /** Number of tokens. */
  readonly count: number;
  /** Token kind (DIGITS, WORD, SPACE, PUNCT, OTHER), start and end (exclusive) in the folded text. */
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
}

/**
 * For each UTF-16 code unit: 0 while not yet computed (filled lazily), DROPPED for characters left out
 * of the folded text, else (token kind << 16) | folded code.
 */
const INFO = new Int32Array(0x10000);
const DROPPED = -1;

/** Invisible characters used (deliberately or not) inside numbers and addresses. */
const INVISIBLE = new Set([
  0x00ad, 0x034f, 0x061c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2060, 0x2061, 0x2062, 0x2063,
  0x2064, 0xfeff,
]);
/** Look-alikes of the separators that matter. */
const LOOK_ALIKE = new Map<number, number>([
  [0x2010, 0x2d],
  [0x2011, 0x2d],
  [0x2012, 0x2d],
  [0x2013, 0x2d],
  [0x2014, 0x2d],
  [0x2015, 0x2d],
  [0x2212, 0x2d],
  [0xfe63, 0x2d],
  [0x00b7, 0x2e],
  [0x2024, 0x2e],
  [0x3002, 0x2e],
  [0xfe52, 0x2e],
  [0x2044, 0x2f],
  [0x2215, 0x2f],
  [0x201a, 0x2c],
  [0x3001, 0x2c],
  [0xfe50, 0x2c],
  [0xfe6b, 0x40],
  [0x20ab, 0x64], // ₫ reads as "đ", a money unit
  [0x0111, 0x64],
  [0x0110, 0x64], // đ, Đ
]);
const NEWLINES = new Set([0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0x2028, 0x2029]);

function computeFold(c: number): number {
  if (INVISIBLE.has(c) || (c >= 0x0300 && c <= 0x036f)) return DROPPED;
  if (c >= 0xff01 && c <= 0xff5e) return foldAscii(c - 0xfee0); // full-width ASCII
  if (c === 0x3000) return 0x20;
  if (c >= 0xd800 && c <= 0xdfff) return c; // halves of astral characters stay as they are
  const alike = LOOK_ALIKE.get(c);
  if (alike !== undefined) return alike;
  if (NEWLINES.has(c)) return 0x0a;
  const ch = String.fromCharCode(c);
  if (/\s/.test(ch)) return 0x20;
  if (/\p{Nd}/u.test(ch)) {
    // Decimal digits of other scripts come in runs of ten starting at zero.
    let zero = c;
    while (c - zero < 9 && /\p{Nd}/u.test(String.fromCharCode(zero - 1))) zero--;
    return 0x30 + (c - zero);
  }
  if (/\p{M}/u.test(ch)) return DROPPED;
  // The NLU's folding (one implementation), applied to a single character.
  const folded = fold(ch);
  if (folded.length === 1) return folded.charCodeAt(0) === 0x111 ? 0x64 : folded.charCodeAt(0);
  const lower = ch.toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : c;
}

function foldAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

function computeKind(c: number): number {
  if (c >= 0x30 && c <= 0x39) return DIGITS;
  if (c >= 0x61 && c <= 0x7a) return WORD;
  if (c === 0x20 || c === 0x0a || c === 0x09) return SPACE;
  if (c < 0x80) return c > 0x20 && c < 0x7f ? PUNCT : OTHER;
  if (c >= 0xd800 && c <= 0xdfff) return OTHER;
  return /\p{L}/u.test(String.fromCharCode(c)) ? WORD : OTHER;
}

function computeInfo(c: number): number {
  const f = c < 0x80 ? (NEWLINES.has(c) ? 0x0a : c === 0x09 ? 0x20 : foldAscii(c)) : computeFold(c);
  return f === DROPPED ? DROPPED : (computeKind(f) << 16) | f;
}

for (let c = 0; c < 0x80; c++) INFO[c] = computeInfo(c);

/** Stands for a folded character outside ASCII in `TextView.text`. */
const NON_ASCII = 0x7f;

/** Bytes below 0x80 decode the same in every single-byte encoding. */
const bytes = (() => {
  try {
    return new TextDecoder('latin1');
  } catch {
    return null;
  }
})();

/** Makes a string of the folded bytes at once. */
function decode(units: Uint8Array): string {
  if (bytes) return bytes.decode(units);
  let text = '';
  for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode.apply(null, units.subarray(i, i + 8192) as unknown as number[]);
  return text;
}

/** Buffers reused from call to call (grown when needed): the scanner is synchronous and single-threaded. */
let capacity = 0;
let codes = new Uint8Array(0);
let originBuf = new Int32Array(1);
let kindBuf = new Uint8Array(0);
let startBuf = new Int32Array(0);
let endBuf = new Int32Array(0);

function ensureCapacity(n: number): void {
  if (n <= capacity) return;
  capacity = Math.max(n, capacity * 2, 1024);
  codes = new Uint8Array(capacity);
  originBuf = new Int32Array(capacity + 1);
  kindBuf = new Uint8Array(capacity);
  startBuf = new Int32Array(capacity);
  endBuf = new Int32Array(capacity);
}

/**
 * Folds and tokenises the concatenation of `parts` in a single pass: O(total length). Parts are read one
 * by one rather than concatenated first, because reading a concatenated (not yet flattened) string
 * character by character is several times slower. The view shares buffers with the next call: use it
 * before calling buildView again.
 */
export function buildView(parts: readonly string[]): TextView {
  let n = 0;
  for (const part of parts) n += part.length;
  ensureCapacity(n);
  const folded = codes;
  const origin = originBuf;
  const kind = kindBuf;
  const start = startBuf;
  const end = endBuf;
  let len = 0;
  let count = 0;
  let prevKind = 0;
  let base = 0;
  for (const source of parts) {
    for (let i = 0, m = source.length; i < m; i++) {
      const c = source.charCodeAt(i);
      let info = INFO[c];
      if (info === 0) INFO[c] = info = computeInfo(c);
      if (info === DROPPED) continue;
      const k = info >>> 16;
      const f = info & 0xffff;
      folded[len] = f < 0x80 ? f : NON_ASCII;
      origin[len] = base + i;
      // Runs of digits, letters or white space make one token; punctuation and symbols one each.
      if (k === prevKind && (k === DIGITS || k === WORD || k === SPACE)) {
        end[count - 1] = len + 1;
      } else {
        kind[count] = k;
        start[count] = len;
        end[count] = len + 1;
        count++;
        prevKind = k;
      }
      len++;
    }
    base += source.length;
  }
  origin[len] = n;
  const text = decode(folded.subarray(0, len));
  return {
    text,
    origin: origin.subarray(0, len + 1),
    count,
    kind: kind.subarray(0, count),
    start: start.subarray(0, count),
    end: end.subarray(0, count),
  };
}
