import { createHash } from 'node:crypto';
import type { Incoming, Session, TurnResult } from '../domain/types.ts';
import type { Services, Flow } from './context.ts';
import type { SessionStore } from '../storage/types.ts';
import { respond } from './respond.ts';
import { AnswerCache } from './answer-cache.ts';
import { systemClock, type Clock } from '../time/clock.ts';

import type { TurnObserver } from '../domain/turn-observer.ts';
import { fold } from '../nlu/text.ts';

export type { TurnObserver };

export interface EngineOptions {
  services: Services;
  sessions: SessionStore;
  flows: Flow[];
  /** Salt for hashing conversation ids before they are used as storage keys. */
  salt: string;
  /** The one clock: answers read its answer time, sessions and observers its real time. */
  clock?: Clock;
  observers?: TurnObserver[];
  /** Capacity of the answer cache; 0 turns it off. */
  cacheSize?: number;
  /** Told about an unexpected failure inside a turn (the person still gets a polite reply). */
  onError?: (err: Error) => void;
}

/** "/xoadulieu", "xóa dữ liệu của tôi" or the `erase` button: the person asks to be forgotten. */
export function isEraseRequest(incoming: Incoming): boolean {
  if (incoming.payload === 'erase') return true;
  const raw = (incoming.text ?? '').slice(0, 100).trim();
  // Every form below is at most 43 characters ("/xoadulieu@" and a 32-character bot name): longer
  // messages are not folded at all, which saves the fold on nearly every turn.
  if (raw.length > 64) return false;
  const t = fold(raw);
  return /^\/?xoadulieu(@\w+)?$/.test(t) || /^xoa (het )?du lieu( cua (toi|em|minh))?$/.test(t);
}

/** Longest text the core will read; longer messages are cut (with a note) rather than refused. */
export const MAX_TEXT_LENGTH = 2000;

/**
 * The per-request budget: text is cut to MAX_TEXT_LENGTH before anything reads it (no regular
 * expression ever sees more), and the reply says so. Payloads are short identifiers: cut at 300.
 */
function cutLongText(incoming: Incoming): Incoming & { textWasCut?: boolean } {
  const text = typeof incoming.text === 'string' ? incoming.text : undefined;
  const payload = typeof incoming.payload === 'string' ? incoming.payload.slice(0, 300) : undefined;
  if (text === undefined || text.length <= MAX_TEXT_LENGTH) return { ...incoming, text, payload };
  // Never split a surrogate pair (an emoji) at the cut.
  let end = MAX_TEXT_LENGTH;
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
  return { ...incoming, text: text.slice(0, end), payload, textWasCut: true };
}

function withCutNote(r: TurnResult): TurnResult {
  const note = `(Tin nhắn dài quá ${MAX_TEXT_LENGTH.toLocaleString('vi-VN')} ký tự, em chỉ đọc phần đầu.)`;
  const [first, ...rest] = r.replies;
  return first ? { ...r, replies: [{ ...first, text: `${first.text}\n${note}` }, ...rest] } : r;
}

function failureReply(): TurnResult {
  return {
    replies: [
      {
        text: 'Dạ, em xin lỗi, em đang gặp trục trặc khi trả lời câu này. Anh/chị thử hỏi lại sau ít phút, hoặc hỏi UBND xã/phường nơi cư trú ạ.',
      },
    ],
    topic: 'smalltalk',
    household: null,
    confidence: 0,
    outcome: 'fallback',
  };
}

/**
 * The one entry point every channel calls: loads the conversation's session, runs the channel-neutral
 * core (understand → decide → reply) in per-conversation order, saves the session, notifies observers.
 */
export class Engine {
  /** Recent answers replayed for identical (message, session, day); see AnswerCache. */
  readonly cache: AnswerCache;
  readonly clock: Clock;

  constructor(private readonly opts: EngineOptions) {
    this.clock = opts.clock ?? systemClock;
    this.cache = new AnswerCache(opts.cacheSize ?? 5000);
  }

  get services(): Services {
    return this.opts.services;
  }

  /** Storage key for a conversation: a salted hash, so raw user ids are never stored. */
  sessionKey(incoming: Pick<Incoming, 'channel' | 'conversationId'>): string {
    return createHash('sha256').update(`${this.opts.salt}|${incoming.channel}|${incoming.conversationId}`).digest('hex').slice(0, 32);
  }

  private readonly inFlight = new Set<Promise<unknown>>();

  /**
   * Handles one message and returns the replies. Never throws for bad input. With `sharedResult`, a
   * result replayed from the answer cache is the cached object itself, deeply frozen: callers that only
   * read and serialise the result (the web API) skip a deep copy per request.
   */
  handle(incoming: Incoming, options: { sharedResult?: boolean } = {}): Promise<TurnResult> {
    const run = this.turn(cutLongText(incoming), options.sharedResult === true);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run)).catch(() => undefined);
    return run;
  }

  private turn(incoming: Incoming & { textWasCut?: boolean }, sharedResult: boolean): Promise<TurnResult> {
    const key = this.sessionKey(incoming);
    // The store's lock keeps a conversation's turns in order (across instances on a shared database).
    return this.opts.sessions.withLock(key, async () => {
      // `now` is the instant answers are computed for (TODAY moves it); `at` is real time, used for
      // everything stored and compared later (session expiry, inbox and usage timestamps).
      const now = this.clock.answerTime();
      const at = this.clock.now();
      if (isEraseRequest(incoming)) {
        await this.opts.sessions.delete(key);
        return {
          replies: [
            {
              text: 'Dạ, em đã xóa toàn bộ dữ liệu trò chuyện em lưu về anh/chị (ngữ cảnh hỏi đáp và bước kiểm tra đang làm dở). Các câu hỏi trước đây chỉ còn trong thống kê tổng hợp, không gắn với anh/chị.',
            },
          ],
          topic: 'smalltalk',
          household: null,
          confidence: 1,
          outcome: 'answered',
        } satisfies TurnResult;
      }
      const stored = await this.opts.sessions.get(key);
      const session: Session = stored ? structuredClone(stored) : { id: key, updatedAt: at.toISOString() };
      const cacheKey = this.cache.capacity > 0 ? this.cache.keyFor(incoming, session, now) : null;
      let result = cacheKey ? this.cache.get(cacheKey, session, sharedResult) : null;
      if (!result) {
        try {
          // With a cache key, respond sees the session through a watch that records which fields it reads.
          const watch = cacheKey ? this.cache.watch(session) : null;
          result = await respond(incoming, watch?.view ?? session, {
            services: this.opts.services,
            flows: this.opts.flows,
            now,
            clock: this.clock,
          });
          if (cacheKey && watch) this.cache.set(cacheKey, result, session, watch);
        } catch (err) {
          // A bug must cost one polite reply, never the conversation or the process.
          this.opts.onError?.(err as Error);
          result = failureReply();
        }
      }
      if (incoming.textWasCut) result = withCutNote(result);
      session.updatedAt = at.toISOString();
      await this.opts.sessions.set(key, session);
      for (const observe of this.opts.observers ?? []) {
        try {
          observe({ incoming, result, at });
        } catch {
          // An observer must never break a conversation.
        }
      }
      return result;
    });
  }

  /** Erases everything stored for this conversation (the /xoadulieu command). */
  erase(incoming: Pick<Incoming, 'channel' | 'conversationId'>): Promise<boolean> {
    return this.opts.sessions.delete(this.sessionKey(incoming));
  }

  /** Waits for in-flight turns and writes sessions out (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    await this.opts.sessions.flush();
  }
}
