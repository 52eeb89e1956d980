import { z } from 'zod';
import type { TurnContext } from '../core/context.ts';
import { CATEGORIES } from './classify.ts';
import { eligDataSchema } from './data.ts';

/**
 * What the guided check remembers after a result, in its own slice of the session (`session.memo.elig`,
 * read and written only here): the facts of the household just checked (for "sửa thu nhập" and
 * "năm 2027 thì sao"), its category, and what was already said once in this conversation (the cautions,
 * the staff one-line tip). Why a slice: no other module needs these facts, and a damaged or outdated
 * value is dropped instead of breaking the turn. The slice is forgotten {@link MEMO_TTL_MS} after it was
 * last written, by real time (`ctx.clock`), so no personal facts outlive the need for them.
 */

const KEY = 'elig';

/** A finished check can be corrected or asked about for this long; then its facts are forgotten. */
export const MEMO_TTL_MS = 2 * 3600 * 1000;

const memoSchema = z.object({
  data: eligDataSchema.optional(),
  category: z.enum(CATEGORIES).optional(),
  /** When the slice was last written (ISO, real time). */
  at: z.string(),
  /** Short keys of what was said once (cautions, tips). */
  said: z.array(z.string()).default([]),
});
export type EligMemo = z.infer<typeof memoSchema>;

/** The slice, or undefined when absent, damaged or expired (expired and damaged slices are removed). */
export function readMemo(ctx: TurnContext): EligMemo | undefined {
  const raw = ctx.session.memo?.[KEY];
  if (raw === undefined) return undefined;
  const parsed = memoSchema.safeParse(raw);
  if (!parsed.success || !(ctx.clock.nowMs() - Date.parse(parsed.data.at) <= MEMO_TTL_MS)) {
    forgetMemo(ctx);
    return undefined;
  }
  return parsed.data;
}

/** Writes the slice, stamped with the real time now. */
export function writeMemo(ctx: TurnContext, memo: Omit<EligMemo, 'at'>): void {
  const value: EligMemo = { ...memo, at: ctx.clock.now().toISOString() };
  ctx.session.memo = { ...(ctx.session.memo ?? {}), [KEY]: value };
}

/** Removes the slice (expired, damaged, or no longer needed). */
export function forgetMemo(ctx: TurnContext): void {
  if (!ctx.session.memo || !(KEY in ctx.session.memo)) return;
  const { [KEY]: _drop, ...rest } = ctx.session.memo;
  ctx.session.memo = Object.keys(rest).length ? rest : undefined;
}

/** A short stable key for a sentence (FNV-1a), so the slice stores keys, not texts. */
export function sayKey(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

/** The items of `texts` not yet said in this conversation; marks them as said in `memo`. */
export function sayOnce(memo: { said: string[] }, texts: string[]): string[] {
  const fresh = texts.filter((t) => !memo.said.includes(sayKey(t)));
  memo.said = [...memo.said, ...fresh.map(sayKey)].slice(-40);
  return fresh;
}
