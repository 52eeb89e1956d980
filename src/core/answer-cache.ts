import type { Incoming, Session, TurnResult } from '../domain/types.ts';
import { isoDateInVietnam } from '../format/vi.ts';

/**
 * Remembers recent answers so the same question in the same conversational state is not worked out
 * twice (after a broadcast, thousands of people ask the same thing within minutes).
 *
 * `respond` is a pure function of (message, session, day, knowledge); the cache key holds all four
 * (knowledge is fixed for the life of the process), and the value holds the reply and the session as
 * `respond` left it, so a hit replays both exactly. Turns that read changing state are never cached:
 * statistics (the store can be re-imported), guided flows and their memo, admin and usage replies.
 */
export class AnswerCache {
  private readonly map = new Map<string, { result: TurnResult; session: Session }>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity = 5000) {}

  /** The cache key, or null when this turn must not be cached. */
  keyFor(incoming: Incoming, session: Session, now: Date): string | null {
    // Skills' private slices (session.memo) hold state that changes outside the message (a finished
    // check, remembered facts): such turns are not replayed. The cache never names a skill's key.
    if (incoming.isAdmin || session.flow || (session.memo && Object.keys(session.memo).length)) return null;
    const { id: _id, updatedAt: _u, ...state } = session;
    return JSON.stringify([isoDateInVietnam(now), incoming.text ?? null, incoming.payload ?? null, state]);
  }

  get(key: string, session: Session): TurnResult | null {
    const hit = this.map.get(key);
    if (!hit) {
      this.misses++;
      return null;
    }
    this.hits++;
    // Refresh recency, then replay the session changes.
    this.map.delete(key);
    this.map.set(key, hit);
    const { id, updatedAt } = session;
    for (const k of Object.keys(session) as Array<keyof Session>) delete session[k];
    Object.assign(session, structuredClone(hit.session), { id, updatedAt });
    return structuredClone(hit.result);
  }

  /** Stores a turn's outcome when it is safe to replay. */
  set(key: string, result: TurnResult, session: Session): void {
    if (result.topic === 'statistics' || result.outcome === 'flow' || session.flow) return;
    this.map.set(key, { result: structuredClone(result), session: structuredClone(session) });
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }

  get size(): number {
    return this.map.size;
  }
}
