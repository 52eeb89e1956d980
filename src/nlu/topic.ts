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
  private readonly phrases: Array<{ topic: Topic; phrase: string; padded: string; weight: number }> = [];

  constructor(lexicon: Lexicon) {
    for (const [topic, list] of lexicon.topicKeywords) {
      for (const [phrase, weight] of list) if (phrase) this.phrases.push({ topic, phrase, padded: ` ${phrase} `, weight });
    }
    // Longest first so that contained phrases can be discounted.
    this.phrases.sort((a, b) => b.phrase.length - a.phrase.length);
  }

  score(folded: string): Map<Topic, number> {
    const text = ` ${folded
      .replace(/[^a-z0-9/.]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()} `;
    const scores = new Map<Topic, number>(TOPICS.map((t) => [t, 0]));
    const matched: Array<{ topic: Topic; phrase: string }> = [];
    for (const p of this.phrases) {
      if (!text.includes(p.padded)) continue;
      if (matched.some((m) => m.topic === p.topic && m.phrase.includes(p.phrase))) continue;
      matched.push(p);
      scores.set(p.topic, (scores.get(p.topic) ?? 0) + p.weight);
    }
    return scores;
  }
}
