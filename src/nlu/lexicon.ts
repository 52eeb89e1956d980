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
}

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
  return { abbreviations, topicKeywords, cues: Cues.load(knowledgeDir, abbreviations) };
}
