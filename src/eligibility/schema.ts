import { z } from 'zod';

/**
 * Schemas of the poverty standards (`knowledge/standards/std-*.yaml`) and of the category →
 * entitlement map (`knowledge/standards/entitlements.yaml`). Checked at load, so a typo in a
 * threshold or an indicator id stops start-up with the file and field named.
 */

export const AREAS = ['rural', 'urban'] as const;
export type Area = (typeof AREAS)[number];

/** Every indicator id any standard may use (stable across the batch interface). */
export const INDICATOR_IDS = [
  'employment',
  'dependents',
  'nutrition',
  'health_insurance',
  'adult_education',
  'child_schooling',
  'housing_quality',
  'housing_area',
  'water',
  'sanitation',
  'telecom',
  'information_access',
  'waste',
] as const;
export type IndicatorId = (typeof INDICATOR_IDS)[number];

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'phải là ngày dạng YYYY-MM-DD')
  .refine((s) => isValidIsoDate(s), 'ngày không hợp lệ');

const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'liên kết phải bắt đầu bằng https://');

/** True for a real calendar date written YYYY-MM-DD (rejects 2026-02-30). */
export function isValidIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

const vnd = z.number().int().positive();

export const standardBasisSchema = z
  .object({
    instrument: z.string().min(3),
    article: z.string().optional(),
    issued: isoDate.optional(),
    effective_from: isoDate.optional(),
    /** Dates for which this instrument is part of the legal basis of the standard. */
    applies_from: isoDate,
    applies_to: isoDate.optional(),
    url: httpsUrl,
  })
  .strict();
export type StandardBasis = z.infer<typeof standardBasisSchema>;

const bandSchema = z
  .object({ above: vnd, up_to: vnd })
  .strict()
  .refine((b) => b.up_to > b.above, 'up_to phải lớn hơn above');

export const indicatorSchema = z
  .object({
    id: z.enum(INDICATOR_IDS),
    label: z.string().min(3),
    dimension: z.string().min(2),
    /** Plain-language test: the household LACKS this indicator when ... */
    test: z.string().min(10),
    /** Yes/no question in plain words; "yes" means the household lacks the indicator. */
    question: z
      .string()
      .min(10)
      .refine((q) => q.trim().endsWith('?'), 'câu hỏi phải kết thúc bằng dấu ?'),
    /** The test wording has not been checked against the official appendix. */
    unconfirmed: z.boolean().default(false),
  })
  .strict();
export type Indicator = z.infer<typeof indicatorSchema>;

export const standardSchema = z
  .object({
    id: z.string().regex(/^std-[0-9a-z-]+$/, 'id phải bắt đầu bằng std-'),
    title: z.string().min(5),
    effective_from: isoDate,
    effective_to: isoDate,
    legal_basis: z.array(standardBasisSchema).min(1, 'thiếu căn cứ pháp lý'),
    income_line_vnd: z.object({ rural: vnd, urban: vnd }).strict(),
    poor_min_deprivations: z.number().int().min(1),
    /** Average-living band per area (above the line, up to and including up_to); null when not confirmed. */
    average_band: z.object({ rural: bandSchema, urban: bandSchema }).strict().nullable(),
    average_band_source: httpsUrl.optional(),
    indicators_unconfirmed: z.boolean(),
    dimensions: z.array(z.object({ id: z.string().min(2), label: z.string().min(2) }).strict()).min(1),
    indicators: z.array(indicatorSchema).min(1),
    cautions: z.array(z.object({ text: z.string().min(10), from: isoDate.optional(), to: isoDate.optional() }).strict()).default([]),
    sources: z.array(httpsUrl).min(1, 'thiếu nguồn'),
    last_verified: isoDate,
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.effective_to < s.effective_from) ctx.addIssue({ code: 'custom', path: ['effective_to'], message: 'trước effective_from' });
    const dims = new Set(s.dimensions.map((d) => d.id));
    const seen = new Set<string>();
    s.indicators.forEach((ind, i) => {
      if (seen.has(ind.id)) ctx.addIssue({ code: 'custom', path: ['indicators', i, 'id'], message: `trùng chỉ số ${ind.id}` });
      seen.add(ind.id);
      if (!dims.has(ind.dimension))
        ctx.addIssue({
          code: 'custom',
          path: ['indicators', i, 'dimension'],
          message: `chiều "${ind.dimension}" không có trong dimensions`,
        });
    });
    for (const area of ['rural', 'urban'] as const) {
      const band = s.average_band?.[area];
      if (band && band.above !== s.income_line_vnd[area])
        ctx.addIssue({ code: 'custom', path: ['average_band', area, 'above'], message: 'phải bằng chuẩn nghèo của khu vực' });
    }
    const covered = s.legal_basis.some((b) => b.applies_from <= s.effective_from);
    if (!covered) ctx.addIssue({ code: 'custom', path: ['legal_basis'], message: 'không có căn cứ áp dụng từ effective_from' });
  });
export type Standard = z.infer<typeof standardSchema>;

export const EXTRA_KEYS = ['ethnic_minority', 'has_students', 'working_age'] as const;
export type ExtraKey = (typeof EXTRA_KEYS)[number];

export const entitlementRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    when: z
      .object({ ethnic_minority: z.boolean().optional(), has_students: z.boolean().optional(), working_age: z.boolean().optional() })
      .strict()
      .optional(),
    note: z.string().optional(),
  })
  .strict();
export type EntitlementRule = z.infer<typeof entitlementRuleSchema>;

export const entitlementMapSchema = z
  .object({
    categories: z
      .object({
        poor: z.array(entitlementRuleSchema),
        near_poor: z.array(entitlementRuleSchema),
        average: z.array(entitlementRuleSchema),
        not_poor: z.array(entitlementRuleSchema).default([]),
      })
      .strict(),
  })
  .strict();
export type EntitlementMap = z.infer<typeof entitlementMapSchema>;
