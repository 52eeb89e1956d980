import { tokenize } from '../text.ts';
import { questionFocus } from '../focus.ts';

/** Number of hash buckets features fall into (2^18). */
export const FEATURE_BUCKETS = 1 << 18;
/** Bumped whenever the feature extraction or the model file's layout changes, so a stale model file is detected. */
export const FEATURE_VERSION = 3;

/** A sparse, L2-normalised feature vector: hashed bucket → value. */
export type FeatureVector = Map<number, number>;

/** 32-bit FNV-1a of a string, folded into the bucket range. */
export function bucketOf(feature: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < feature.length; i++) {
    h ^= feature.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & (FEATURE_BUCKETS - 1);
}

/**
 * Features of a message for the linear models, from the NLU's `plain` form (folded, abbreviations
 * expanded, before typo correction):
 * - word unigrams and bigrams: vocabulary and short phrases ("vay von", "hoc phi");
 * - character 3- to 5-grams across word boundaries: typos, missing accents, glued or split words;
 * - unigrams and bigrams of the question focus (the asking sentences of a long letter), marked apart,
 *   so the question weighs more than the circumstances;
 * - a length bucket.
 * Why linear over these: it generalises to paraphrase and misspelling far better than hand weights,
 * and it costs microseconds.
 */
export function extractFeatures(plain: string): FeatureVector {
  const counts = new Map<number, number>();
  const add = (f: string, w = 1) => {
    const b = bucketOf(f);
    counts.set(b, (counts.get(b) ?? 0) + w);
  };
  const words = tokenize(plain);
  for (let i = 0; i < words.length; i++) {
    add(`w:${words[i]}`);
    if (i + 1 < words.length) add(`b:${words[i]}_${words[i + 1]}`);
  }
  const joined = ` ${words.join(' ')} `;
  for (let n = 3; n <= 5; n++) for (let i = 0; i + n <= joined.length; i++) add(`c:${joined.slice(i, i + n)}`, 0.5);
  const focus = tokenize(questionFocus(plain));
  if (focus.length && focus.length < words.length) {
    for (let i = 0; i < focus.length; i++) {
      add(`q:${focus[i]}`, 2);
      if (i + 1 < focus.length) add(`qb:${focus[i]}_${focus[i + 1]}`, 2);
    }
  }
  add(`len:${words.length <= 4 ? 'short' : words.length <= 25 ? 'medium' : 'long'}`);
  let norm = 0;
  for (const v of counts.values()) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (const [k, v] of counts) counts.set(k, v / norm);
  return counts;
}
