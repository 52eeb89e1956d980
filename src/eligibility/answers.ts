import type { Understanding } from '../nlu/types.ts';
import type { YesNo } from './data.ts';
import type { Extras } from './entitlements.ts';
import { type EligLexicon, textsOf, wordsOf } from './lexicon.ts';
import type { IndicatorId } from './schema.ts';

/**
 * The readers of this domain's own answers: a yes/no to an indicator question, indicator names, the
 * "thiếu: …" list of the staff one-line form and the extra facts that narrow the entitlements. They
 * read the Understanding's strings with the vocabulary of `knowledge/lexicon/eligibility.yaml`; money,
 * size, area and dates are read by the NLU (`src/nlu/`).
 */

/** Indicator ids named in word strings, in the order they are first written ("nước sạch, nhà tiêu, BHYT"). */
export function indicatorsIn(lex: EligLexicon, texts: string[]): IndicatorId[] {
  const found: IndicatorId[] = [];
  for (const text of texts) {
    let t = ` ${text} `;
    const hits: Array<[number, IndicatorId]> = [];
    const all = lex.indicators.flatMap(([id, p]) => p.keys.map((k) => [k, id] as const)).sort((a, b) => b[0].length - a[0].length);
    for (const [phrase, id] of all) {
      for (let at = t.indexOf(` ${phrase} `); at >= 0; at = t.indexOf(` ${phrase} `)) {
        hits.push([at, id]);
        t = `${t.slice(0, at + 1)}${'|'.repeat(phrase.length)}${t.slice(at + 1 + phrase.length)}`;
      }
    }
    for (const [, id] of hits.sort((a, b) => a[0] - b[0])) if (!found.includes(id)) found.push(id);
  }
  return found;
}

/** Indicator ids the message names. */
export function indicatorsNamed(lex: EligLexicon, nlu: Understanding): IndicatorId[] {
  return indicatorsIn(lex, [wordsOf(nlu.matchText), wordsOf(nlu.folded)]);
}

const LIST = /(?<!gioi |toi )\bthieu(?: hut)?(?: cac)?(?: chi so)?\s*:?\s*([^.?!\n]*)/;

/**
 * The deprivations of the one-line form: the list after "thiếu:" / "thiếu hụt", or [] for "thiếu: không"
 * and "không thiếu chỉ số nào"; null when the message gives no list.
 */
export function deprivationList(lex: EligLexicon, nlu: Understanding): IndicatorId[] | null {
  for (const text of [nlu.matchText, nlu.folded]) {
    const m = LIST.exec(text);
    if (!m) continue;
    const list = wordsOf(m[1]);
    if (lex.noneAfterList.start([list])) return [];
    const ids = indicatorsIn(lex, [list]);
    if (ids.length) return ids;
  }
  if (lex.noDeprivation.any(textsOf(nlu))) return [];
  return null;
}

/** A yes / no / "không rõ" answer to the indicator question just asked, or null when it is none of them. */
export function yesNo(lex: EligLexicon, nlu: Understanding): YesNo | null {
  const texts = textsOf(nlu);
  if (!texts[0]) return null;
  if (lex.answers.unknown.any(texts)) return 'unknown';
  for (const text of texts) {
    const words = text.split(' ');
    let i = 0;
    // Polite words first ("dạ không", "thưa có"), unless they are the whole answer ("dạ").
    while (i < words.length - 1 && lex.answers.lead.start([words[i]])) i++;
    const rest = [words.slice(i).join(' ')];
    if (lex.answers.no.start(rest)) return 'no';
    if (lex.answers.yes.start(rest)) return 'yes';
  }
  return null;
}

/** Optional facts that narrow the entitlements: ethnic minority, someone studying, someone of working age. */
export function extrasIn(lex: EligLexicon, nlu: Understanding): Extras {
  const texts = textsOf(nlu);
  const out: Extras = {};
  for (const key of ['ethnic_minority', 'has_students', 'working_age'] as const) if (lex.extras[key].any(texts)) out[key] = true;
  return out;
}
