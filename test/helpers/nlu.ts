import path from 'node:path';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { buildLanguageKit, type LanguageKit } from '../../src/knowledge/language-kit.ts';
import type { Understanding } from '../../src/nlu/types.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let kit: LanguageKit | undefined;

/** The real reader of text (lexicon and vocabulary of the real knowledge base), built once per test file. */
export function realKit(): LanguageKit {
  kit ??= buildLanguageKit(KnowledgeBase.load(path.join(ROOT, 'knowledge', 'policies')), path.join(ROOT, 'knowledge'));
  return kit;
}

/** What the engine understands of `text`: tests read messages exactly as the engine does. */
export function understand(text: string): Understanding {
  return realKit().nlu.understand(text);
}
