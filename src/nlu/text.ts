/**
 * Low-level Vietnamese text handling: Unicode NFC, one tone-placement convention, diacritic folding
 * (đ→d) and tokenisation. Index and query both go through `fold`, so "ho can ngheo" meets "hộ cận nghèo".
 */

/** Longest input the NLU reads; longer text is cut (answers stay fast and safe). */
export const MAX_NLU_CHARS = 2000;

// Old-style tone placement puts the mark on the second vowel of "oa", "oe", "uy" at syllable end ("hoà");
// the new style, used here, puts it on the first ("hòa").
const TONES: Record<string, string[]> = {
  a: ['à', 'á', 'ả', 'ã', 'ạ'],
  e: ['è', 'é', 'ẻ', 'ẽ', 'ẹ'],
  y: ['ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ'],
};
const TONED_O = ['ò', 'ó', 'ỏ', 'õ', 'ọ'];
const TONED_U = ['ù', 'ú', 'ủ', 'ũ', 'ụ'];

/**
 * One convention for tone marks: the "new style" used by most official texts today
 * ("hòa", "thủy"). Both styles fold to the same string anyway; this keeps displayed text consistent.
 */
export function normalizeTonePlacement(s: string): string {
  let out = s;
  for (let t = 0; t < 5; t++) {
    out = out
      .replace(new RegExp(`o${TONES.a[t]}(?![\\p{L}])`, 'gu'), `${TONED_O[t]}a`)
      .replace(new RegExp(`o${TONES.e[t]}(?![\\p{L}])`, 'gu'), `${TONED_O[t]}e`)
      .replace(new RegExp(`u${TONES.y[t]}(?![\\p{L}])`, 'gu'), `${TONED_U[t]}y`);
  }
  return out;
}

/** NFC, control characters removed, whitespace collapsed, length capped. Keeps case and accents. */
export function cleanText(input: string): string {
  return input
    .normalize('NFC')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\uFEFF\uFFFD]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_NLU_CHARS);
}

/** Vietnamese diacritics removed (đ→d, Đ→D), case kept: the one implementation of folding. */
export function stripDiacritics(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFC');
}

/** Lower-case, diacritics removed, đ→d: the matching form. */
export function fold(s: string): string {
  return stripDiacritics(s.toLowerCase());
}

/** Word tokens (letters and digits) of an already folded string. */
export function tokenize(folded: string): string[] {
  return folded.match(/[a-z0-9]+/g) ?? [];
}

/** Folds, tokenises and re-joins: a canonical key for phrase comparison. */
export function foldKey(s: string): string {
  return tokenize(fold(s)).join(' ');
}
