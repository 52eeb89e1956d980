import { z } from 'zod';
import { sessionSlice } from '../../core/session-slice.ts';
import type { Session } from '../../domain/types.ts';
import type { TimePoint } from '../resolve/index.ts';

/**
 * The statistics skill's slice of the session: what the last answer was about (indicators, areas,
 * time points), so a follow-up ("thế năm 2022?", "còn hộ cận nghèo?") can reuse it. It lives in
 * `session.memo.stats`, is read and written only here, and is validated with zod when read: a
 * damaged or foreign value is dropped, never trusted. Sessions written before this slice existed
 * kept the last indicator, area and year in `session.indicator/area/year`; those are still read.
 */

const timePoint = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('date'), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  z.object({ kind: z.literal('start'), year: z.number().int() }),
  z.object({ kind: z.literal('end'), year: z.number().int() }),
  z.object({ kind: z.literal('year'), year: z.number().int() }),
  z.object({ kind: z.literal('months'), year: z.number().int(), months: z.number().int() }),
  z.object({ kind: z.literal('range'), from: z.number().int(), to: z.number().int() }),
]);

const memoSchema = z.object({
  indicators: z.array(z.string()),
  areas: z.array(z.string()),
  points: z.array(timePoint),
});

/** What the skill remembers between turns. */
export interface StatsMemo {
  indicators: string[];
  areas: string[];
  points: TimePoint[];
}

const SLICE = sessionSlice<StatsMemo>('stats', memoSchema as z.ZodType<StatsMemo>);

/** The skill's memory of this conversation, or null when it has none (legacy fields included). */
export function readMemo(session: Session): StatsMemo | null {
  const memo = SLICE.read(session);
  if (memo && (memo.indicators.length || memo.areas.length)) return memo;
  if (memo) return null;
  // Sessions from before the slice: the last indicator, area and year the skill wrote at the top level.
  const legacy: StatsMemo = {
    indicators: typeof session.indicator === 'string' ? [session.indicator] : [],
    areas: typeof session.area === 'string' && session.area !== 'rural' && session.area !== 'urban' ? [session.area] : [],
    points: typeof session.year === 'number' ? [{ kind: 'year', year: session.year }] : [],
  };
  return legacy.indicators.length ? legacy : null;
}

/** Remembers what this answer was about. */
export function writeMemo(session: Session, memo: StatsMemo): void {
  SLICE.write(session, memoSchema.parse(memo) as StatsMemo);
}

/** True when the conversation has asked for figures before (a short message may be a follow-up). */
export function hasMemo(session: Session): boolean {
  return readMemo(session) !== null;
}
