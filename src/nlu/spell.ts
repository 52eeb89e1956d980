/**
 * Typo tolerance for folded tokens, SymSpell-style: every vocabulary word is indexed under its
 * single-character deletions, so a misspelt token ("ngheoo", "hoc phij", "tihn") finds the known
 * word at edit distance 1 in constant time. Only tokens of 4+ letters are corrected.
 */
export class SpellCorrector {
  private readonly vocab = new Map<string, number>();
  private readonly deletes = new Map<string, string[]>();

  constructor(words: Iterable<string>) {
    for (const w of words) {
      if (!/^[a-z]+$/.test(w)) continue;
      this.vocab.set(w, (this.vocab.get(w) ?? 0) + 1);
    }
    for (const w of this.vocab.keys()) {
      if (w.length < 3) continue;
      for (const d of deletions(w)) {
        const list = this.deletes.get(d);
        if (list) list.push(w);
        else this.deletes.set(d, [w]);
      }
    }
  }

  has(word: string): boolean {
    return this.vocab.has(word);
  }

  /** The known word closest to `token`, or the token itself. */
  correct(raw: string): string {
    if (this.vocab.has(raw) || !/^[a-z]+$/.test(raw)) return raw;
    // Stretched letters ("nhaaa", "onn") are emphasis, not spelling.
    const token = raw.replace(/([a-z])\1{2,}/g, '$1');
    if (this.vocab.has(token)) return token;
    const squeezed = token.replace(/([a-z])\1$/, '$1');
    if (this.vocab.has(squeezed)) return squeezed;
    if (token.length < 4) return token;
    const candidates = new Map<string, number>();
    const consider = (w: string) => candidates.set(w, this.vocab.get(w) ?? 0);
    // token has one extra char: a deletion of token is a word
    for (const d of deletions(token)) {
      if (this.vocab.has(d)) consider(d);
      // substitution / transposition: deletions meet
      for (const w of this.deletes.get(d) ?? []) if (Math.abs(w.length - token.length) <= 1) consider(w);
    }
    // token misses one char: token is a deletion of a word
    for (const w of this.deletes.get(token) ?? []) consider(w);
    let best = token;
    let bestScore = -1;
    const letters = [...token].sort().join('');
    for (const [w, freq] of candidates) {
      const transposed = w.length === token.length && [...w].sort().join('') === letters;
      const score = freq + (w[0] === token[0] ? 1000 : 0) + (transposed ? 500 : 0);
      if (score > bestScore) {
        best = w;
        bestScore = score;
      }
    }
    return best;
  }
}

function deletions(w: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) out.push(w.slice(0, i) + w.slice(i + 1));
  return out;
}
