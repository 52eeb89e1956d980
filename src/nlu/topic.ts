import { TOPICS, type Topic } from '../domain/types.ts';
import type { Lexicon } from './lexicon.ts';

/** Topic scores for one message, highest first. */
export type TopicScores = Array<{ topic: Topic; score: number }>;

/**
 * Keyword evidence per topic from the lexicon (knowledge/lexicon/topics.yaml): each phrase found as
 * whole words adds its weight. Longer phrases that contain a shorter matched phrase do not double count
 * beyond their own weight (the longer phrase is the more specific evidence).
 */
export class TopicScorer {
  /** Phrases by their first word, longest first within each list. */
  private readonly byFirst = new Map<string, Array<{ topic: Topic; words: string[]; phrase: string; weight: number }>>();

  constructor(lexicon: Lexicon) {
    for (const [topic, list] of lexicon.topicKeywords) {
      for (const [phrase, weight] of list) {
        const words = phrase.split(' ').filter(Boolean);
        if (!words.length) continue;
        const bucket = this.byFirst.get(words[0]) ?? [];
        bucket.push({ topic, words, phrase, weight });
        this.byFirst.set(words[0], bucket);
      }
    }
    for (const list of this.byFirst.values()) list.sort((a, b) => b.phrase.length - a.phrase.length);
  }

  /**
   * Keyword evidence per topic: every phrase found as whole words adds its weight once; a phrase
   * contained in a longer matched phrase of the same topic does not count again. One pass over the
   * message's words, looking only at phrases that start with each word.
   */
  score(folded: string): Map<Topic, number> {
    const words = folded
      .replace(/[^a-z0-9/.]+/g, ' ')
      .trim()
      .split(' ');
    const found = new Map<string, { topic: Topic; phrase: string; weight: number }>();
    for (let i = 0; i < words.length; i++) {
      const candidates = this.byFirst.get(words[i]);
      if (!candidates) continue;
      for (const c of candidates) {
        if (found.has(`${c.topic}|${c.phrase}`)) continue;
        let ok = i + c.words.length <= words.length;
        for (let k = 1; ok && k < c.words.length; k++) ok = words[i + k] === c.words[k];
        if (ok) found.set(`${c.topic}|${c.phrase}`, c);
      }
    }
    const scores = new Map<Topic, number>(TOPICS.map((t) => [t, 0]));
    // Longest first, so contained phrases can be discounted.
    const matched = [...found.values()].sort((a, b) => b.phrase.length - a.phrase.length);
    const kept: typeof matched = [];
    for (const m of matched) {
      if (kept.some((k) => k.topic === m.topic && ` ${k.phrase} `.includes(` ${m.phrase} `))) continue;
      kept.push(m);
      scores.set(m.topic, (scores.get(m.topic) ?? 0) + m.weight);
    }
    return scores;
  }
}
