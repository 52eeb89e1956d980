import type { Clock } from '../../time/clock.ts';
import type { PgDatabase } from './database.ts';

/** How often expired rows are swept, at most, by the instance that happens to write. */
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Deletes expired rows of one table now and then, in the background: at most once per interval of this
 * process's monotonic time, one bounded batch (the SQL's own LIMIT), through the relaxed pool, errors ignored
 * (the next sweep tries again). Why a sweeper and not a delete per write: writes stay one statement each.
 */
export class ExpirySweeper {
  private lastMono = Number.NEGATIVE_INFINITY;

  /** `sql` deletes the rows expired at `$1`, a real-time cutoff in milliseconds. */
  constructor(
    private readonly db: PgDatabase,
    private readonly clock: Clock,
    private readonly sql: string,
  ) {}

  /** Sweeps with `cutoffMs` when the interval has passed since the last sweep. */
  maybeSweep(cutoffMs: number): void {
    const mono = this.clock.monotonicMs();
    if (mono - this.lastMono < SWEEP_EVERY_MS) return;
    this.lastMono = mono;
    void this.db.relaxedQuery(this.sql, [Math.round(cutoffMs)]).catch(() => undefined);
  }
}
