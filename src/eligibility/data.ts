import { z } from 'zod';
import { AREAS } from './schema.ts';

/**
 * What the guided check knows about the household being checked. It lives in `session.flow.data` as
 * plain JSON (so a check survives a restart) and, after a result, in this module's memo slice (so
 * "sửa thu nhập" or "năm 2027 thì sao" can re-run it). Every field is optional: a missing fact is asked.
 */
export const eligDataSchema = z.object({
  /** ISO date the standard is chosen for; today when absent. */
  date: z.string().optional(),
  area: z.enum(AREAS).optional(),
  members: z.number().int().min(1).optional(),
  /** Household total per month. */
  monthly: z.number().min(0).optional(),
  /** Per person per month (replaces the total). */
  perCapita: z.number().min(0).optional(),
  /** Indicator id → answer to its yes/no question ("yes" = the household lacks it). */
  answers: z.record(z.string(), z.enum(['yes', 'no', 'unknown'])).default({}),
  /** The deprivations came as one list ("thiếu: nước sạch, BHYT"): no indicator questions are asked. */
  listGiven: z.boolean().optional(),
  extras: z
    .object({ ethnic_minority: z.boolean().optional(), has_students: z.boolean().optional(), working_age: z.boolean().optional() })
    .default({}),
  /** Unclear answers in a row to the current question. */
  reasks: z.number().int().default(0),
  /** The person stepped aside to ask something else; "tiếp tục" resumes. */
  paused: z.boolean().optional(),
  /** The income was a bare number taken as millions ("6" → 6 triệu). */
  assumed: z.boolean().optional(),
  /** The income was given per year and divided by 12. */
  yearly: z.boolean().optional(),
});
export type EligData = z.infer<typeof eligDataSchema>;

/** An answer to an indicator question: "yes" means the household lacks the indicator. */
export type YesNo = 'yes' | 'no' | 'unknown';

/** The facts that can be corrected ("sửa …") and re-asked. */
export const FIELDS = ['area', 'members', 'income', 'deprivations'] as const;
export type Field = (typeof FIELDS)[number];

/** A check that knows nothing yet. */
export function emptyData(): EligData {
  return { answers: {}, extras: {}, reasks: 0 };
}

/**
 * Merges facts read from a message into the data, never overwriting with nothing. An income replaces
 * the other form (total or per person); a deprivation list replaces the answers.
 */
export function applyFacts(data: EligData, facts: Partial<EligData>): void {
  if (facts.area) data.area = facts.area;
  if (facts.members) data.members = facts.members;
  if (facts.perCapita !== undefined) {
    data.perCapita = facts.perCapita;
    delete data.monthly;
  } else if (facts.monthly !== undefined) {
    data.monthly = facts.monthly;
    delete data.perCapita;
  }
  if (facts.perCapita !== undefined || facts.monthly !== undefined) {
    data.assumed = facts.assumed || undefined;
    data.yearly = facts.yearly || undefined;
  }
  if (facts.listGiven && facts.answers) {
    data.answers = { ...facts.answers };
    data.listGiven = true;
  } else if (facts.answers) data.answers = { ...data.answers, ...facts.answers };
  if (facts.date) data.date = facts.date;
  if (facts.extras) data.extras = { ...data.extras, ...facts.extras };
}

/** Forgets one fact so that its question is asked again ("sửa thu nhập"). Returns the same object. */
export function clearField(data: EligData, field: Field): EligData {
  if (field === 'area') delete data.area;
  if (field === 'members') delete data.members;
  if (field === 'income') {
    delete data.monthly;
    delete data.perCapita;
  }
  if (field === 'deprivations') {
    data.answers = {};
    data.listGiven = false;
  }
  return data;
}

/** Per-capita income per month, or null while it cannot be computed. */
export function perCapitaOf(data: EligData): number | null {
  if (data.perCapita !== undefined) return data.perCapita;
  if (data.monthly !== undefined && data.members) return data.monthly / data.members;
  return null;
}

/** How many of the four facts (area, size, income, deprivations) are known. */
export function countFacts(f: Partial<EligData>): number {
  return [f.area, f.members, f.monthly ?? f.perCapita, f.listGiven ? true : undefined].filter((v) => v !== undefined).length;
}
