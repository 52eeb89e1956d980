import { existsSync, readFileSync } from 'node:fs';
import type { Understanding } from '../types.ts';
import { extractFeatures, FEATURE_VERSION, type FeatureVector } from './features.ts';
import { LinearModel, modelFileSchema, type Prediction } from './linear-model.ts';

/** What the learned models read in one message. */
export interface ModelReading {
  /** Topic probabilities, highest first. */
  topic: Prediction;
  /** Knowledge entry probabilities (ids), highest first. */
  entry: Prediction;
  /** Question type (amount, rate, procedure, documents, where, contact, eligibility, definition…). */
  ask: Prediction;
}

/**
 * The learned reader of topics, entries and question types (knowledge/models/nlu-model.json, written
 * by `npm run train`). Features come from the Understanding's `plain` form, so the model reads a
 * message exactly as the rest of the NLU does. Readings are cached per Understanding, so one turn
 * computes them once however many places ask.
 */
export class NluModel {
  private readonly cache = new WeakMap<Understanding, ModelReading>();
  private readonly features = new WeakMap<Understanding, FeatureVector>();

  constructor(
    private readonly model: LinearModel,
    private readonly entryAsks: Record<string, Record<string, number>> = {},
  ) {}

  /**
   * The share of a question type among the corpus lines of an entry (0..1); undefined when the entry
   * had no lines. Lets a definition question prefer the entry people ask definitions of.
   */
  askShare(entry: string, ask: string): number | undefined {
    const shares = this.entryAsks[entry];
    return shares ? (shares[ask] ?? 0) : undefined;
  }

  /** Loads the model file; null when it is absent (the engine then works on the lexicon alone). */
  static load(file: string): NluModel | null {
    if (!existsSync(file)) return null;
    const parsed = modelFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.featureVersion !== FEATURE_VERSION) throw new Error(`${file}: model was trained with other features; run "npm run train"`);
    return new NluModel(new LinearModel(parsed), parsed.entryAsks);
  }

  read(nlu: Understanding): ModelReading {
    let r = this.cache.get(nlu);
    if (!r) {
      const x = this.model.rows(this.featuresOf(nlu));
      r = { topic: this.model.predict('topic', x), entry: this.model.predict('entry', x), ask: this.model.predict('ask', x) };
      this.cache.set(nlu, r);
    }
    return r;
  }

  /** Topic probabilities of any text (a sentence of a long message), outside the per-message cache. */
  topicOfPlain(plain: string): Prediction {
    return this.model.predict('topic', extractFeatures(plain));
  }

  private featuresOf(nlu: Understanding): FeatureVector {
    let x = this.features.get(nlu);
    if (!x) {
      x = extractFeatures(nlu.plain);
      this.features.set(nlu, x);
    }
    return x;
  }
}
