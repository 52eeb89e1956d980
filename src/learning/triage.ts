import { createHash } from 'node:crypto';
import type { Incoming, TurnResult } from '../domain/types.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { isoDateInVietnam } from '../format/vi.ts';
import type { InboxItem, InboxKind } from './types.ts';

/** Confidence under which an answered question still goes to the inbox. */
export const LOW_CONFIDENCE = 0.55;

/** What one turn adds to the learning store: a usage count, and maybe an inbox item. */
export interface TurnRecord {
  day: string;
  topic: string;
  channel: string;
  answered: boolean;
  item: InboxItem | null;
}

/**
 * Decides what a turn teaches the editors, the same way for every store implementation: declined,
 * fallback, clarified and low-confidence answers, and 👎 feedback (filed against the question it
 * answers). Keeps, per conversation (hashed), only the last masked question, in memory.
 */
export class Triage {
  private readonly lastQuestion = new Map<string, { text: string; topic: string }>();

  record(incoming: Incoming, result: TurnResult, at: Date): TurnRecord {
    const base = {
      at: at.toISOString(),
      channel: incoming.channel,
      topic: result.topic,
      confidence: Number(result.confidence.toFixed(3)),
    };
    const rec: TurnRecord = {
      day: isoDateInVietnam(at),
      topic: result.topic,
      channel: incoming.channel,
      answered: result.outcome === 'answered' || result.outcome === 'flow',
      item: null,
    };
    const key = createHash('sha256').update(`${incoming.channel}|${incoming.conversationId}`).digest('hex').slice(0, 24);
    if (incoming.payload?.startsWith('fb:down')) {
      const last = this.lastQuestion.get(key);
      const ref = maskPersonalData(incoming.payload.slice(8, 80));
      rec.item = { ...base, kind: 'unhelpful', text: last?.text ?? `(phản hồi cho ${ref})`, topic: last?.topic ?? base.topic };
    } else if (incoming.text) {
      // Mask the whole text first (the masker bounds its own work), so a cut never splits an ID in two.
      const text = maskPersonalData(incoming.text).slice(0, 500);
      if (this.lastQuestion.size > 10_000) this.lastQuestion.clear();
      this.lastQuestion.set(key, { text, topic: result.topic });
      const kind: InboxKind | null =
        result.outcome === 'declined'
          ? 'declined'
          : result.outcome === 'fallback'
            ? 'fallback'
            : result.outcome === 'clarify' || result.confidence < LOW_CONFIDENCE
              ? 'low_confidence'
              : null;
      if (kind) rec.item = { ...base, kind, text };
    }
    return rec;
  }
}
