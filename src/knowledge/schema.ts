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

/** One dated value of a parameter (OpenFisca-style): valid from `from` up to and including `to`. */
export const datedValueSchema = z.object({
  value: z.union([z.number(), z.string()]),
  from: isoDate,
  to: isoDate.optional(),
  /** Which legal basis (index into the entry's legal_basis list, or a full basis) sets it. */
  basis: z.union([z.number().int().min(0), legalBasisSchema]).optional(),
  note: z.string().optional(),
  unconfirmed: z.boolean().optional(),
});

export const parameterSchema = z.object({
  label: z.string(),
  unit: z.enum(VALUE_UNITS),
  history: z.array(datedValueSchema).min(1),
});
export type Parameter = z.infer<typeof parameterSchema>;

/** A titled block of details: bullet lines, optionally templated with {param} placeholders. */
export const detailSectionSchema = z.object({
  heading: z.string(),
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
    /** 2-4 sentences a resident needs; may contain {param} and {param.month} placeholders. */
    short_answer: z.string().min(20),
    details: z.array(detailSectionSchema).default([]),
    /** Dated parameters (amounts, rates, terms) used by the templates, selected by date. */
    params: z.record(z.string(), parameterSchema).default({}),
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

export type PolicyEntry = z.infer<typeof policyEntrySchema>;

/** A policy file holds one entry (preferred) or a list of entries. */
export const policyFileSchema = z.union([policyEntrySchema, z.array(policyEntrySchema).min(1)]);
