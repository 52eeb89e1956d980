import { createHash } from 'node:crypto';
import type { Incoming, TurnResult } from '../domain/types.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { isoDateInVietnam } from '../format/vi.ts';
import { fold, tokenize } from '../nlu/text.ts';
import type { InboxItem, InboxKind } from './types.ts';

/** Confidence under which an answered question still goes to the inbox. */
export const LOW_CONFIDENCE = 0.55;
/** Confident answers sampled per day for an editor's review. */
export const DAILY_SAMPLE = 20;
/** One confident answer in this many is sampled (until the day's quota is reached). */
export const SAMPLE_EVERY = 25;
/** A new question this soon after a confident answer, and this similar to it, is a rephrasing. */
const REPHRASE_WINDOW_MS = 5 * 60_000;
const REPHRASE_SIMILARITY = 0.6;
const REPHRASE_MIN_SHARED = 3;

/** What one turn adds to the learning store: a usage count, and the inbox items it reveals. */
export interface TurnRecord {
  day: string;
  topic: string;
  channel: string;
  answered: boolean;
  items: InboxItem[];
}

interface LastQuestion {
  text: string;
  words: Set<string>;
  topic: string;
  confidence: number;
  confident: boolean;
  at: number;
  filed: boolean;
}

/**
 * Decides what a turn teaches the editors, the same way for every store implementation:
 * - declined, fallback, clarified and low-confidence answers;
 * - 👎 feedback and "sai rồi" complaints, filed against the question they answer;
 * - a confident answer the person followed at once with a rephrasing of the same question
 *   (confident answers that were wrong never reach the inbox otherwise);
 * - a small daily sample of confident answers, chosen by a hash so the choice is reproducible.
 * Keeps, per conversation (hashed), only the last masked question, in memory.
 */
export class Triage {
  private readonly lastQuestion = new Map<string, LastQuestion>();
  private readonly sampled = new Map<string, number>();
  /**
   * The masked text and its words, by incoming text, for the most recent distinct messages. Why: masking
   * is the costliest part of a turn outside the core, and after a broadcast most messages repeat a few
   * questions. Bounded like lastQuestion (cleared when full); raw texts live here no longer than in the
   * answer cache's keys.
   */
  private readonly readings = new Map<string, { text: string; words: Set<string> }>();

  /** The masked, cut text and its words (see `readings`). */
  private read(raw: string): { text: string; words: Set<string> } {
    let reading = this.readings.get(raw);
    if (!reading) {
      // Mask the whole text first (the masker bounds its own work), so a cut never splits an ID in two.
      const text = maskPersonalData(raw).slice(0, 500);
      reading = { text, words: new Set(tokenize(fold(text)).filter((w) => w.length > 1)) };
      if (this.readings.size >= 5000) this.readings.clear();
      this.readings.set(raw, reading);
    }
    return reading;
  }

  record(incoming: Incoming, result: TurnResult, at: Date): TurnRecord {
    const day = isoDateInVietnam(at);
    const base = {
      at: at.toISOString(),
      channel: incoming.channel,
      topic: result.topic,
      confidence: Number(result.confidence.toFixed(3)),
    };
    const rec: TurnRecord = {
      day,
      topic: result.topic,
      channel: incoming.channel,
      answered: result.outcome === 'answered' || result.outcome === 'flow',
      items: [],
    };
    const key = createHash('sha256').update(`${incoming.channel}|${incoming.conversationId}`).digest('hex').slice(0, 24);
    const last = this.lastQuestion.get(key);
    const fileLast = (kind: InboxKind) => {
      if (!last || last.filed) return;
      last.filed = true;
      rec.items.push({ ...base, kind, text: last.text, topic: last.topic, confidence: Number(last.confidence.toFixed(3)) });
    };
    if (incoming.payload?.startsWith('fb:down')) {
      if (last && !last.filed) fileLast('unhelpful');
      else rec.items.push({ ...base, kind: 'unhelpful', text: `(phản hồi cho ${maskPersonalData(incoming.payload.slice(8, 80))})` });
      return rec;
    }
    if (result.signals?.complaint) {
      fileLast('unhelpful');
      return rec;
    }
    if (!incoming.text) return rec;
    const { text, words } = this.read(incoming.text);
    const nowMs = at.getTime();
    if (last?.confident && !last.filed && nowMs - last.at <= REPHRASE_WINDOW_MS && similarity(last.words, words) >= REPHRASE_SIMILARITY)
      fileLast('rephrased');
    const kind: InboxKind | null =
      result.outcome === 'declined'
        ? 'declined'
        : result.outcome === 'fallback'
          ? 'fallback'
          : result.outcome === 'clarify' || result.confidence < LOW_CONFIDENCE
            ? 'low_confidence'
            : null;
    const confident = result.outcome === 'answered' && result.confidence >= LOW_CONFIDENCE && result.topic !== 'smalltalk';
    if (kind) rec.items.push({ ...base, kind, text });
    else if (confident && this.sample(day, text)) rec.items.push({ ...base, kind: 'sample', text });
    if (this.lastQuestion.size > 10_000) this.lastQuestion.clear();
    this.lastQuestion.set(key, {
      text,
      words,
      topic: result.topic,
      confidence: result.confidence,
      confident,
      at: nowMs,
      filed: kind !== null,
    });
    return rec;
  }

  /** One confident answer in SAMPLE_EVERY, by a hash of the day and the text, up to DAILY_SAMPLE a day. */
  private sample(day: string, text: string): boolean {
    const taken = this.sampled.get(day) ?? 0;
    if (taken >= DAILY_SAMPLE) return false;
    const h = createHash('sha256').update(`${day}|${text}`).digest().readUInt32BE(0);
    if (h % SAMPLE_EVERY !== 0) return false;
    if (this.sampled.size > 3) this.sampled.clear();
    this.sampled.set(day, taken + 1);
    return true;
  }
}

/** Shared words over the shorter message's words; 0 unless they share REPHRASE_MIN_SHARED words (a follow-up shares fewer). */
function similarity(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter < REPHRASE_MIN_SHARED ? 0 : inter / Math.min(a.size, b.size);
}
