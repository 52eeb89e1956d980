import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TOPICS } from '../../domain/types.ts';
import { loadLexicon } from '../lexicon.ts';
import { LanguageUnderstanding } from '../understand.ts';
import { fold, stripDiacritics, tokenize } from '../text.ts';
import { extractFeatures, FEATURE_VERSION, type FeatureVector } from './features.ts';
import type { ModelFile } from './linear-model.ts';
import { DEFAULT_TRAIN, fitTemperature, scoreDense, softmax, trainHead, type Example, type TrainedHead } from './train.ts';

/** One line of the training corpus (knowledge/training/*.jsonl). */
export const corpusLineSchema = z.object({
  id: z.string().min(1),
  text: z.string().min(1),
  topic: z.enum(TOPICS),
  household: z.enum(['poor', 'near_poor', 'escaped', 'average']).nullable().optional(),
  entry: z.string().optional(),
  ask: z.string().optional(),
  also: z.array(z.enum(TOPICS)).optional(),
  styles: z.array(z.string()).optional(),
});
export type CorpusLine = z.infer<typeof corpusLineSchema>;

export interface BuildInputs {
  /** knowledge/ (the corpus is in training/, the lexicon in lexicon/). */
  knowledgeDir: string;
  /** Evaluation files whose messages must never be trained on. */
  evalFiles: string[];
}

export interface BuildResult {
  model: ModelFile;
  /** Topic probabilities of each corpus line from the fold that did not train on it (for tuning the blend). */
  outOfFold: Array<{ head: string; id: string; p: number[] }>;
  /** Corpus lines left out because the same message is in an evaluation set. */
  excluded: string[];
  report: Record<string, unknown>;
}

const MIN_DOC_FREQ = 3;
const FOLDS = 5;
/** Heads with more labels than this keep only their largest weights. */
const DENSE_MAX_LABELS = 16;
const SPARSE_MAX_WEIGHTS = 60_000;
/** Largest weights kept in heads with few labels (the committed file stays under 2 MB). */
const DENSE_MAX_WEIGHTS = 1_000_000;

/** Folded words: the key used to recognise the same message in the corpus and an evaluation set. */
export function messageKey(text: string): string {
  return tokenize(fold(text)).join(' ');
}

function evalKeys(files: string[]): Set<string> {
  const keys = new Set<string>();
  for (const f of files) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const d = JSON.parse(line) as { question?: string; dialogue?: string[] };
      for (const q of d.question ? [d.question] : (d.dialogue ?? [])) keys.add(messageKey(q));
    }
  }
  return keys;
}

/** The training corpus, every line validated (a bad line stops training, naming file and line). */
export function loadCorpus(knowledgeDir: string): { lines: CorpusLine[]; files: string[] } {
  const dir = path.join(knowledgeDir, 'training');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => path.join(dir, f));
  const lines: CorpusLine[] = [];
  for (const f of files) {
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((raw, i) => {
        if (!raw.trim()) return;
        const r = corpusLineSchema.safeParse(JSON.parse(raw));
        if (!r.success) throw new Error(`${f}:${i + 1}: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
        lines.push(r.data);
      });
  }
  return { lines, files };
}

/** SHA-256 over everything that determines the model: corpus, lexicon, evaluation exclusions, settings. */
export function inputsHash(inputs: BuildInputs): string {
  const h = createHash('sha256');
  const { files } = loadCorpus(inputs.knowledgeDir);
  const lexicon = ['abbreviations.yaml', 'cues.yaml', 'synonyms.yaml'].map((f) => path.join(inputs.knowledgeDir, 'lexicon', f));
  for (const f of [...files, ...lexicon, ...inputs.evalFiles]) {
    h.update(path.basename(f));
    h.update(readFileSync(f));
  }
  h.update(
    JSON.stringify({ FEATURE_VERSION, DEFAULT_TRAIN, MIN_DOC_FREQ, FOLDS, DENSE_MAX_LABELS, SPARSE_MAX_WEIGHTS, DENSE_MAX_WEIGHTS }),
  );
  return h.digest('hex');
}

const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/**
 * Trains the three heads (topic, knowledge entry, question type) on the corpus, with each accented
 * message also seen without accents, and writes nothing: returns the model file's content.
 * Deterministic: the same inputs give the same bytes.
 */
export function buildModel(inputs: BuildInputs): BuildResult {
  const { lines } = loadCorpus(inputs.knowledgeDir);
  const lexicon = loadLexicon(inputs.knowledgeDir);
  const reader = new LanguageUnderstanding(lexicon, []);
  const forbidden = evalKeys(inputs.evalFiles);
  const excluded: string[] = [];
  const kept = lines.filter((l) => {
    if (!forbidden.has(messageKey(l.text))) return true;
    excluded.push(l.id);
    return false;
  });

  // Examples: the message as written, and (when it has accents) the same message without them.
  const samples: Array<{ line: CorpusLine; x: FeatureVector; original: boolean }> = [];
  for (const line of kept) {
    samples.push({ line, x: extractFeatures(reader.understand(line.text).plain), original: true });
    const stripped = stripDiacritics(line.text);
    if (stripped !== line.text) samples.push({ line, x: extractFeatures(reader.understand(stripped).plain), original: false });
  }

  // The feature dictionary: buckets seen in at least MIN_DOC_FREQ examples, in ascending order.
  const df = new Map<number, number>();
  for (const s of samples) for (const b of s.x.keys()) df.set(b, (df.get(b) ?? 0) + 1);
  const buckets = [...df.entries()]
    .filter(([, n]) => n >= MIN_DOC_FREQ)
    .map(([b]) => b)
    .sort((a, b) => a - b);
  const index = new Map(buckets.map((b, i) => [b, i]));

  const heads: ModelFile['heads'] = {};
  const outOfFold: BuildResult['outOfFold'] = [];
  const report: Record<string, unknown> = {
    lines: lines.length,
    excludedAsInEvaluation: excluded.length,
    examples: samples.length,
    features: buckets.length,
  };
  // The topic head gets five held-out folds (its figures are reported and its out-of-fold predictions
  // tune the blend); the others two, enough to fit a temperature, since they cost more per example.
  const specs: Array<{ name: string; label: (l: CorpusLine) => string | undefined; minCount: number; folds: number; epochs: number }> = [
    { name: 'topic', label: (l) => l.topic, minCount: 1, folds: FOLDS, epochs: 10 },
    { name: 'entry', label: (l) => l.entry, minCount: 3, folds: 2, epochs: 6 },
    { name: 'ask', label: (l) => l.ask, minCount: 10, folds: 2, epochs: 8 },
  ];
  for (const spec of specs) {
    const counts = new Map<string, number>();
    for (const l of kept) {
      const y = spec.label(l);
      if (y) counts.set(y, (counts.get(y) ?? 0) + 1);
    }
    const labels = [...counts.entries()]
      .filter(([, n]) => n >= spec.minCount)
      .map(([y]) => y)
      .sort();
    const labelIndex = new Map(labels.map((y, i) => [y, i]));
    const examples: Array<Example & { fold: number; id?: string }> = [];
    for (const s of samples) {
      const y = spec.label(s.line);
      const k = y === undefined ? undefined : labelIndex.get(y);
      if (k !== undefined) examples.push({ x: s.x, y: k, fold: foldOf(s.line.id, spec.folds), id: s.original ? s.line.id : undefined });
    }
    // Held-out folds: accuracy people can trust, and the temperature that calibrates probabilities.
    const heldOut: Array<{ scores: Float64Array; y: number }> = [];
    for (let f = 0; f < spec.folds; f++) {
      const train = examples.filter((e) => e.fold !== f);
      const model = trainHead(train, labels.length, index, { ...DEFAULT_TRAIN, epochs: spec.epochs });
      for (const e of examples)
        if (e.fold === f) {
          const scores = scoreDense(model, e.x, index);
          heldOut.push({ scores, y: e.y });
          if (e.id) outOfFold.push({ head: spec.name, id: e.id, p: softmax(scores) });
        }
    }
    const temperature = fitTemperature(heldOut);
    const correct = heldOut.filter((h) => argmax(h.scores) === h.y).length;
    const confident = heldOut.filter((h) => Math.max(...softmax(h.scores, temperature)) >= 0.5);
    const confidentWrong = confident.filter((h) => argmax(h.scores) !== h.y).length;
    report[spec.name] = {
      labels: labels.length,
      examples: examples.length,
      heldOutAccuracy: round(correct / heldOut.length),
      confidentWrongShare: round(confidentWrong / heldOut.length),
      temperature,
    };
    const final = trainHead(examples, labels.length, index, { ...DEFAULT_TRAIN, epochs: spec.epochs });
    heads[spec.name] = { labels, temperature, ...quantise(final) };
  }
  const model: ModelFile = {
    kind: 'tro-ly-nlu-model',
    featureVersion: FEATURE_VERSION,
    corpusHash: inputsHash(inputs),
    buckets: b64(Uint32Array.from(buckets)),
    heads,
    entryAsks: askSharesByEntry(kept),
    report,
  };
  return { model, excluded, report, outOfFold };
}

/** The share of each question type among an entry's corpus lines, two decimals, sorted for stable bytes. */
function askSharesByEntry(lines: CorpusLine[]): ModelFile['entryAsks'] {
  const counts = new Map<string, Map<string, number>>();
  for (const l of lines) {
    if (!l.entry || !l.ask) continue;
    const m = counts.get(l.entry) ?? new Map<string, number>();
    m.set(l.ask, (m.get(l.ask) ?? 0) + 1);
    counts.set(l.entry, m);
  }
  const out: ModelFile['entryAsks'] = {};
  for (const entry of [...counts.keys()].sort()) {
    const m = counts.get(entry)!;
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    out[entry] = Object.fromEntries([...m.keys()].sort().map((ask) => [ask, round2((m.get(ask) ?? 0) / total)]));
  }
  return out;
}
const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Int8 weights with one scale per head, in compressed sparse rows (one row per feature). Heads with
 * many labels keep only their largest weights (the rest are near zero).
 */
function quantise(head: TrainedHead): Omit<ModelFile['heads'][string], 'labels' | 'temperature'> {
  let maxAbs = 0;
  for (const w of head.weights) if (Math.abs(w) > maxAbs) maxAbs = Math.abs(w);
  const scale = maxAbs / 127 || 1;
  const q = Int8Array.from(head.weights, (w) => Math.round(w / scale));
  // Weights of one step (under 1 % of the largest) change no decision: dropped, to keep the file small.
  let keep = Array.from(q.keys()).filter((k) => Math.abs(q[k]) >= 2);
  const cap = head.classes > DENSE_MAX_LABELS ? SPARSE_MAX_WEIGHTS : DENSE_MAX_WEIGHTS;
  if (keep.length > cap)
    // Ties broken by position, so the result is deterministic.
    keep = keep
      .sort((a, b) => Math.abs(q[b]) - Math.abs(q[a]) || a - b)
      .slice(0, cap)
      .sort((a, b) => a - b);
  const features = head.weights.length / head.classes;
  // Per feature, how many weights it keeps (at most the number of labels, so one byte each).
  const counts = new Uint8Array(features);
  for (const k of keep) counts[Math.floor(k / head.classes)]++;
  return {
    bias: Array.from(head.bias, round),
    scale,
    counts: b64(counts),
    classes: b64(Uint8Array.from(keep, (k) => k % head.classes)),
    values: b64(Int8Array.from(keep, (k) => q[k])),
  };
}

/** A stable fold for a corpus line (by id), so cross-validation never depends on file order. */
function foldOf(id: string, folds: number): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % folds;
}

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
