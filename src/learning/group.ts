import { fold, tokenize } from '../nlu/text.ts';
import type { InboxItem } from './types.ts';

/** A group of similar inbox questions. */
export interface InboxGroup {
  example: string;
  count: number;
  kinds: Record<string, number>;
  topics: Record<string, number>;
  lastAt: string;
  samples: string[];
}

/**
 * Groups inbox items by similarity (Jaccard overlap of folded words ≥ 0.5, greedy), largest first,
 * so an editor sees recurring unanswered themes with their counts.
 */
export function groupInbox(items: InboxItem[], threshold = 0.5): InboxGroup[] {
  const groups: Array<InboxGroup & { words: Set<string> }> = [];
  for (const item of items) {
    const words = new Set(tokenize(fold(item.text)).filter((w) => w.length > 1));
    let target = groups.find((g) => jaccard(g.words, words) >= threshold);
    if (!target) {
      target = { example: item.text, count: 0, kinds: {}, topics: {}, lastAt: item.at, samples: [], words };
      groups.push(target);
    }
    target.count++;
    target.kinds[item.kind] = (target.kinds[item.kind] ?? 0) + 1;
    target.topics[item.topic] = (target.topics[item.topic] ?? 0) + 1;
    if (item.at > target.lastAt) target.lastAt = item.at;
    if (target.samples.length < 3 && !target.samples.includes(item.text)) target.samples.push(item.text);
  }
  return groups.sort((a, b) => b.count - a.count).map(({ words: _w, ...g }) => g);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (!a.size && !b.size) return 1;
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / (a.size + b.size - inter);
}
