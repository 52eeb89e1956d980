import type { Citation } from '../domain/types.ts';
import { formatDate, formatNumber } from '../format/vi.ts';
import type { Area, Standard } from './schema.ts';
import {
  Standards,
  standardFor,
  legalBasisFor,
  legalBasisText,
  basisCitations,
  cautionsFor,
  indicatorById,
  isKnownIndicator,
} from './standards.ts';

/** The result categories. `need_more_info` is not "not eligible": facts are missing. */
export const CATEGORIES = ['poor', 'near_poor', 'average', 'not_poor', 'need_more_info'] as const;
export type Category = (typeof CATEGORIES)[number];

export type MissingFact = 'area' | 'members' | 'income' | 'deprivations';

/** What is known about a household. Undefined/null means "not said" (not zero). */
export interface HouseholdFacts {
  /** ISO date the standard is selected for. */
  date: string;
  area?: Area | null;
  members?: number | null;
  /** Household total per month. */
  monthly_income_vnd?: number | null;
  /** Per person per month (takes precedence over the total). */
  income_per_capita_vnd?: number | null;
  /** Indicator ids the household lacks; undefined = not asked yet, [] = lacks none. */
  deprivations?: readonly string[] | null;
  /** Indicators answered "không rõ": not counted, but named in a caution. */
  unknown_indicators?: readonly string[];
}

export interface CountedDeprivation {
  id: string;
  label: string;
  test: string;
  unconfirmed: boolean;
}

export interface Classification {
  category: Category;
  standard: string;
  standard_title: string;
  date: string;
  area: Area | null;
  legal_basis: string;
  citations: Citation[];
  income_line_vnd: number | null;
  income_per_capita_vnd: number | null;
  /** Average-living band for the area, or null where the standard defines none. */
  average_band: { above: number; up_to: number } | null;
  deprivation_count: number | null;
  deprivations: CountedDeprivation[];
  /** Ids given that are not indicators of the standard applied (not counted). */
  ignored_deprivations: string[];
  missing: MissingFact[];
  /** Vietnamese sentences: the standard, the line, the income computed, the deprivations, the rule that decided. */
  reasons: string[];
  cautions: string[];
  /** The cautions about this household's own answers (ignored ids, unknown indicators); the rest are the standard's. */
  household_cautions: string[];
  disclaimer: string;
}

/** No standard is encoded for the date asked about. */
export class NoStandardError extends Error {
  constructor(
    readonly date: string,
    coverage: { from: string; to: string } | null,
  ) {
    super(
      coverage
        ? `không có chuẩn nghèo được mã hóa cho ngày ${date} (chỉ có từ ${coverage.from} đến ${coverage.to})`
        : `không có chuẩn nghèo nào được nạp`,
    );
  }
}

/** The input itself is impossible (members 0, negative income, unknown indicator id). */
export class FactsError extends Error {}

export const DISCLAIMER =
  'Đây là kết quả sàng lọc để tham khảo, không phải quyết định công nhận. Việc công nhận hộ nghèo, hộ cận nghèo do Chủ tịch UBND cấp xã quyết định qua rà soát hằng năm (hoặc rà soát thường xuyên khi hộ có giấy đề nghị).';

const AREA_VI: Record<Area, string> = { rural: 'nông thôn', urban: 'thành thị' };
export function areaLabel(area: Area): string {
  return AREA_VI[area];
}

/** Money as the law writes it, exact: "1.500.000 đồng", "1.500.000,25 đồng". */
export function vndExact(value: number): string {
  return `${formatNumber(value, Number.isInteger(value) ? 0 : 2)} đồng`;
}

function checkFacts(f: HouseholdFacts): void {
  if (f.members != null && (!Number.isInteger(f.members) || f.members < 1))
    throw new FactsError('số người trong hộ phải là số nguyên từ 1 trở lên');
  for (const k of ['monthly_income_vnd', 'income_per_capita_vnd'] as const) {
    const v = f[k];
    if (v != null && (!Number.isFinite(v) || v < 0)) throw new FactsError(`${k} phải là số không âm`);
  }
  for (const id of [...(f.deprivations ?? []), ...(f.unknown_indicators ?? [])])
    if (!isKnownIndicator(id)) throw new FactsError(`chỉ số không tồn tại: "${id}"`);
}

/**
 * Classifies a household under the standard in force on `facts.date`.
 * Poor: per-capita income ≤ line AND ≥ 3 deprivations. Near-poor: ≤ line AND < 3.
 * Above the line: never poor or near-poor; average-living inside the band (upper bound inclusive)
 * where the standard defines it, otherwise not_poor. Missing facts give `need_more_info`.
 * Throws {@link NoStandardError} for a date without a standard and {@link FactsError} for impossible facts.
 */
export function classify(facts: HouseholdFacts, standards: Standards | readonly Standard[]): Classification {
  checkFacts(facts);
  const std = standardFor(standards, facts.date);
  if (!std) throw new NoStandardError(facts.date, standards instanceof Standards ? standards.coverage : null);

  const bases = legalBasisFor(std, facts.date);
  const reasons: string[] = [];
  const cautions: string[] = [];
  const stdCautions = cautionsFor(std, facts.date);
  const missing: MissingFact[] = [];
  const area = facts.area ?? null;

  reasons.push(`Áp dụng ${lowerFirst(std.title)} cho ngày ${formatDate(facts.date)} (${bases.map((b) => b.instrument).join(' và ')}).`);

  const line = area ? std.income_line_vnd[area] : null;
  const band = area && std.average_band ? std.average_band[area] : null;
  if (!area) missing.push('area');
  else reasons.push(`Chuẩn nghèo về thu nhập ở khu vực ${AREA_VI[area]}: ${vndExact(line!)}/người/tháng.`);

  let perCapita: number | null = null;
  if (facts.income_per_capita_vnd != null) {
    perCapita = facts.income_per_capita_vnd;
    reasons.push(`Thu nhập bình quân đầu người (theo số đã nêu): ${vndExact(perCapita)}/tháng.`);
  } else if (facts.monthly_income_vnd != null) {
    if (facts.members != null) {
      perCapita = facts.monthly_income_vnd / facts.members;
      reasons.push(
        `Thu nhập bình quân đầu người: ${vndExact(facts.monthly_income_vnd)} ÷ ${facts.members} người = ${vndExact(round2(perCapita))}/tháng.`,
      );
    } else missing.push('members');
  } else missing.push('income');

  // Deprivations: only those of this standard count.
  const given = facts.deprivations == null ? null : [...new Set(facts.deprivations)];
  const counted: CountedDeprivation[] = [];
  const ignored: string[] = [];
  for (const id of given ?? []) {
    const ind = indicatorById(std, id);
    if (ind) counted.push({ id, label: ind.label, test: ind.test, unconfirmed: ind.unconfirmed });
    else ignored.push(id);
  }
  if (ignored.length)
    cautions.push(`Không tính ${ignored.map((i) => `"${i}"`).join(', ')}: không phải chỉ số của ${lowerFirst(std.title)}.`);
  const unknown = (facts.unknown_indicators ?? []).filter((id) => indicatorById(std, id));
  if (unknown.length)
    cautions.push(
      `Chưa rõ ${unknown.length} chỉ số (${unknown.map((id) => indicatorById(std, id)!.label).join(', ')}); chưa tính là thiếu hụt. Nếu hộ thiếu cả các chỉ số này, kết quả có thể khác.`,
    );
  const householdCautions = [...cautions];
  if (std.indicators_unconfirmed && !stdCautions.some((c) => /chỉ số/.test(c) && /chưa/.test(c)))
    cautions.push(`Danh sách chỉ số của ${lowerFirst(std.title)} chưa được xác nhận theo văn bản chính thức.`);

  const base = {
    standard: std.id,
    standard_title: std.title,
    date: facts.date,
    area,
    legal_basis: legalBasisText(bases),
    citations: basisCitations(bases),
    income_line_vnd: line,
    income_per_capita_vnd: perCapita == null ? null : round2(perCapita),
    average_band: band ? { above: band.above, up_to: band.up_to } : null,
    deprivation_count: given == null ? null : counted.length,
    deprivations: counted,
    ignored_deprivations: ignored,
    household_cautions: householdCautions,
    disclaimer: DISCLAIMER,
  };

  if (line == null || perCapita == null) {
    if (given == null) missing.push('deprivations');
    reasons.push(`Chưa đủ thông tin để xếp loại: còn thiếu ${missing.map(missingLabel).join(', ')}.`);
    return { ...base, category: 'need_more_info', missing, reasons, cautions: [...cautions, ...stdCautions] };
  }

  const n = std.poor_min_deprivations;
  if (perCapita <= line) {
    reasons.push(`Thu nhập bình quân ${vndExact(round2(perCapita))} bằng hoặc thấp hơn chuẩn nghèo ${vndExact(line)}.`);
    if (given == null) {
      missing.push('deprivations');
      reasons.push('Cần biết hộ thiếu hụt những chỉ số dịch vụ xã hội cơ bản nào để phân biệt hộ nghèo và hộ cận nghèo.');
      return { ...base, category: 'need_more_info', missing, reasons, cautions: [...cautions, ...stdCautions] };
    }
    reasons.push(
      counted.length
        ? `Hộ thiếu hụt ${counted.length} chỉ số: ${counted.map((d) => d.label).join('; ')}.`
        : 'Hộ không thiếu hụt chỉ số nào.',
    );
    if (counted.length >= n) {
      reasons.push(`Quy tắc: thu nhập bình quân bằng hoặc thấp hơn chuẩn nghèo VÀ thiếu hụt từ ${n} chỉ số trở lên → hộ nghèo.`);
      return { ...base, category: 'poor', missing, reasons, cautions: [...cautions, ...stdCautions] };
    }
    reasons.push(`Quy tắc: thu nhập bình quân bằng hoặc thấp hơn chuẩn nghèo VÀ thiếu hụt dưới ${n} chỉ số → hộ cận nghèo.`);
    return { ...base, category: 'near_poor', missing, reasons, cautions: [...cautions, ...stdCautions] };
  }

  reasons.push(`Thu nhập bình quân ${vndExact(round2(perCapita))} cao hơn chuẩn nghèo ${vndExact(line)}.`);
  if (counted.length)
    reasons.push(
      `Hộ thiếu hụt ${counted.length} chỉ số (${counted.map((d) => d.label).join('; ')}), nhưng khi thu nhập trên chuẩn nghèo thì không xếp hộ nghèo hay cận nghèo, dù thiếu bao nhiêu chỉ số.`,
    );
  if (band) {
    if (perCapita <= band.up_to) {
      reasons.push(
        `Quy tắc: thu nhập bình quân trên ${vndExact(band.above)} đến ${vndExact(band.up_to)} (khu vực ${AREA_VI[area!]}) → hộ có mức sống trung bình.`,
      );
      return { ...base, category: 'average', missing, reasons, cautions: [...cautions, ...stdCautions] };
    }
    reasons.push(
      `Quy tắc: thu nhập bình quân cao hơn ${vndExact(band.up_to)} (mức trần của hộ có mức sống trung bình) → không thuộc hộ nghèo, hộ cận nghèo hay hộ có mức sống trung bình.`,
    );
    return { ...base, category: 'not_poor', missing, reasons, cautions: [...cautions, ...stdCautions] };
  }
  reasons.push(`Quy tắc: thu nhập bình quân trên chuẩn nghèo → không thuộc hộ nghèo hay hộ cận nghèo.`);
  if (!stdCautions.some((c) => /mức sống trung bình/.test(c)))
    cautions.push(
      `${std.title} chưa có ngưỡng hộ có mức sống trung bình được xác nhận, nên chưa thể cho biết hộ có thuộc diện này hay không.`,
    );
  return { ...base, category: 'not_poor', missing, reasons, cautions: [...cautions, ...stdCautions] };
}

export function missingLabel(m: MissingFact): string {
  switch (m) {
    case 'area':
      return 'khu vực (nông thôn hay thành thị)';
    case 'members':
      return 'số người trong hộ';
    case 'income':
      return 'thu nhập của hộ';
    case 'deprivations':
      return 'các chỉ số thiếu hụt';
  }
}

export function categoryLabel(c: Category): string {
  switch (c) {
    case 'poor':
      return 'hộ nghèo';
    case 'near_poor':
      return 'hộ cận nghèo';
    case 'average':
      return 'hộ có mức sống trung bình';
    case 'not_poor':
      return 'không thuộc hộ nghèo, hộ cận nghèo';
    case 'need_more_info':
      return 'cần thêm thông tin';
  }
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
