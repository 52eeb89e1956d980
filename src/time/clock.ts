import { performance } from 'node:perf_hooks';

/**
 * The one clock of the program. Every module that needs the time takes a `Clock` (or falls back to
 * `systemClock`) instead of reading `Date.now()` or `new Date()` on its own, so tests and demonstrations
 * can move it and stores never disagree with the engine about what "now" is.
 *
 * Three readings, because they answer three different questions:
 * - `answerTime()`: the instant answers are computed for (which rule is in force, "hôm nay", default
 *   years). `TODAY` moves only this reading: a demonstration set to 2027-01-01 answers with the
 *   2027-2030 standard.
 * - `now()` / `nowMs()`: real time, for everything stored with a date and compared later: session
 *   expiry, inbox and usage timestamps, de-duplication windows, token lifetimes, import history.
 *   `TODAY` never moves it, so a session written under `TODAY=2025-01-01` still expires after
 *   `SESSION_TTL_MINUTES` of real silence, and never at once.
 * - `monotonicMs()`: a clock that never jumps when the system time is adjusted, for intervals that
 *   must not jump: rate windows, timeouts, poll pacing, durations.
 */
export interface Clock {
  /** The instant answers are computed for: real time, or noon in Vietnam on the day set by `TODAY`. */
  answerTime(): Date;
  /** Real time (epoch ms) for stored timestamps and expiry. */
  nowMs(): number;
  /** Real time as a Date (ISO timestamps). */
  now(): Date;
  /** Monotonic milliseconds, for intervals only (never stored, never compared across processes). */
  monotonicMs(): number;
}

/** Monotonic milliseconds from the process's performance timer; for intervals that must not jump. */
export function monotonicMs(): number {
  return performance.now();
}

/** Real time from the operating system. */
export const systemClock: Clock = {
  answerTime: () => new Date(Date.now()),
  nowMs: () => Date.now(),
  now: () => new Date(Date.now()),
  monotonicMs,
};

/** Noon in Vietnam (05:00 UTC) on an ISO day: a safe instant inside that civil day. */
export function noonInVietnam(isoDay: string): Date {
  return new Date(`${isoDay}T05:00:00Z`);
}

/**
 * `base` with the answer day fixed to `isoDay` (the `TODAY` setting). Real time and monotonic time
 * still come from `base`, so expiry, limits and timestamps behave as in production.
 */
export function withAnswerDay(base: Clock, isoDay: string): Clock {
  const fixed = noonInVietnam(isoDay);
  return {
    answerTime: () => new Date(fixed.getTime()),
    nowMs: () => base.nowMs(),
    now: () => base.now(),
    monotonicMs: () => base.monotonicMs(),
  };
}

/** The program's clock for a configuration: the system clock, with the answer day fixed when `TODAY` is set. */
export function clockFor(config: { TODAY?: string }, base: Clock = systemClock): Clock {
  return config.TODAY ? withAnswerDay(base, config.TODAY) : base;
}

/**
 * A clock that moves only when told to (tests). Real and monotonic time advance together with
 * `advance`; the answer time is the real time unless an answer day is set.
 */
export class ManualClock implements Clock {
  private wallMs: number;
  private mono = 0;
  private answerDay: Date | null;

  constructor(opts: { wall: string | Date; answerDay?: string }) {
    this.wallMs = new Date(opts.wall).getTime();
    this.answerDay = opts.answerDay ? noonInVietnam(opts.answerDay) : null;
  }

  answerTime(): Date {
    return new Date(this.answerDay ? this.answerDay.getTime() : this.wallMs);
  }
  nowMs(): number {
    return this.wallMs;
  }
  now(): Date {
    return new Date(this.wallMs);
  }
  monotonicMs(): number {
    return this.mono;
  }
  /** Moves real and monotonic time forward by `ms`. */
  advance(ms: number): void {
    this.wallMs += ms;
    this.mono += ms;
  }
  /** Sets the real time (the monotonic reading only moves forward). */
  setWall(wall: string | Date): void {
    const next = new Date(wall).getTime();
    if (next > this.wallMs) this.mono += next - this.wallMs;
    this.wallMs = next;
  }
  /** Sets or clears the answer day. */
  setAnswerDay(isoDay: string | null): void {
    this.answerDay = isoDay ? noonInVietnam(isoDay) : null;
  }
}
