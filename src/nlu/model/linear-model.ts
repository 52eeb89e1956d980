import { z } from 'zod';
import type { FeatureVector } from './features.ts';

/**
 * One head of the model (topic, entry or question type): its labels and its weights as int8 in
 * compressed sparse rows, so loading is a base64 decode with no loop over the weights.
 */
const headSchema = z.object({
  labels: z.array(z.string()).min(2),
  bias: z.array(z.number()),
  /** Quantisation step: weight = int8 × scale. */
  scale: z.number().positive(),
  /** base64 uint8, one per feature: how many weights its row keeps (rows follow each other in `classes`/`values`). */
  counts: z.string(),
  /** base64 uint8: the label index of each stored weight. */
  classes: z.string(),
  /** base64 int8: the quantised weights. */
  values: z.string(),
  /** Temperature fitted on held-out folds of the corpus: probabilities = softmax(score / temperature). */
  temperature: z.number().positive().default(1),
});

export const modelFileSchema = z.object({
  kind: z.literal('tro-ly-nlu-model'),
  featureVersion: z.number().int(),
  /** SHA-256 of the training corpus, the lexicon files and the training settings. */
  corpusHash: z.string(),
  /** Buckets of the features the model knows, base64 of uint32, ascending. */
  buckets: z.string(),
  heads: z.record(z.string(), headSchema),
  /**
   * For each knowledge entry, the share of each question type among its corpus lines ("definition"
   * 0,31 for the standard, "where" 0,4 for certification): which entry is the place for which question.
   */
  entryAsks: z.record(z.string(), z.record(z.string(), z.number())).default({}),
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
  scale: number;
  temperature: number;
  offsets: Uint32Array;
  cls: Uint8Array;
  val: Int8Array;
}

/**
 * A multinomial logistic regression over hashed features, loaded from the committed model file
 * (knowledge/models/nlu-model.json, written by `npm run train`). Loading only decodes arrays; predicting
 * a message costs one binary search per feature and one pass over its stored weights.
 */
export class LinearModel {
  private readonly buckets: Uint32Array;
  /** Open-addressing table bucket → row (−1 empty), built once: one probe per feature at prediction time. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly heads = new Map<string, LoadedHead>();

  constructor(readonly file: ModelFile) {
    this.buckets = u32(file.buckets);
    let size = 1;
    while (size < this.buckets.length * 2) size <<= 1;
    this.mask = size - 1;
    this.table = new Int32Array(size).fill(-1);
    for (let i = 0; i < this.buckets.length; i++) {
      let slot = Math.imul(this.buckets[i], 0x9e3779b1) & this.mask;
      while (this.table[slot] !== -1) slot = (slot + 1) & this.mask;
      this.table[slot] = i;
    }
    for (const [name, h] of Object.entries(file.heads)) {
      this.heads.set(name, {
        labels: h.labels,
        bias: Float64Array.from(h.bias),
        scale: h.scale,
        temperature: h.temperature,
        offsets: prefixSums(u8(h.counts)),
        cls: u8(h.classes),
        val: i8(h.values),
      });
    }
  }

  /** Row of a feature bucket, or -1 when the model does not know it. */
  row(bucket: number): number {
    let slot = Math.imul(bucket, 0x9e3779b1) & this.mask;
    for (;;) {
      const i = this.table[slot];
      if (i === -1) return -1;
      if (this.buckets[i] === bucket) return i;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The rows and values of a message's known features, resolved once and shared by every head. */
  rows(x: FeatureVector): { rows: Int32Array; values: Float64Array } {
    const rows: number[] = [];
    const values: number[] = [];
    for (const [bucket, value] of x) {
      const i = this.row(bucket);
      if (i >= 0) {
        rows.push(i);
        values.push(value);
      }
    }
    return { rows: Int32Array.from(rows), values: Float64Array.from(values) };
  }

  has(head: string): boolean {
    return this.heads.has(head);
  }

  labels(head: string): string[] {
    return this.heads.get(head)?.labels ?? [];
  }

  /** Probabilities of every label of `head` for these features (empty when the head is unknown). */
  predict(head: string, x: FeatureVector | { rows: Int32Array; values: Float64Array }): Prediction {
    const h = this.heads.get(head);
    if (!h) return [];
    const { rows, values } = x instanceof Map ? this.rows(x) : x;
    const scores = Float64Array.from(h.bias);
    const { offsets, cls, val, scale } = h;
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r];
      const w = values[r] * scale;
      for (let k = offsets[i], end = offsets[i + 1]; k < end; k++) scores[cls[k]] += val[k] * w;
    }
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < scores.length; k++) if (scores[k] > max) max = scores[k];
    let sum = 0;
    for (let k = 0; k < scores.length; k++) {
      scores[k] = Math.exp((scores[k] - max) / h.temperature);
      sum += scores[k];
    }
    return h.labels.map((label, k) => ({ label, p: scores[k] / sum })).sort((a, b) => b.p - a.p);
  }
}

/** Row starts from row lengths: offsets[i] .. offsets[i+1] is row i. */
function prefixSums(counts: Uint8Array): Uint32Array {
  const out = new Uint32Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) out[i + 1] = out[i] + counts[i];
  return out;
}
