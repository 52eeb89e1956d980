import type { Incoming, Session, TurnResult } from '../domain/types.ts';
import type { Understanding } from '../nlu/types.ts';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import type { LanguageKit } from '../knowledge/language-kit.ts';
import type { Clock } from '../time/clock.ts';

/**
 * Everything a skill (policy answer, eligibility flow, statistics) may use for one turn.
 * Skills read `nlu`, may mutate `session`, and must take the date answers are computed for from
 * `now` (injectable, so tests can stand on either side of a date boundary). Anything stored with a
 * time and compared later (expiry of remembered facts, report windows) uses `clock`'s real time.
 */
export interface TurnContext {
  incoming: Incoming;
  nlu: Understanding;
  session: Session;
  /** The instant answers are computed for (`Clock.answerTime()`; `TODAY` moves it). */
  now: Date;
  /** The program's clock, for real-time stamps and expiry. */
  clock: Clock;
  services: Services;
}

/** Long-lived, read-mostly services built once at start-up. */
export interface Services {
  knowledge: KnowledgeBase;
  /** Index, lexicon and text reader; built from `knowledge` on first use when not given. */
  language?: LanguageKit;
  /** Statistics store and query engine; absent in contexts that do not load it. */
  stats?: StatsSkill;
  /** Administrators' chat commands and the usage report; registered by the app, absent in batch runs. */
  admin?: AdminSkill;
}

/**
 * Chat commands for administrators and aggregated usage figures, as seen by the core. The learning
 * loop implements it; the core only decides when to ask it (so `core/` never imports `learning/`).
 */
export interface AdminSkill {
  /** `/hopthu`, `/nhapsolieu …` from an administrator; null for anything else or anyone else. */
  command(ctx: TurnContext): Promise<TurnResult | null>;
  /** "thống kê câu hỏi tuần này": usage figures; null when the message does not ask for them. */
  usageReport(ctx: TurnContext): Promise<TurnResult | null>;
}

/** A multi-step conversation (the guided eligibility check). */
export interface Flow {
  /** Name stored in `session.flow.name`; button payloads for this flow start with `${name}:`. */
  readonly name: string;
  /** Starts the flow when this message asks for it (or carries a full one-line form); otherwise null. */
  tryStart(ctx: TurnContext): TurnResult | null;
  /** Continues an active flow; returns null when the person clearly left it (asked something else). */
  continue(ctx: TurnContext): TurnResult | null;
}

/** The statistics skill, as seen by the core. */
export interface StatsSkill {
  /** 0..1: how much this message looks like a question for a figure (indicator/area/period words). */
  score(ctx: TurnContext): number;
  /** Answers a statistics question, or null when no indicator can be identified. */
  answer(ctx: TurnContext): Promise<TurnResult | null> | TurnResult | null;
  /**
   * Imports figures from CSV text (admins in chat). All or nothing: rejects with
   * `{ errors: [{ line, message }] }` when any row is bad.
   */
  importCsv?(csv: string): Promise<{ added: number; revised: number; unchanged: number }>;
}
