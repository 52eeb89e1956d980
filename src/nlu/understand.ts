import type { Understanding } from './types.ts';
import { cleanText, fold, normalizeTonePlacement, tokenize } from './text.ts';
import { expandAbbreviations, type Lexicon } from './lexicon.ts';
import { extractEntities } from './entities.ts';
import { SpellCorrector } from './spell.ts';

/**
 * Turns raw text into an {@link Understanding}: clean → one tone convention → lower case →
 * abbreviations/teencode expanded → folded → misspelt tokens corrected against the known vocabulary
 * → entities. Built once at start-up; `understand` is pure and fast.
 */
export class LanguageUnderstanding {
  private readonly spell: SpellCorrector;

  constructor(
    private readonly lexicon: Lexicon,
    vocabulary: string[],
  ) {
    const words = [...vocabulary];
    for (const list of lexicon.topicKeywords.values()) for (const [p] of list) words.push(...tokenize(p));
    for (const v of lexicon.abbreviations.values()) words.push(...tokenize(fold(v)));
    this.spell = new SpellCorrector(words);
  }

  understand(text: string): Understanding {
    const original = cleanText(text);
    const lower = normalizeTonePlacement(original.toLowerCase());
    // Money first: "500k", "1tr5" must not be read as teencode.
    const normalized = expandAbbreviations(lower, this.lexicon.abbreviations);
    const folded0 = fold(normalized);
    const corrected = folded0.replace(/[a-z]+/g, (w) => this.spell.correct(w));
    // Entities from the uncorrected fold for numbers, corrected for words.
    const entities = extractEntities(corrected);
    const moneyFromRaw = extractEntities(fold(lower)).money;
    if (moneyFromRaw.length >= entities.money.length) entities.money = moneyFromRaw;
    return { original, normalized, folded: corrected, tokens: tokenize(corrected), entities };
  }
}
