import path from 'node:path';
import { z } from 'zod';
import { describeZodError, KnowledgeError, readDataFile } from '../util/data-file.ts';
import { TOPICS, type Topic } from '../domain/types.ts';
import { fold, foldKey } from './text.ts';
import { expandAbbreviations } from './abbreviations.ts';
import { Cues } from './cues.ts';

export { expandAbbreviations } from './abbreviations.ts';

/**
 * Language data kept outside code (knowledge/lexicon): abbreviations/teencode, topic keywords with
 * weights, and conversation cues. Editors extend these files; the engine folds them at load.
 */
export interface Lexicon {
  /**
   * token → replacement (accented). Keys written without diacritics match any spelling of the word
   * ("ko", "kô"); keys written with diacritics match only that spelling ("vô" → "vào", but not "vợ").
   */
  abbreviations: Map<string, string>;
  /** topic → list of [folded phrase, weight] */
  topicKeywords: Map<Topic, Array<[string, number]>>;
  /** What a message does: follow-up, cancel, thanks, goodbye. */
  cues: Cues;
  /** Circumstances that point to other supports (knowledge/lexicon/pointers.yaml). */
  pointers: Pointer[];
  /** Phrase → the one form the bot knows ("nhà nghèo" → "hộ nghèo"), folded, longest first. */
  synonyms: Array<[string, string]>;
}

/** A circumstance ("con đi học", "nhà dột") and the support it points to. */
export interface Pointer {
  id: string;
  /** Folded, abbreviation-expanded phrases. */
  when: string[];
  label: string;
  payload: string;
  topic: Topic;
}

const pointersSchema = z.object({
  pointers: z.array(
    z.object({
      id: z.string(),
      when: z.array(z.string().min(1)).min(1),
      label: z.string().min(1),
      payload: z.string().min(1),
      topic: z.enum(TOPICS),
    }),
  ),
});

const abbreviationsSchema = z.record(z.string(), z.string().min(1));
const topicsSchema = z.record(z.enum(TOPICS), z.record(z.string(), z.number().min(0).max(20)));

/** Loads `knowledge/lexicon/*.yaml`; throws a KnowledgeError naming the file and the field when invalid. */
export function loadLexicon(knowledgeDir: string): Lexicon {
  const abbrFile = path.join(knowledgeDir, 'lexicon', 'abbreviations.yaml');
  const topicFile = path.join(knowledgeDir, 'lexicon', 'topics.yaml');
  const abbr = abbreviationsSchema.safeParse(readDataFile(abbrFile));
  if (!abbr.success) throw new KnowledgeError(`${abbrFile}: ${describeZodError(abbr.error)}`);
  const topics = topicsSchema.safeParse(readDataFile(topicFile));
  if (!topics.success) throw new KnowledgeError(`${topicFile}: ${describeZodError(topics.error)}`);
  const abbreviations = new Map<string, string>();
  for (const [k, v] of Object.entries(abbr.data)) {
    const lower = k.normalize('NFC').toLowerCase();
    abbreviations.set(fold(lower) === lower ? lower : `=${lower}`, v);
  }
  const topicKeywords = new Map<Topic, Array<[string, number]>>();
  for (const [topic, words] of Object.entries(topics.data) as Array<[Topic, Record<string, number>]>) {
    topicKeywords.set(
      topic,
      Object.entries(words).map(([p, w]) => [foldKey(expandAbbreviations(p, abbreviations)), w] as [string, number]),
    );
  }
  const pointerFile = path.join(knowledgeDir, 'lexicon', 'pointers.yaml');
  const pointers = pointersSchema.safeParse(readDataFile(pointerFile));
  if (!pointers.success) throw new KnowledgeError(`${pointerFile}: ${describeZodError(pointers.error)}`);
  const synonymFile = path.join(knowledgeDir, 'lexicon', 'synonyms.yaml');
  const synonyms = abbreviationsSchema.safeParse(readDataFile(synonymFile));
  if (!synonyms.success) throw new KnowledgeError(`${synonymFile}: ${describeZodError(synonyms.error)}`);
  return {
    abbreviations,
    topicKeywords,
    synonyms: Object.entries(synonyms.data)
      .map(([k, v]) => [foldKey(k), foldKey(v)] as [string, string])
      .sort((a, b) => b[0].length - a[0].length),
    cues: Cues.load(knowledgeDir, abbreviations),
    pointers: pointers.data.pointers.map((p) => ({
      ...p,
      when: p.when.map((w) => foldKey(expandAbbreviations(w.toLowerCase(), abbreviations))),
    })),
  };
}
