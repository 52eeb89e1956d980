import path from 'node:path';
import { PROJECT_ROOT } from '../config.ts';
import type { KnowledgeBase } from './knowledge-base.ts';
import { SearchIndex } from './search-index.ts';
import { loadLexicon, expandAbbreviations, type Lexicon } from '../nlu/lexicon.ts';
import { fold, tokenize } from '../nlu/text.ts';
import { LanguageUnderstanding } from '../nlu/understand.ts';
import { TopicScorer } from '../nlu/topic.ts';
import { NluModel } from '../nlu/model/nlu-model.ts';

/** Everything built once from the knowledge base and lexicon to read messages. */
export interface LanguageKit {
  lexicon: Lexicon;
  nlu: LanguageUnderstanding;
  topics: TopicScorer;
  index: SearchIndex;
  /** The learned topic, entry and question-type models; null when no model file exists. */
  model: NluModel | null;
}

/**
 * Builds the language kit for a knowledge base (index, spelling vocabulary, topic keywords, model).
 * `extraVocabulary`: words other skills know (statistics place and indicator names), so the typo
 * corrector never turns them into something else.
 */
export function buildLanguageKit(
  knowledge: KnowledgeBase,
  knowledgeDir = path.join(PROJECT_ROOT, 'knowledge'),
  extraVocabulary: string[] = [],
): LanguageKit {
  const lexicon = loadLexicon(knowledgeDir);
  const index = new SearchIndex(knowledge.entries, (text) => fold(expandAbbreviations(text.toLowerCase(), lexicon.abbreviations)));
  // Every word the knowledge base writes is a known word, so it is never "corrected" into another.
  const prose = knowledge.entries.flatMap((e) => [e.short_answer, ...e.details.flatMap((d) => [d.heading, ...d.lines]), ...e.contacts]);
  const nlu = new LanguageUnderstanding(lexicon, [...index.vocabulary(), ...tokenize(fold(prose.join(' '))), ...extraVocabulary]);
  return {
    lexicon,
    nlu,
    topics: new TopicScorer(lexicon),
    index,
    model: NluModel.load(path.join(knowledgeDir, 'models', 'nlu-model.json')),
  };
}

const cache = new WeakMap<KnowledgeBase, LanguageKit>();

/** The kit for this knowledge base, built on first use and cached. */
export function languageKitFor(knowledge: KnowledgeBase, provided?: LanguageKit): LanguageKit {
  if (provided) return provided;
  let kit = cache.get(knowledge);
  if (!kit) {
    kit = buildLanguageKit(knowledge);
    cache.set(knowledge, kit);
  }
  return kit;
}
