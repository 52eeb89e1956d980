import { z } from 'zod';
import { AREAS, INDICATOR_IDS, isValidIsoDate } from './schema.ts';
import { classify, FactsError, NoStandardError, type Classification } from './classify.ts';
import type { Standards } from './standards.ts';

/**
 * The stable batch interface (`npm run --silent check -- --jsonl`): one JSON object in,
 * one JSON object out, never a throw. Shared by the CLI and the case-table tests.
 */

type Id = string | number | null;

export interface BatchSuccess {
  id: Id;
  category: 'poor' | 'near_poor' | 'average' | 'not_poor' | 'need_more_info';
  standard: string;
  legal_basis: string;
  date: string;
  area: string;
  income_line_vnd: number | null;
  income_per_capita_vnd: number | null;
  average_band_vnd: { above: number; up_to: number } | null;
  deprivation_count: number | null;
  deprivations: { id: string; label: string }[];
  reasons: string[];
  cautions: string[];
  missing?: string[];
  disclaimer: string;
}
export interface BatchError {
  id: Id;
  error: string;
}
export type BatchOutput = BatchSuccess | BatchError;

const money = (field: string) =>
  z
    .number({ error: `${field} phải là một số (đồng)` })
    .refine((v) => Number.isFinite(v), { message: `${field} phải là số hữu hạn` })
    .refine((v) => v >= 0, { message: `${field} không được âm` });

const inputSchema = z
  .object({
    id: z.unknown().optional(),
    date: z
      .string({ error: 'date phải là chuỗi dạng YYYY-MM-DD' })
      .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s), { message: 'date phải có dạng YYYY-MM-DD' })
      .refine((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s) || isValidIsoDate(s), { message: 'date không phải ngày có thật' })
      .optional(),
    area: z.enum(AREAS, {
      error: (iss) =>
        `area phải là "rural" hoặc "urban"${iss.input === undefined ? ' (thiếu trường area)' : ` (nhận được ${JSON.stringify(iss.input)})`}`,
    }),
    members: z
      .number({ error: 'members phải là số nguyên từ 1 trở lên' })
      .int({ message: 'members phải là số nguyên' })
      .min(1, { message: 'members phải từ 1 trở lên' })
      .optional(),
    monthly_income_vnd: money('monthly_income_vnd').optional(),
    income_per_capita_vnd: money('income_per_capita_vnd').optional(),
    deprivations: z
      .array(z.string({ error: 'deprivations chỉ gồm mã chỉ số (chuỗi)' }), { error: 'deprivations phải là một mảng mã chỉ số' })
      .optional(),
  })
  .passthrough();

function idOf(raw: unknown): Id {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const id = (raw as { id?: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return id;
  }
  return null;
}

/** Checks one parsed record. `today` (ISO) is used when the record has no date. */
export function checkRecord(raw: unknown, standards: Standards, today: string): BatchOutput {
  const id = idOf(raw);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { id, error: 'mỗi dòng phải là một đối tượng JSON {...}' };
  // A null field counts as absent ("date": null → today).
  const record = Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter(([, v]) => v !== null));
  const parsed = inputSchema.safeParse(record);
  if (!parsed.success) {
    const msgs = [...new Set(parsed.error.issues.map((i) => i.message))];
    return { id, error: msgs.join('; ') };
  }
  const r = parsed.data;
  const unknown = (r.deprivations ?? []).filter((d) => !(INDICATOR_IDS as readonly string[]).includes(d));
  if (unknown.length)
    return {
      id,
      error: `mã chỉ số không tồn tại: ${unknown.map((u) => JSON.stringify(u)).join(', ')} (các mã hợp lệ: ${INDICATOR_IDS.join(', ')})`,
    };
  if (r.monthly_income_vnd === undefined && r.income_per_capita_vnd === undefined)
    return { id, error: 'thiếu thu nhập: cần monthly_income_vnd (tổng của hộ mỗi tháng) hoặc income_per_capita_vnd' };
  if (r.monthly_income_vnd !== undefined && r.members === undefined)
    return { id, error: 'thiếu members: cần số người trong hộ để tính thu nhập bình quân đầu người' };
  if (r.monthly_income_vnd !== undefined && r.income_per_capita_vnd !== undefined && r.members !== undefined) {
    if (Math.abs(r.monthly_income_vnd / r.members - r.income_per_capita_vnd) >= 1)
      return { id, error: 'monthly_income_vnd và income_per_capita_vnd không khớp nhau; chỉ cần nhập một trong hai' };
  }
  const date = r.date ?? today;
  const noDeprivations = r.deprivations === undefined;
  let res: Classification;
  try {
    res = classify(
      {
        date,
        area: r.area,
        members: r.members ?? null,
        monthly_income_vnd: r.income_per_capita_vnd !== undefined ? null : r.monthly_income_vnd,
        income_per_capita_vnd: r.income_per_capita_vnd ?? null,
        deprivations: r.deprivations ?? [],
      },
      standards,
    );
  } catch (err) {
    if (err instanceof NoStandardError || err instanceof FactsError) return { id, error: err.message };
    return { id, error: `lỗi khi xếp loại: ${(err as Error).message}` };
  }
  const cautions = [...res.cautions];
  if (noDeprivations) cautions.unshift('Không có trường deprivations: coi như hộ không thiếu hụt chỉ số nào.');
  const out: BatchSuccess = {
    id,
    category: res.category,
    standard: res.standard,
    legal_basis: res.legal_basis,
    date,
    area: r.area,
    income_line_vnd: res.income_line_vnd,
    income_per_capita_vnd: res.income_per_capita_vnd,
    average_band_vnd: res.average_band,
    deprivation_count: res.deprivation_count,
    deprivations: res.deprivations.map((d) => ({ id: d.id, label: d.label })),
    reasons: res.reasons,
    cautions,
    disclaimer: res.disclaimer,
  };
  if (res.missing.length) out.missing = res.missing;
  return out;
}

/** Checks one input line (JSON text). Never throws. */
export function checkLine(line: string, standards: Standards, today: string): BatchOutput {
  const text = line.replace(/^\uFEFF/, '').trim();
  if (!text) return { id: null, error: 'dòng trống: cần một đối tượng JSON' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { id: null, error: `dòng không phải JSON hợp lệ (${(err as Error).message})` };
  }
  try {
    return checkRecord(raw, standards, today);
  } catch (err) {
    return { id: idOf(raw), error: `lỗi không mong đợi: ${(err as Error).message}` };
  }
}
