import type { Incoming, Session, TurnResult } from '../domain/types.ts';
import { isoDateInVietnam } from '../format/vi.ts';

/**
 * Remembers recent answers so the same question in the same conversational state is not worked out
 * twice (after a broadcast, thousands of people ask the same thing within minutes).
 *
 * `respond` is a pure function of (message, session, day, knowledge). The cache is keyed by the message and
 * the day (knowledge is fixed for the life of the process), and each key holds a few variants: the session
 * fields `respond` actually read, with their values, and what it changed in the session. A later turn whose
 * session has the same values in those fields gets the same reply and the same session changes, exactly, even
 * when fields the answer never looked at differ (another conversation's last year or statistics memo). Why:
 * keying on the whole session made nearly every conversation's state unique, so the cache rarely hit.
 * Turns that read changing state are never cached: statistics (the store can be re-imported), guided flows,
 * skills' private slices (session.memo: stamped and expiring by the real clock), admin and usage replies.
 */
export class AnswerCache {
  private readonly map = new Map<string, Variant[]>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity = 5000) {}

  /** The cache key (message and day), or null when this turn must not be cached. */
  keyFor(incoming: Incoming, session: Session, now: Date): string | null {
    if (incoming.isAdmin || session.flow) return null;
    return JSON.stringify([isoDateInVietnam(now), incoming.text ?? null, incoming.payload ?? null]);
  }

  /**
   * The cached turn for `key` whose session fields match `session`, replaying its session changes onto
   * `session`. The result is a private copy, unless `shared` is set: then it is the cached object itself,
   * deeply frozen (so a caller cannot change what the next hit gets), which saves a deep copy per hit for
   * callers that only read it (the web API).
   */
  get(key: string, session: Session, shared = false): TurnResult | null {
    const variants = this.map.get(key);
    const hit = variants?.find((v) => matches(v, session));
    if (!variants || !hit) {
      this.misses++;
      return null;
    }
    this.hits++;
    // Refresh recency, then replay the session changes.
    this.map.delete(key);
    this.map.set(key, variants);
    for (const [field, value] of hit.changes) {
      if (value === ABSENT) delete session[field];
      else (session as unknown as Record<string, unknown>)[field] = structuredClone(value);
    }
    return shared ? hit.result : structuredClone(hit.result);
  }

  /**
   * Starts watching which session fields a turn reads: `respond` gets `view` instead of the session, and
   * {@link AnswerCache.set} receives the watch afterwards.
   */
  watch(session: Session): SessionWatch {
    const before = new Map<string, string>();
    for (const [field, value] of Object.entries(session)) if (!IGNORED.has(field) && value !== undefined) before.set(field, encode(value));
    const watch: SessionWatch = { before, reads: new Set(), readAll: false, view: session };
    watch.view = new Proxy(session, {
      get(target, field, receiver) {
        if (typeof field === 'string') watch.reads.add(field);
        return Reflect.get(target, field, receiver);
      },
      has(target, field) {
        if (typeof field === 'string') watch.reads.add(field);
        return Reflect.has(target, field);
      },
      // Listing the fields (a spread, Object.keys, a copy) depends on all of them.
      ownKeys(target) {
        watch.readAll = true;
        return Reflect.ownKeys(target);
      },
      getOwnPropertyDescriptor(target, field) {
        if (typeof field === 'string') watch.reads.add(field);
        return Reflect.getOwnPropertyDescriptor(target, field);
      },
    });
    return watch;
  }

  /** Stores a turn's outcome when it is safe to replay; `session` is the session as the turn left it. */
  set(key: string, result: TurnResult, session: Session, watch: SessionWatch): void {
    if (result.topic === 'statistics' || result.outcome === 'flow' || session.flow) return;
    const after = session as unknown as Record<string, unknown>;
    const reads = watch.readAll ? new Set([...watch.before.keys(), ALL]) : watch.reads;
    const needs: Array<[string, string]> = [];
    for (const field of reads) if (!IGNORED.has(field)) needs.push([field, watch.before.get(field) ?? ENCODED_ABSENT]);
    const changes: Array<[keyof Session, unknown]> = [];
    for (const field of new Set([...watch.before.keys(), ...Object.keys(after)])) {
      if (IGNORED.has(field)) continue;
      const now = field in after ? encode(after[field]) : ENCODED_ABSENT;
      if (now !== (watch.before.get(field) ?? ENCODED_ABSENT))
        changes.push([field as keyof Session, field in after ? structuredClone(after[field]) : ABSENT]);
    }
    // Skills' private slices (session.memo) carry real-time stamps and expire by the real clock: a turn that
    // read a non-empty memo, or changed it, depends on more than the message and is not replayed.
    if ((reads.has('memo') && watch.before.has('memo')) || changes.some(([field]) => field === 'memo')) return;
    const variant: Variant = {
      needs,
      exact: watch.readAll ? stateOf(watch.before) : undefined,
      changes,
      result: deepFreeze(structuredClone(result)),
    };
    const variants = this.map.get(key) ?? [];
    variants.unshift(variant);
    if (variants.length > MAX_VARIANTS) variants.pop();
    this.map.delete(key);
    this.map.set(key, variants);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }

  /** Number of cached messages (each with up to a few session variants). */
  get size(): number {
    return this.map.size;
  }
}

/** What {@link AnswerCache.watch} records while a turn runs. */
export interface SessionWatch {
  /** The session as `respond` must see it (reads are recorded). */
  view: Session;
  before: Map<string, string>;
  reads: Set<string>;
  readAll: boolean;
}

interface Variant {
  /** Session fields the turn read, with their encoded values (ENCODED_ABSENT when missing). */
  needs: Array<[string, string]>;
  /** When the turn listed every field: the whole state it saw. */
  exact?: string;
  /** Fields the turn changed, with their new values (ABSENT: removed). */
  changes: Array<[keyof Session, unknown]>;
  result: TurnResult;
}

/** The conversation's identity and timestamp are not part of its state: `respond` does not read them. */
const IGNORED = new Set(['id', 'updatedAt']);
const ALL = '\u0000all';
const ABSENT = Symbol('absent');
const ENCODED_ABSENT = '\u0000absent';
/** Distinct session states remembered per message. */
const MAX_VARIANTS = 8;

function encode(value: unknown): string {
  return value === undefined ? ENCODED_ABSENT : JSON.stringify(value);
}

function stateOf(fields: Map<string, string>): string {
  return JSON.stringify([...fields].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

function matches(v: Variant, session: Session): boolean {
  const fields = session as unknown as Record<string, unknown>;
  if (v.exact !== undefined) {
    const now = new Map<string, string>();
    for (const [field, value] of Object.entries(fields)) if (!IGNORED.has(field) && value !== undefined) now.set(field, encode(value));
    return stateOf(now) === v.exact;
  }
  for (const [field, value] of v.needs) if (field !== ALL && encode(fields[field]) !== value) return false;
  return true;
}

/** Freezes an object and everything reachable from it (plain data: objects and arrays). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
