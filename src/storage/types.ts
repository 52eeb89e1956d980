import type { Session } from '../domain/types.ts';

/**
 * The stores behind the bot, as interfaces. Each has an embedded implementation on files under
 * `DATA_DIR` (the default of `npm start`) and a shared one on PostgreSQL (`DATABASE_URL`), so a
 * commune's single machine and a national deployment run the same code. Every method is async
 * because a shared implementation talks to a database.
 */

/** Health of a store, for `/readyz`: down stops readiness, degraded is reported but still serves. */
export interface StoreHealth {
  state: 'ok' | 'degraded' | 'down';
  /** Short English detail for operators (never secrets, never personal data). */
  detail?: string;
}

/** Conversation sessions, under salted hashes of conversation ids. */
export interface SessionStore {
  get(key: string): Promise<Session | undefined>;
  set(key: string, session: Session): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Number of sessions held. */
  size(): Promise<number>;
  /**
   * Runs `task` while holding the conversation's lock, so its turns are processed in order even when
   * consecutive messages reach different instances. In-process for files, across instances on a database.
   */
  withLock<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Writes pending changes to durable storage. */
  flush(): Promise<void>;
  close(): Promise<void>;
  health(): Promise<StoreHealth>;
}

/**
 * Remembers which platform events were handled (platforms retry deliveries), for a time window.
 * Scopes keep the channels apart ("telegram", "zalo-oa", "zalo-bot").
 */
export interface DedupStore {
  /** Records `id` in `scope` for `ttlMs`; true when it is new, false when it was already seen (a replay). */
  markNew(scope: string, id: string, ttlMs: number): Promise<boolean>;
  /** Forgets a mark, so a delivery that failed before being answered is processed when it is retried. */
  forget(scope: string, id: string): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Checks a parsed secret copy; a copy that fails is treated like a damaged one (the previous copy is tried). */
export type SecretValidator = (value: unknown) => boolean;

/** Result of reading a stored secret document (Zalo OA tokens). */
export type SecretLoad<T> =
  | { status: 'ok'; value: T; fromBackup: boolean }
  | { status: 'absent' }
  | { status: 'unreadable'; reason: string };

/**
 * A small secret document that is rotated (Zalo OA access and refresh tokens). Writes are durable
 * before they resolve and keep the previous good copy, so a damaged current copy falls back to the
 * previous one and never to seed values from the environment.
 */
export interface SecretStore<T> {
  load(): Promise<SecretLoad<T>>;
  save(value: T): Promise<void>;
  /**
   * Runs `task` holding the rotation lock: one refresh at a time, across instances on a database.
   * `task` should `load()` again first, since another holder may have rotated the value meanwhile.
   */
  withLock<R>(task: () => Promise<R>): Promise<R>;
}

/** Button payloads too long for a platform's limit (Telegram's 64 bytes), kept under short ids. */
export interface PayloadStore {
  /** Stores `payload` and returns its short id (the same id for the same payload). */
  put(payload: string): Promise<string>;
  get(id: string): Promise<string | undefined>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Decision of a rate limit for one event: the first refusal of a burst is marked, so one "please wait" is sent. */
export type RateDecision = 'ok' | 'first-over' | 'over';

/** Counters for rate limits, per key, in fixed windows. Shared across instances on a database. */
export interface RateCounter {
  hit(key: string, limit: number, windowMs: number): Promise<RateDecision>;
}

/** Who polls a platform: one instance at a time when several share a database. */
export interface Leadership {
  /**
   * Resolves once this instance leads `name` (at once for files). The returned signal aborts when
   * leadership is lost; `release` gives it up.
   */
  acquire(name: string, signal: AbortSignal): Promise<{ lost: AbortSignal; release(): Promise<void> }>;
}

/**
 * Everything the chat channels keep, as interfaces: handled-event marks, long button payloads, rotated
 * secrets, rate counters and who polls. The file bundle serves one machine; the PostgreSQL bundle with the
 * same shape serves several instances, and the channels cannot tell them apart.
 */
export interface ChannelStores {
  dedup: DedupStore;
  payloads: PayloadStore;
  /** The secret document `name` (e.g. `zalo-oa-tokens`), optionally checked on read. */
  secrets<T>(name: string, validate?: SecretValidator): SecretStore<T>;
  rates: RateCounter;
  leadership: Leadership;
}
