import { z } from 'zod';
import type { FeatureVector } from './features.ts';

/** One head of the model (topic, entry or question type): its labels and sparse int8 weights. */
const headSchema = z.object({
  labels: z.array(z.string()).min(2),
  bias: z.array(z.number()),
  /** Quantisation step: weight = int8 × scale. */
  scale: z.number().positive(),
  /**
   * Weights, base64: either `dense` (int8, features × labels, row by row) or sparse triples in three
   * arrays sorted by feature (`features` uint32, `classes` uint8, `values` int8) for heads with many labels.
   */
  dense: z.string().optional(),
  features: z.string().optional(),
  classes: z.string().optional(),
  values: z.string().optional(),
  /** Temperature fitted on held-out folds of the corpus: probabilities = softmax(score / temperature). */
  temperature: z.number().positive().default(1),
});

export const modelFileSchema = z.object({
  kind: z.literal('tro-ly-nlu-model'),
  featureVersion: z.number().int(),
  /** SHA-256 of the training corpus, the lexicon files and the training settings. */
  corpusHash: z.string(),
  /** Buckets of the features the model knows, base64 of uint32. */
  buckets: z.string(),
  heads: z.record(z.string(), headSchema),
  /** Figures from training (cross-validated accuracy, sizes), for people reading the file. */
  report: z.record(z.string(), z.unknown()).default({}),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

/** A probability for each label, highest first. */
export type Prediction = Array<{ label: string; p: number }>;

/** Decodes base64 into a fresh, aligned byte buffer (typed views need alignment). */
function bytes(b64: string): ArrayBuffer {
  const buf = Buffer.from(b64, 'base64');
  const copy = new Uint8Array(buf.length);
  copy.set(buf);
  return copy.buffer;
}
const u32 = (b64: string) => new Uint32Array(bytes(b64));
const u8 = (b64: string) => new Uint8Array(bytes(b64));
const i8 = (b64: string) => new Int8Array(bytes(b64));

interface LoadedHead {
  labels: string[];
  bias: Float64Array;
  temperature: number;
  /** Per feature index: [start, end) into `cls`/`val`. */
  offsets: Uint32Array;
  cls: Uint8Array;
  val: Float32Array;
}

/**
 * A multinomial logistic regression over hashed features, loaded from the committed model file
 * (knowledge/models/nlu-model.json, written by `npm run train`). Predicting a message costs one pass
 * over its features.
 */
export class LinearModel {
  private readonly index = new Map<number, number>();
  private readonly heads = new Map<string, LoadedHead>();

  constructor(readonly file: ModelFile) {
    const buckets = u32(file.buckets);
    for (let i = 0; i < buckets.length; i++) this.index.set(buckets[i], i);
    for (const [name, h] of Object.entries(file.heads)) {
      const k = h.labels.length;
      let f: Uint32Array;
      let c: Uint8Array;
      let v: Int8Array;
      if (h.dense) {
        // Dense rows become sparse in memory: zero weights cost nothing at prediction time.
        const d = i8(h.dense);
        const fs: number[] = [];
        const cs: number[] = [];
        const vs: number[] = [];
        for (let i = 0; i < d.length; i++)
          if (d[i] !== 0) {
            fs.push(Math.floor(i / k));
            cs.push(i % k);
            vs.push(d[i]);
          }
        f = Uint32Array.from(fs);
        c = Uint8Array.from(cs);
        v = Int8Array.from(vs);
      } else {
        f = u32(h.features ?? '');
        c = u8(h.classes ?? '');
        v = i8(h.values ?? '');
      }
      // Triples are sorted by feature index: build offsets for direct access.
      const offsets = new Uint32Array(buckets.length + 1);
      for (let t = 0; t < f.length; t++) offsets[f[t] + 1]++;
      for (let i = 0; i < buckets.length; i++) offsets[i + 1] += offsets[i];
      const val = new Float32Array(v.length);
      for (let t = 0; t < v.length; t++) val[t] = v[t] * h.scale;
      this.heads.set(name, { labels: h.labels, bias: Float64Array.from(h.bias), temperature: h.temperature, offsets, cls: c, val });
    }
  }

  has(head: string): boolean {
    return this.heads.has(head);
  }

  labels(head: string): string[] {
    return this.heads.get(head)?.labels ?? [];
  }

  /** Probabilities of every label of `head` for these features (empty when the head is unknown). */
  predict(head: string, x: FeatureVector): Prediction {
    const h = this.heads.get(head);
    if (!h) return [];
    const scores = Float64Array.from(h.bias);
    for (const [bucket, value] of x) {
      const i = this.index.get(bucket);
      if (i === undefined) continue;
      for (let k = h.offsets[i]; k < h.offsets[i + 1]; k++) scores[h.cls[k]] += h.val[k] * value;
    }
    let max = Number.NEGATIVE_INFINITY;
    for (const s of scores) if (s > max) max = s;
    let sum = 0;
    const exps = scores.map((s) => {
      const e = Math.exp((s - max) / h.temperature);
      sum += e;
      return e;
    });
    return h.labels.map((label, k) => ({ label, p: exps[k] / sum })).sort((a, b) => b.p - a.p);
  }
}
