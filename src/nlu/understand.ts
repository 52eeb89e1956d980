import type { Understanding } from './types.ts';
import { cleanText, fold, normalizeTonePlacement, tokenize } from './text.ts';
import { expandAbbreviations, type Lexicon } from './lexicon.ts';
import type { Acts } from './types.ts';
import { extractEntities } from './entities.ts';
import { SpellCorrector } from './spell.ts';

/**
 * Unaccented "vay" is both "vay" (borrow) and "vậy" (so/then). Where the words around it show the
 * second meaning ("vay co duoc...", "nhu vay", "vay thi"), it becomes "zay" (the teencode spelling of
 * "vậy"), so it does not count as evidence for loans.
 */
export function disambiguateVay(folded: string): string {
  // A "vay" that ends the sentence is the particle ("ai làm vậy?", "bao nhiêu vậy"), unless a verb of borrowing precedes it.
  const endParticle = folded.replace(/\b(\w+) vay\s*([?.!…]*)\s*$/, (m, before: string, punct: string) =>
    /^(muon|can|duoc|de|di|xin|cho|dang|se|phai|co|khi|chua|them|lai|nen|dinh)$/.test(before) ? m : `${before} zay${punct}`,
  );
  return endParticle
    .replace(/^(\W*)vay (co|thi|la|sao|con|neu|nen|ma|gio|bay gio|the)\b/, '$1zay $2')
    .replace(/\b(nhu|the|sao|vi|neu|roi|do) vay\b(?! (von|tien|vốn|ngan hang|nhcs|bao nhieu|duoc|tieu))/g, '$1 zay')
    .replace(/\bvay (thi|nen|ma|a|ha|nhe|ah|ak)\b/g, 'zay $1')
    .replace(/[,.?!] vay (co|thi|la|sao|con|neu|nen|ma|gio)\b/g, ', zay $1');
}

/**
 * Unaccented "so ho ngheo" is both "số hộ nghèo" (how many) and "sổ hộ nghèo" (a household's
 * certificate book). Possessives and actions on a book ("cái sổ", "mất sổ", "làm lại sổ", "có sổ")
 * mean the book, which is read as "giấy chứng nhận hộ nghèo".
 */
export function disambiguateSo(folded: string): string {
  return folded
    .replace(/\bco (so|giay chung nhan|giay xac nhan) ho (can )?ngheo\b/g, 'la ho $2ngheo')
    .replace(
      /\b(?<!cung )(cai|mat|lam lai|xin|cap|cap lai|bi mat|duoc cap|cuon|quyen) so ho (can )?ngheo\b/g,
      '$1 giay chung nhan ho $2ngheo',
    );
}

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

  /** Rewrites residents' phrasings to the one form the bot knows (knowledge/lexicon/synonyms.yaml), whole words only. */
  private applySynonyms(folded: string): string {
    let out = ` ${folded} `;
    for (const [from, to] of this.lexicon.synonyms) {
      if (!out.includes(from)) continue;
      out = out.replace(new RegExp(`(?<=[^a-z0-9])${from.replace(/ /g, '\\s+')}(?=[^a-z0-9])`, 'g'), to);
    }
    return out.slice(1, -1);
  }

  understand(text: string): Understanding {
    const original = cleanText(text);
    const lower = normalizeTonePlacement(original.toLowerCase());
    // Money first: "500k", "1tr5" must not be read as teencode.
    const normalized = expandAbbreviations(lower, this.lexicon.abbreviations);
    const folded0 = this.applySynonyms(
      disambiguateSo(
        disambiguateVay(
          fold(
            normalized
              .replace(/\bvậy\b/gu, 'zay')
              .replace(/\bcó sổ (hộ )?(cận )?nghèo\b/gu, 'là hộ $2nghèo')
              .replace(/\bsổ (hộ )?(cận )?nghèo\b/gu, 'giấy chứng nhận hộ $2nghèo'),
          ),
        ),
      ),
    );
    const corrected = folded0.replace(/[a-z]+/g, (w) => this.spell.correct(w));
    // Entities from the uncorrected fold for numbers, corrected for words.
    const entities = extractEntities(corrected);
    const moneyFromRaw = extractEntities(fold(lower)).money;
    if (moneyFromRaw.length >= entities.money.length) entities.money = moneyFromRaw;
    const cues = this.lexicon.cues;
    const words = tokenize(corrected).join(' ');
    const acts: Acts = {
      followUp: cues.testWords('follow_up', words),
      cancel: cues.testWords('cancel', words),
      thanks: cues.testWords('thanks', words),
      bye: cues.testWords('bye', words),
      ack: cues.testWords('ack', words),
      praise: cues.testWords('praise', words),
      complaint: cues.testWords('complaint', words),
      only: cues.onlyWords(['thanks', 'bye', 'ack', 'praise', 'cancel', 'complaint'], words),
      asks: (
        [
          ['asks_procedure', 'procedure'],
          ['asks_documents', 'documents'],
          ['asks_where', 'where'],
          ['asks_amount', 'amount'],
          ['asks_who', 'eligibility'],
        ] as const
      )
        .filter(([cue]) => cues.testWords(cue, words))
        .map(([, part]) => part),
    };
    const matchText = fold(original).replace(/\s+/g, ' ').trim();
    const padded = ` ${tokenize(corrected).join(' ')} `;
    const mentions = this.lexicon.pointers.filter((p) => p.when.some((w) => padded.includes(` ${w} `))).map((p) => p.id);
    return { original, normalized, folded: corrected, matchText, plain: folded0, tokens: tokenize(corrected), entities, acts, mentions };
  }
}
