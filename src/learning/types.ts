import { z } from 'zod';
import type { StoreHealth } from '../storage/types.ts';
import type { TurnObserver } from '../domain/turn-observer.ts';

/** Why a question went to the editors' inbox. */
export const INBOX_KINDS = ['declined', 'fallback', 'low_confidence', 'unhelpful', 'rephrased', 'sample'] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

export const inboxItemSchema = z.object({
  at: z.string(),
  channel: z.string(),
  kind: z.enum(INBOX_KINDS),
  topic: z.string(),
  confidence: z.number(),
  /** The question, masked (no ID, phone, e-mail or account numbers). */
  text: z.string(),
});
export type InboxItem = z.infer<typeof inboxItemSchema>;

export const dayUsageSchema = z.object({
  total: z.number(),
  answered: z.number(),
  byTopic: z.record(z.string(), z.number()),
  byChannel: z.record(z.string(), z.number()),
});
/** Usage figures of one day (Vietnam's civil date): aggregated counts, nothing about a person. */
export type DayUsage = z.infer<typeof dayUsageSchema>;
export type UsageSum = DayUsage & { days: number };

/** Most inbox items kept (oldest dropped first). */
export const INBOX_CAP = 5000;

/**
 * The learning loop's store: the editors' inbox and the usage figures. One interface, a file
 * implementation (default) and a PostgreSQL one, so the admin commands and pages never know which.
 */
export interface LearningStore {
  /** Engine observer: counts every turn and files the ones that need an editor's eye. */
  readonly observer: TurnObserver;
  /** Inbox items at or after `sinceIso` (all when omitted), oldest first. */
  inbox(sinceIso?: string): Promise<InboxItem[]>;
  /** Usage between two ISO days inclusive, summed. */
  usageBetween(from: string, to: string): Promise<UsageSum>;
  flush(): Promise<void>;
  close(): Promise<void>;
  health(): Promise<StoreHealth>;
}
