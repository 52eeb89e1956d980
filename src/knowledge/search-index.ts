import type { PolicyEntry } from './schema.ts';
import { fold, tokenize } from '../nlu/text.ts';

/** Syllables so common in questions that they carry no meaning for ranking. */
export const STOPWORDS = new Set(
  (
    'a ah ak a. ad ai anh ba bac ban bi cho chi chu co con cua cung da dang de den di do duoc em gi gium giup ha hay hoi ' +
    'khi khong la lai lam len luc ma minh muon nao nay ne nhe nho nhung nua o oi ong qua ra roi sao se tai the thi toi ' +
    'tren trong tu tui va ve voi vo xin ho nha duoc'
  ).split(/\s+/),
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
  private readonly building = new Map<string, number[]>();
  /** Per term: documents ordered by their BM25 contribution, highest first (impact-ordered postings). */
  private readonly postings = new Map<string, { ids: Int32Array; w: Float32Array }>();
  private readonly k1 = 1.2;
  private readonly b = 0.5;
  /**
   * At most this many postings are read per query term. Below it the ranking is exact BM25; above it
   * (a term shared by thousands of documents) only the strongest documents are read, which keeps the
   * cost of a query flat as the knowledge base grows.
   */
  static readonly MAX_POSTINGS_PER_TERM = 256;

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
    const avgLen = this.docs.reduce((sum, d) => sum + d.len, 0) / Math.max(1, this.docs.length);
    const N = this.docs.length;
    for (const [term, list] of this.building) {
      const idf = Math.log(1 + (N - list.length + 0.5) / (list.length + 0.5));
      const scored = list.map((id) => {
        const d = this.docs[id];
        const f = d.tf.get(term) ?? 0;
        return { id, w: ((idf * f * (this.k1 + 1)) / (f + this.k1 * (1 - this.b + (this.b * d.len) / avgLen))) * d.weight };
      });
      scored.sort((a, b) => b.w - a.w);
      this.postings.set(term, { ids: Int32Array.from(scored, (x) => x.id), w: Float32Array.from(scored, (x) => x.w) });
    }
    this.building.clear();
    this.scratch = new Float64Array(this.docs.length);
  }

  /** Per-document score accumulator, reused by every query (always left at zero). */
  private scratch = new Float64Array(0);

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
      const list = this.building.get(t);
      if (list) list.push(id);
      else this.building.set(t, [id]);
    }
  }

  /** Entries ranked by their best-matching document. */
  search(folded: string, limit = 5): SearchHit[] {
    const qterms = [...new Set(termsOf(folded))];
    // Typed accumulators over the documents touched (a long letter reads tens of thousands of postings).
    const scores = this.scratch;
    const touched: number[] = [];
    for (const t of qterms) {
      const list = this.postings.get(t);
      if (!list) continue;
      const n = Math.min(list.ids.length, SearchIndex.MAX_POSTINGS_PER_TERM);
      for (let j = 0; j < n; j++) {
        const id = list.ids[j];
        if (scores[id] === 0) touched.push(id);
        scores[id] += list.w[j];
      }
    }
    // An entry scores as its best document plus a little for each other matching one.
    const best = new Map<number, [number, number]>();
    for (const id of touched) {
      const s = scores[id];
      scores[id] = 0;
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
