import { z } from 'zod';
import { HOUSEHOLD_TYPES, POLICY_TOPICS } from '../domain/types.ts';

/**
 * Schema of one policy entry in `knowledge/policies/*.yaml`.
 * Entries are written by people (provincial officers), so every field is checked at load and
 * a mistake stops start-up with the file, the entry and the field named.
 */

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'phải là ngày dạng YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s + 'T00:00:00Z')), 'ngày không hợp lệ');

export const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'liên kết phải bắt đầu bằng https://');

/** A legal instrument that a fact rests on. */
export const legalBasisSchema = z.object({
  instrument: z.string().min(3),
  article: z.string().optional(),
  issued: isoDate.optional(),
  effective_from: isoDate.optional(),
  effective_to: isoDate.optional(),
  url: httpsUrl.optional(),
});
export type LegalBasis = z.infer<typeof legalBasisSchema>;

/** Units understood by the formatter; each is rendered one way everywhere. */
export const VALUE_UNITS = [
  'vnd',
  'vnd_per_month',
  'vnd_per_person_month',
  'vnd_per_course',
  'vnd_per_day',
  'percent_per_year',
  'percent_per_month',
  'percent',
  'months',
  'years',
  'days',
  'kg_per_month',
  'text',
] as const;

export type ValueUnit = (typeof VALUE_UNITS)[number];

/**
 * One dated value of a parameter (OpenFisca-style): valid from `from` up to and including `to`
 * (or, without `to`, until the next value starts). It is either a number/text (`value`) or a
 * `formula` over shared parameters (`knowledge/parameters`), e.g.
 * `vbsp.rates.poor_household * vbsp.ratios.near_poor / 100`, evaluated on the day asked.
 */
export const datedValueSchema = z
  .object({
    value: z.union([z.number(), z.string()]).optional(),
    formula: z.string().min(1).optional(),
    /** Decimals kept from a formula's result (default 6). */
    round: z.number().int().min(0).max(10).optional(),
    from: isoDate,
    to: isoDate.optional(),
    /** Which legal basis (index into the entry's legal_basis list, or a full basis) sets it. */
    basis: z.union([z.number().int().min(0), legalBasisSchema]).optional(),
    note: z.string().optional(),
    unconfirmed: z.boolean().optional(),
  })
  .refine((v) => (v.value === undefined) !== (v.formula === undefined), 'cần đúng một trong hai: value hoặc formula');
export type DatedValue = z.infer<typeof datedValueSchema>;

/** A parameter written in the entry itself: a label, a unit and its dated values (or formulas). */
export const parameterSchema = z.object({
  label: z.string(),
  unit: z.enum(VALUE_UNITS),
  history: z.array(datedValueSchema).min(1),
  /** Set when the history was computed from a shared parameter (`ref`); kept for tracing. */
  ref: z.string().optional(),
  /** Set when the history was computed from formulas: the dated formulas it came from. */
  source: z.array(datedValueSchema).optional(),
});
export type Parameter = z.infer<typeof parameterSchema>;

/**
 * A parameter that points at a shared, dated parameter in `knowledge/parameters` (e.g.
 * `salary.base_salary`). Label and unit default to the shared parameter's. At load the knowledge
 * base fills in the history from the shared tree, so one edit there changes every entry.
 */
export const parameterRefSchema = z
  .object({
    ref: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, 'ref là đường dẫn tham số dùng chung, ví dụ salary.base_salary'),
    label: z.string().optional(),
    unit: z.enum(VALUE_UNITS).optional(),
  })
  .strict();
export type ParameterRef = z.infer<typeof parameterRefSchema>;

export const parameterSpecSchema = z.union([parameterSchema, parameterRefSchema]);
export type ParameterSpec = z.infer<typeof parameterSpecSchema>;

/**
 * What a detail section answers, so a follow-up ("thủ tục thế nào") or a button ("Giấy tờ cần mang")
 * finds it: `amount` (mức, lãi suất, thời hạn), `eligibility` (ai được, điều kiện), `procedure`
 * (thủ tục, các bước), `documents` (giấy tờ cần mang), `where` (nộp ở đâu, liên hệ), `note` (the rest).
 */
export const DETAIL_KINDS = ['amount', 'eligibility', 'procedure', 'documents', 'where', 'note'] as const;
export type DetailKind = (typeof DETAIL_KINDS)[number];

/** A titled block of details: bullet lines, optionally templated with {param} placeholders. */
export const detailSectionSchema = z.object({
  heading: z.string(),
  kind: z.enum(DETAIL_KINDS),
  lines: z.array(z.string()).min(1),
});

export const ENTRY_STATUS = ['in_force', 'superseded', 'unconfirmed', 'ended'] as const;

export const policyEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'id chỉ gồm chữ thường, số và dấu gạch ngang'),
    topic: z.enum(POLICY_TOPICS),
    title: z.string().min(3),
    /** Household types the entry is about; empty means everyone. */
    households: z.array(z.enum(HOUSEHOLD_TYPES)).default([]),
    /** The direct answer first (yes/no or the figure, the condition, where to go), ≤ ~3 short sentences; may contain {param} placeholders. */
    short_answer: z.string().min(20),
    details: z.array(detailSectionSchema).default([]),
    /** Dated parameters (amounts, rates, terms) used by the templates, selected by date; or refs to shared ones. */
    params: z.record(z.string(), parameterSpecSchema).default({}),
    legal_basis: z.array(legalBasisSchema).min(1, 'thiếu căn cứ pháp lý'),
    effective_from: isoDate.optional(),
    effective_to: isoDate.optional(),
    status: z.enum(ENTRY_STATUS),
    superseded_by: z.string().optional(),
    last_verified: isoDate,
    sources: z.array(httpsUrl).min(1, 'thiếu nguồn'),
    /** Shown as one line under the answer when a fact is unconfirmed or varies by province. */
    caution: z.string().optional(),
    /** Where to go / whom to call for this topic. */
    contacts: z.array(z.string()).default([]),
    /** How people ask (accented, unaccented, abbreviations). Each phrasing belongs to one entry. */
    phrasings: z.array(z.string().min(3)).min(3, 'cần ít nhất 3 cách hỏi'),
    /** Ids of related entries offered as buttons. */
    related: z.array(z.string()).default([]),
    /** Distinctive words of the entry, indexed like phrasings. */
    keywords: z.array(z.string()).default([]),
    /** Words that, when present in a question, make this entry the better answer (e.g. "dân tộc"). */
    prefer_terms: z.array(z.string().min(2)).default([]),
    /** Words that, when present, mean another entry fits better (e.g. "lớp 6" for a university entry). */
    avoid_terms: z.array(z.string().min(2)).default([]),
  })
  .strict();

/**
 * One policy entry. In a file a param may be a ref to a shared parameter; in a loaded KnowledgeBase
 * every param carries its dated history (refs resolved, see `KnowledgeBase.param`).
 */
export type PolicyEntry = z.infer<typeof policyEntrySchema>;

/** Is this param spec resolved (it has its dated history)? */
export function isResolvedParam(p: ParameterSpec | undefined): p is Parameter {
  return Boolean(p && 'history' in p && Array.isArray(p.history));
}

/** A policy file holds one entry (preferred) or a list of entries. */
export const policyFileSchema = z.union([policyEntrySchema, z.array(policyEntrySchema).min(1)]);
