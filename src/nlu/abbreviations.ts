import { fold } from './text.ts';

/**
 * Replaces whole-word abbreviations and teencode with their expansions ("ko dc" → "không được").
 * Works on lower-cased text; a token is looked up by its folded form, or (for keys written with
 * diacritics, stored with a leading "=") by its exact spelling. Tokens starting with a digit
 * ("500k", "1tr5") are amounts and are left alone.
 */
export function expandAbbreviations(lower: string, table: Map<string, string>): string {
  return lower.replace(/[\p{L}\p{N}]+/gu, (word) => {
    if (/^\d/.test(word)) return word;
    return table.get(`=${word}`) ?? table.get(fold(word)) ?? word;
  });
}
