import type { FeatureVector } from './features.ts';

/** One labelled example: its features and the index of its label. */
export interface Example {
  x: FeatureVector;
  y: number;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  /** L2 penalty per epoch, as a multiplicative decay of every weight. */
  l2: number;
  seed: number;
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 10, learningRate: 0.5, l2: 1e-5, seed: 20261202 };

/** A small deterministic PRNG (mulberry32): the same corpus always gives the same model. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Weights of one trained head, dense over the feature dictionary. */
export interface TrainedHead {
  /** weights[featureIndex * classes + class] */
  weights: Float64Array;
  bias: Float64Array;
  classes: number;
}

/**
 * Multinomial logistic regression trained with AdaGrad over sparse features. Deterministic: the
 * example order is shuffled with a seeded PRNG and all arithmetic is in doubles.
 * `featureIndex` maps a hashed bucket to its row in the weight matrix (unknown buckets are ignored).
 */
export function trainHead(
  examples: Example[],
  classes: number,
  featureIndex: Map<number, number>,
  opts: TrainOptions = DEFAULT_TRAIN,
): TrainedHead {
  const nf = featureIndex.size;
  const weights = new Float64Array(nf * classes);
  const grad2 = new Float64Array(nf * classes);
  const bias = new Float64Array(classes);
  const bias2 = new Float64Array(classes);
  const order = examples.map((_, i) => i);
  const rand = prng(opts.seed);
  const scores = new Float64Array(classes);
  // Rows as typed arrays: the inner loops run millions of times.
  const rows = examples.map((e) => {
    const idx: number[] = [];
    const val: number[] = [];
    for (const [b, v] of e.x) {
      const i = featureIndex.get(b);
      if (i !== undefined) {
        idx.push(i * classes);
        val.push(v);
      }
    }
    return { idx: Int32Array.from(idx), val: Float64Array.from(val) };
  });
  const lr = opts.learningRate;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const n of order) {
      const { idx, val } = rows[n];
      const y = examples[n].y;
      scores.set(bias);
      for (let t = 0; t < idx.length; t++) {
        const base = idx[t];
        const v = val[t];
        for (let c = 0; c < classes; c++) scores[c] += weights[base + c] * v;
      }
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < classes; c++) if (scores[c] > max) max = scores[c];
      let sum = 0;
      for (let c = 0; c < classes; c++) {
        scores[c] = Math.exp(scores[c] - max);
        sum += scores[c];
      }
      for (let c = 0; c < classes; c++) {
        const g = scores[c] / sum - (c === y ? 1 : 0);
        // Classes the example says nothing about are skipped: most of them, once training has begun.
        if (g > -1e-4 && g < 1e-4) continue;
        bias2[c] += g * g;
        bias[c] -= (lr * g) / Math.sqrt(bias2[c] + 1e-8);
        for (let t = 0; t < idx.length; t++) {
          const k = idx[t] + c;
          const gk = g * val[t];
          grad2[k] += gk * gk;
          weights[k] -= (lr * gk) / Math.sqrt(grad2[k] + 1e-8);
        }
      }
    }
    const decay = 1 - opts.l2 * examples.length;
    if (decay < 1) for (let k = 0; k < weights.length; k++) weights[k] *= decay;
  }
  return { weights, bias, classes };
}

/** Raw scores of one example under a trained head (for cross-validation before quantisation). */
export function scoreDense(head: TrainedHead, x: FeatureVector, featureIndex: Map<number, number>): Float64Array {
  const s = Float64Array.from(head.bias);
  for (const [b, v] of x) {
    const f = featureIndex.get(b);
    if (f === undefined) continue;
    for (let c = 0; c < head.classes; c++) s[c] += head.weights[f * head.classes + c] * v;
  }
  return s;
}

/** Softmax with a temperature. */
export function softmax(scores: ArrayLike<number>, temperature = 1): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) if (scores[i] > max) max = scores[i];
  const e = Array.from(scores, (s) => Math.exp((s - max) / temperature));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The temperature that minimises the negative log-likelihood of held-out predictions (grid search). */
export function fitTemperature(heldOut: Array<{ scores: Float64Array; y: number }>): number {
  let best = 1;
  let bestNll = Number.POSITIVE_INFINITY;
  for (let t = 0.3; t <= 4.001; t += 0.05) {
    let nll = 0;
    for (const h of heldOut) nll -= Math.log(Math.max(1e-12, softmax(h.scores, t)[h.y]));
    if (nll < bestNll) {
      bestNll = nll;
      best = Math.round(t * 100) / 100;
    }
  }
  return best;
}
