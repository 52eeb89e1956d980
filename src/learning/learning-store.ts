import path from 'node:path';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Low } from 'lowdb';
import { openJsonStore, type StoreWarn } from '../storage/json-store.ts';
import { CoalescedWriter } from '../storage/coalesced-writer.ts';
import type { TurnObserver } from '../core/engine.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { isoDateInVietnam } from '../format/vi.ts';
import { fold, tokenize } from '../nlu/text.ts';

/**
 * The learning loop: questions the bot declined, answered with low confidence or that a person marked
 * unhelpful go to an inbox (masked, with the topic guess and time) for editors; every turn is counted in
 * aggregated usage figures (per day, topic, channel). Nothing here changes the knowledge base.
 */

export const INBOX_KINDS = ['declined', 'fallback', 'low_confidence', 'unhelpful'] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

const inboxItemSchema = z.object({
  at: z.string(),
  channel: z.string(),
  kind: z.enum(INBOX_KINDS),
  topic: z.string(),
  confidence: z.number(),
  text: z.string(),
});
export type InboxItem = z.infer<typeof inboxItemSchema>;

const dayUsageSchema = z.object({
  total: z.number(),
  answered: z.number(),
  byTopic: z.record(z.string(), z.number()),
  byChannel: z.record(z.string(), z.number()),
});
type DayUsage = z.infer<typeof dayUsageSchema>;

const fileSchema = z.object({
  version: z.literal(1),
  inbox: z.array(inboxItemSchema),
  usage: z.record(z.string(), dayUsageSchema),
});
type LearningFile = z.infer<typeof fileSchema>;

/** Most inbox items kept (oldest dropped first). */
export const INBOX_CAP = 5000;
/** Confidence under which an answered question still goes to the inbox. */
export const LOW_CONFIDENCE = 0.55;

export class LearningStore {
  private readonly writer: CoalescedWriter;
  /** Last question per conversation (hashed key → masked text), to file 👎 feedback against it. */
  private readonly lastQuestion = new Map<string, { text: string; topic: string; confidence: number }>();

  private constructor(
    private readonly db: Low<LearningFile>,
    warn: StoreWarn,
  ) {
    this.writer = new CoalescedWriter(
      () => this.db.write(),
      1000,
      (err) => warn('inbox and usage figures could not be written', { err: err.message }),
    );
  }

  static async open(dataDir: string, warn?: StoreWarn): Promise<LearningStore> {
    const db = await openJsonStore<LearningFile>(
      path.join(dataDir, 'learning.json'),
      fileSchema,
      { version: 1, inbox: [], usage: {} },
      warn,
    );
    return new LearningStore(db, warn ?? (() => {}));
  }

  /** Engine observer: counts the turn and files it in the inbox when it needs an editor's eye. */
  readonly observer: TurnObserver = ({ incoming, result, at }) => {
    const day = isoDateInVietnam(at);
    const u: DayUsage = (this.db.data.usage[day] ??= { total: 0, answered: 0, byTopic: {}, byChannel: {} });
    u.total++;
    if (result.outcome === 'answered' || result.outcome === 'flow') u.answered++;
    u.byTopic[result.topic] = (u.byTopic[result.topic] ?? 0) + 1;
    u.byChannel[incoming.channel] = (u.byChannel[incoming.channel] ?? 0) + 1;

    const key = createHash('sha256').update(`${incoming.channel}|${incoming.conversationId}`).digest('hex').slice(0, 24);
    const base = { at: at.toISOString(), channel: incoming.channel, topic: result.topic, confidence: Number(result.confidence.toFixed(3)) };
    if (incoming.payload?.startsWith('fb:down')) {
      const last = this.lastQuestion.get(key);
      const ref = maskPersonalData(incoming.payload.slice(8, 80));
      this.add({ ...base, kind: 'unhelpful', text: last?.text ?? `(phản hồi cho ${ref})`, topic: last?.topic ?? base.topic });
    } else if (incoming.text) {
      const text = maskPersonalData(incoming.text).slice(0, 500);
      if (this.lastQuestion.size > 10_000) this.lastQuestion.clear();
      this.lastQuestion.set(key, { text, topic: result.topic, confidence: result.confidence });
      const kind: InboxKind | null =
        result.outcome === 'declined'
          ? 'declined'
          : result.outcome === 'fallback'
            ? 'fallback'
            : result.outcome === 'clarify' || result.confidence < LOW_CONFIDENCE
              ? 'low_confidence'
              : null;
      if (kind) this.add({ ...base, kind, text });
    }
    this.writer.markDirty();
  };

  private add(item: InboxItem): void {
    this.db.data.inbox.push(item);
    if (this.db.data.inbox.length > INBOX_CAP) this.db.data.inbox.splice(0, this.db.data.inbox.length - INBOX_CAP);
  }

  inbox(): InboxItem[] {
    return this.db.data.inbox;
  }

  /** Usage between two ISO dates inclusive, summed. */
  usageBetween(from: string, to: string): DayUsage & { days: number } {
    const sum: DayUsage & { days: number } = { total: 0, answered: 0, byTopic: {}, byChannel: {}, days: 0 };
    for (const [day, u] of Object.entries(this.db.data.usage)) {
      if (day < from || day > to) continue;
      sum.days++;
      sum.total += u.total;
      sum.answered += u.answered;
      for (const [k, v] of Object.entries(u.byTopic)) sum.byTopic[k] = (sum.byTopic[k] ?? 0) + v;
      for (const [k, v] of Object.entries(u.byChannel)) sum.byChannel[k] = (sum.byChannel[k] ?? 0) + v;
    }
    return sum;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }
}

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
