import { z } from 'zod';
import { CsvSyntaxError, parseCsv, toCsv } from './csv.ts';
import type { Areas } from './areas.ts';
import { type Catalog, type Indicator, standardByDate } from './catalog.ts';

/**
 * One figure as it travels through CSV files (import/export) and the store.
 * Columns (same for import and export): area_id, indicator, value, unit, qualifier, as_of,
 * period_start, status, note, source, source_url, measure, standard. The last two were added later:
 * a file without them (exported by an earlier version) still imports, and each row then takes the
 * indicator's measure and the national standard in force on its `as_of` (see `completeRow`).
 */
export const CSV_COLUMNS = [
  'area_id',
  'indicator',
  'value',
  'unit',
  'qualifier',
  'as_of',
  'period_start',
  'status',
  'note',
  'source',
  'source_url',
  'measure',
  'standard',
] as const;
const REQUIRED_COLUMNS = ['area_id', 'indicator', 'value', 'unit', 'as_of', 'status', 'source'];

export const STATUSES = ['reported', 'preliminary', 'estimate', 'target', 'plan'] as const;
export const QUALIFIERS = ['', 'at_least', 'about'] as const;

/** True when `s` is YYYY-MM-DD and names a day that exists (no 2023-02-30). */
export function isRealIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

const isoDate = z.string().refine(isRealIsoDate, 'ngày phải có dạng YYYY-MM-DD và là ngày có thật');

export const figureSchema = z.object({
  area_id: z.string().min(1),
  indicator: z.string().min(1),
  value: z.number().finite(),
  unit: z.string().min(1),
  qualifier: z.enum(QUALIFIERS),
  as_of: isoDate,
  period_start: z.union([z.literal(''), isoDate]),
  status: z.enum(STATUSES),
  note: z.string(),
  source: z.string().min(1),
  source_url: z.string(),
  measure: z.string(),
  standard: z.string(),
});
export type FigureRow = z.infer<typeof figureSchema>;

/**
 * A stored figure: the row plus when it was recorded and (for a revised one) when it was replaced.
 * Records written before `measure` and `standard` existed read with them empty; the store completes
 * them from the catalogue when it loads (`completeRow`).
 */
export const storedFigureSchema = figureSchema.extend({
  measure: z.string().default(''),
  standard: z.string().default(''),
  recorded_at: z.string(),
  replaced_at: z.string().nullable(),
});
export type StoredFigure = z.infer<typeof storedFigureSchema>;

export interface RowError {
  line: number;
  message: string;
}

/**
 * The identity of a figure: a second row with the same key is a revision of it. The poverty standard
 * is part of the key, so a figure under the 2016-2020 standard and the baseline under the 2022-2025
 * standard can both be dated 31/12/2021, and a local-standard figure never replaces a national one.
 * The measure is not: an indicator has exactly one measure (checked by `completeRow`).
 */
export function figureKey(f: Pick<FigureRow, 'area_id' | 'indicator' | 'as_of' | 'period_start' | 'standard'>): string {
  return `${f.area_id}|${f.indicator}|${f.as_of}|${f.period_start}|${f.standard}`;
}

/**
 * Fills `measure` and `standard` when a row (or an old stored record) leaves them empty: the
 * indicator's measure, and for a poverty indicator the national standard in force on `as_of`
 * (the local standard for a local-standard indicator). Returns a problem text when a given value
 * does not fit the indicator.
 */
export function completeRow<T extends { measure: string; standard: string; as_of: string }>(
  row: T,
  ind: Indicator,
  catalog: Catalog,
): string | null {
  if (!row.measure) row.measure = ind.measure;
  else if (row.measure !== ind.measure)
    return `measure "${row.measure}" không khớp với chỉ tiêu ${ind.id} (phải là "${ind.measure}" hoặc để trống)`;
  if (ind.standard === 'local') {
    if (!row.standard) row.standard = 'local';
    else if (row.standard !== 'local')
      return `standard "${row.standard}" không khớp với chỉ tiêu ${ind.id} (chuẩn riêng của địa phương: "local" hoặc để trống)`;
  } else if (ind.standard === 'national') {
    if (!row.standard) row.standard = standardByDate(catalog, row.as_of);
    else if (row.standard === 'local' || !catalog.standards.has(row.standard))
      return `standard "${row.standard}" không hợp lệ cho chỉ tiêu ${ind.id} (${[...catalog.standards.keys()]
        .filter((k) => k !== 'local')
        .join(', ')} hoặc để trống)`;
  } else if (row.standard) return `chỉ tiêu ${ind.id} không theo chuẩn nghèo: để trống cột standard`;
  return null;
}

/** Same figure content (ignoring bookkeeping fields). */
export function sameFigure(a: FigureRow, b: FigureRow): boolean {
  return CSV_COLUMNS.every((c) => String(a[c]) === String(b[c]));
}

const NUMBER_RE = /^[+-]?\d+(\.\d+)?$/;

/**
 * Parses and validates a whole CSV text. Every problem is reported with its line number;
 * the caller must import nothing when `errors` is not empty.
 */
export function validateCsv(text: string, catalog: Catalog, areas: Areas): { rows: FigureRow[]; errors: RowError[] } {
  const errors: RowError[] = [];
  let recs: ReturnType<typeof parseCsv>;
  try {
    recs = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError)
      return { rows: [], errors: [{ line: err.line, message: `lỗi cú pháp CSV: ${err.message.replace(/^dòng \d+: /, '')}` }] };
    throw err;
  }
  if (recs.length === 0) return { rows: [], errors: [{ line: 1, message: 'tệp rỗng: thiếu dòng tiêu đề' }] };
  const header = recs[0].fields.map((h) => h.trim());
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) return { rows: [], errors: [{ line: recs[0].line, message: `thiếu cột: ${missing.join(', ')}` }] };
  const dupHeader = header.filter((h, i) => header.indexOf(h) !== i);
  if (dupHeader.length) return { rows: [], errors: [{ line: recs[0].line, message: `cột bị lặp: ${dupHeader.join(', ')}` }] };

  const rows: FigureRow[] = [];
  const seen = new Map<string, { line: number; row: FigureRow }>();
  for (const rec of recs.slice(1)) {
    const line = rec.line;
    const problems: string[] = [];
    if (rec.fields.length !== header.length) {
      errors.push({ line, message: `có ${rec.fields.length} cột, tiêu đề có ${header.length} cột` });
      continue;
    }
    const get = (c: string) => {
      const i = header.indexOf(c);
      return i < 0 ? '' : rec.fields[i].trim();
    };
    const areaId = get('area_id');
    const indicatorId = get('indicator');
    const valueText = get('value');
    const unit = get('unit');
    if (!areaId) problems.push('thiếu area_id');
    else if (!areas.byId.has(areaId)) problems.push(`địa bàn không có trong danh mục: "${areaId}"`);
    const ind = catalog.indicators.get(indicatorId);
    if (!indicatorId) problems.push('thiếu indicator');
    else if (!ind) problems.push(`chỉ tiêu không có trong danh mục: "${indicatorId}"`);
    if (!NUMBER_RE.test(valueText))
      problems.push(
        `giá trị không phải là số: "${valueText}" (viết số như 6621 hoặc 1.96, dấu chấm thập phân, không phân cách hàng nghìn)`,
      );
    if (ind && unit !== ind.unit) problems.push(`đơn vị "${unit}" không khớp với chỉ tiêu ${ind.id} (phải là "${ind.unit}")`);
    else if (ind && NUMBER_RE.test(valueText)) {
      const n = Number(valueText);
      if (catalog.units.get(ind.unit)?.integer && !Number.isInteger(n))
        problems.push(
          `giá trị "${valueText}" phải là số nguyên (đơn vị ${ind.unit}); nếu là số có dấu chấm hàng nghìn, viết liền: ${valueText.replace(/\./g, '')}`,
        );
      if (n < 0 && ind.kind !== 'change') problems.push(`giá trị âm "${valueText}" không hợp lệ cho chỉ tiêu ${ind.id}`);
    }
    const candidate = {
      area_id: areaId,
      indicator: indicatorId,
      value: NUMBER_RE.test(valueText) ? Number(valueText) : NaN,
      unit,
      qualifier: get('qualifier'),
      as_of: get('as_of'),
      period_start: get('period_start'),
      status: get('status'),
      note: get('note'),
      source: get('source'),
      source_url: get('source_url'),
      measure: get('measure'),
      standard: get('standard'),
    };
    const parsed = figureSchema.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const col = String(issue.path[0] ?? '');
        if (col === 'value' || col === 'area_id' || col === 'indicator' || col === 'unit') continue; // reported above
        const msg =
          col === 'status'
            ? `status "${candidate.status}" không hợp lệ (reported, preliminary, estimate, target hoặc plan)`
            : col === 'qualifier'
              ? `qualifier "${candidate.qualifier}" không hợp lệ (để trống, at_least hoặc about)`
              : col === 'as_of' || col === 'period_start'
                ? `${col} "${String(candidate[col as 'as_of'])}": ${issue.message}`
                : col === 'source'
                  ? 'thiếu nguồn (source)'
                  : `${col}: ${issue.message}`;
        problems.push(msg);
      }
    }
    if (candidate.source_url && !/^https?:\/\/\S+$/.test(candidate.source_url))
      problems.push(`source_url không phải địa chỉ http(s): "${candidate.source_url}"`);
    if (parsed.success && candidate.period_start && candidate.period_start > candidate.as_of)
      problems.push(`period_start ${candidate.period_start} sau as_of ${candidate.as_of}`);
    if (parsed.success && ind) {
      const p = completeRow(candidate, ind, catalog);
      if (p) problems.push(p);
    }
    if (problems.length) {
      errors.push({ line, message: problems.join('; ') });
      continue;
    }
    const row: FigureRow = { ...parsed.data!, measure: candidate.measure, standard: candidate.standard };
    const key = figureKey(row);
    const prev = seen.get(key);
    if (prev) {
      if (sameFigure(prev.row, row)) errors.push({ line, message: `dòng trùng lặp với dòng ${prev.line}` });
      else if (
        prev.row.value === row.value &&
        prev.row.unit === row.unit &&
        prev.row.qualifier === row.qualifier &&
        prev.row.status === row.status &&
        prev.row.source !== row.source
      ) {
        // The same figure confirmed by a second source: keep it as one figure, both sources kept.
        prev.row.note = [
          prev.row.note,
          `also reported by ${row.source}${row.note ? ` (${row.note})` : ''}${row.source_url ? `: ${row.source_url}` : ''}`,
        ]
          .filter(Boolean)
          .join('; ');
      } else
        errors.push({
          line,
          message: `trùng với dòng ${prev.line} (cùng địa bàn ${row.area_id}, chỉ tiêu ${row.indicator}, as_of ${row.as_of}, period_start ${row.period_start || 'trống'}, chuẩn ${row.standard || 'trống'}) nhưng khác số liệu`,
        });
      continue;
    }
    seen.set(key, { line, row });
    rows.push(row);
  }
  return { rows, errors };
}

/** Current figures as CSV text in the import columns (so an export can be edited and imported back). */
export function figuresToCsv(figures: FigureRow[]): string {
  const rows = figures.map((f) => CSV_COLUMNS.map((c) => (c === 'value' ? formatPlainNumber(f.value) : String(f[c] ?? ''))));
  return toCsv([[...CSV_COLUMNS], ...rows]);
}

function formatPlainNumber(v: number): string {
  // Plain decimal notation, never exponent form, that parses back to the same number.
  if (Number.isInteger(v)) return v.toFixed(0);
  let s = String(v);
  if (/e/i.test(s)) s = v.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
  return s;
}
