import type { PolicyEntry } from './schema.ts';
import { fold, tokenize } from '../nlu/text.ts';

/** Syllables so common in questions that they carry no meaning for ranking. */
export const STOPWORDS = new Set(
  ('a ah ak a. ad ai anh ba bac ban bi cho chi chu co con cua cung da dang de den di do duoc em gi gium giup ha hay hoi ' +
    'khi khong la lai lam len luc ma minh muon nao nay ne nhe nho nhung nua o oi ong qua ra roi sao se tai the thi toi ' +
    'tren trong tu tui va ve voi vo xin ho nha duoc').split(/\s+/),
);

/** Unigrams (minus stopwords) plus syllable bigrams: Vietnamese words are often two syllables. */
export function termsOf(folded: string): string[] {
  const toks = tokenize(folded);
  const out: string[] = [];
  for (let i = 0; i < toks.length; i++) {
    if (!STOPWORDS.has(toks[i])) out.push(toks[i]);
    if (i + 1 < toks.length) out.push(`${toks[i]}_${toks[i + 1]}`);
  }
  return out;
}

interface Doc {
  entry: number;
  len: number;
  tf: Map<string, number>;
  weight: number;
}

export interface SearchHit {
  entry: PolicyEntry;
  score: number;
}

/**
 * BM25 over each entry's title, phrasings and keywords (each a small document); an entry scores
 * as its best document. Postings lists keep query cost proportional to the query's terms, not the
 * size of the knowledge base.
 */
export class SearchIndex {
  private readonly docs: Doc[] = [];
  private readonly postings = new Map<string, number[]>();
  private avgLen = 1;
  private readonly k1 = 1.2;
  private readonly b = 0.5;

  /**
   * @param normalize turns raw text into the folded form queries use (abbreviations expanded), so an
   * entry's "vay NHCSXH" meets a query's "ngân hàng chính sách xã hội". Defaults to plain folding.
   */
  constructor(
    private readonly entries: PolicyEntry[],
    private readonly normalize: (text: string) => string = fold,
  ) {
    entries.forEach((e, i) => {
      this.addDoc(i, e.title, 1);
      for (const p of e.phrasings) this.addDoc(i, p, 1);
      if (e.keywords.length) this.addDoc(i, e.keywords.join(' '), 0.8);
    });
    this.avgLen = this.docs.reduce((s, d) => s + d.len, 0) / Math.max(1, this.docs.length);
  }

  /** Every folded word in the index (for spelling correction). */
  vocabulary(): string[] {
    const words: string[] = [];
    for (const e of this.entries) words.push(...tokenize(this.normalize([e.title, ...e.phrasings, ...e.keywords].join(' '))));
    return words;
  }

  private addDoc(entry: number, text: string, weight: number): void {
    const terms = termsOf(this.normalize(text));
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    const id = this.docs.length;
    this.docs.push({ entry, len: terms.length, tf, weight });
    for (const t of tf.keys()) {
      const list = this.postings.get(t);
      if (list) list.push(id);
      else this.postings.set(t, [id]);
    }
  }

  /** Entries ranked by their best-matching document. */
  search(folded: string, limit = 5): SearchHit[] {
    const qterms = [...new Set(termsOf(folded))];
    const docScores = new Map<number, number>();
    const N = this.docs.length;
    for (const t of qterms) {
      const list = this.postings.get(t);
      if (!list) continue;
      const idf = Math.log(1 + (N - list.length + 0.5) / (list.length + 0.5));
      for (const id of list) {
        const d = this.docs[id];
        const f = d.tf.get(t) ?? 0;
        const s = (idf * f * (this.k1 + 1)) / (f + this.k1 * (1 - this.b + (this.b * d.len) / this.avgLen));
        docScores.set(id, (docScores.get(id) ?? 0) + s * d.weight);
      }
    }
    // An entry scores as its best document plus a little for each other matching one.
    const best = new Map<number, [number, number]>();
    for (const [id, s] of docScores) {
      const e = this.docs[id].entry;
      const cur = best.get(e) ?? [0, 0];
      if (s > cur[0]) best.set(e, [s, cur[1] + cur[0]]);
      else best.set(e, [cur[0], cur[1] + s]);
    }
    return [...best.entries()]
      .map(([i, [top, rest]]) => ({ entry: this.entries[i], score: top + 0.15 * Math.min(rest, 2 * top) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }
}
