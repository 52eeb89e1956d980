import path from 'node:path';
import { KnowledgeError, listDataFiles, readDataFile, describeZodError } from '../util/data-file.ts';
import { policyFileSchema, type PolicyEntry, type Parameter, type LegalBasis } from './schema.ts';
import type { Citation } from '../domain/types.ts';
import { formatDate, formatNumber, formatPercent, formatVnd, formatVndCompact, isoDateInVietnam } from '../format/vi.ts';

export { KnowledgeError, describeZodError, listDataFiles, readDataFile } from '../util/data-file.ts';

/** A parameter value selected for a date, with what it rests on. */
export interface ResolvedValue {
  value: number | string;
  from: string;
  to?: string;
  unconfirmed: boolean;
  basis?: LegalBasis;
}

/**
 * The policy knowledge base: entries loaded from `knowledge/policies`, validated, indexed by id,
 * with dated parameters selected by date and rendered the Vietnamese way.
 */
export class KnowledgeBase {
  readonly entries: PolicyEntry[];
  private readonly byId = new Map<string, PolicyEntry>();

  constructor(entries: PolicyEntry[]) {
    this.entries = entries;
    for (const e of entries) this.byId.set(e.id, e);
  }

  /** Loads every policy file under `dir`; throws a KnowledgeError naming file, entry and field. */
  static load(dir: string): KnowledgeBase {
    const entries: PolicyEntry[] = [];
    const seen = new Map<string, string>();
    for (const file of listDataFiles(dir)) {
      const raw = readDataFile(file);
      const list = Array.isArray(raw) ? raw : [raw];
      list.forEach((item, index) => {
        const parsed = policyFileSchema.safeParse(item);
        if (!parsed.success) {
          const id = (item as { id?: unknown })?.id;
          const label = typeof id === 'string' ? `mục "${id}"` : `mục thứ ${index + 1}`;
          throw new KnowledgeError(`${path.relative(process.cwd(), file)}: ${label}: ${describeZodError(parsed.error)}`);
        }
        const entry = parsed.data as PolicyEntry;
        const previous = seen.get(entry.id);
        if (previous) throw new KnowledgeError(`${file}: mục "${entry.id}" trùng id với ${previous}`);
        seen.set(entry.id, file);
        entries.push(entry);
      });
    }
    return new KnowledgeBase(entries);
  }

  get(id: string): PolicyEntry | undefined {
    return this.byId.get(id);
  }

  /** Is the entry presented as current on this date (in force or unconfirmed, and within its dates)? */
  isCurrent(entry: PolicyEntry, now: Date): boolean {
    if (entry.status === 'superseded' || entry.status === 'ended') return false;
    const today = isoDateInVietnam(now);
    if (entry.effective_from && entry.effective_from > today) return false;
    if (entry.effective_to && entry.effective_to < today) return false;
    return true;
  }

  /** The value of `param` in force on `now`, or null when none applies that day. */
  valueAt(entry: PolicyEntry, param: string, now: Date): ResolvedValue | null {
    const p = entry.params[param];
    if (!p) return null;
    const today = isoDateInVietnam(now);
    const hit = p.history.filter((h) => h.from <= today && (!h.to || h.to >= today)).sort((a, b) => (a.from < b.from ? 1 : -1))[0];
    if (!hit) return null;
    const basis = typeof hit.basis === 'number' ? entry.legal_basis[hit.basis] : hit.basis;
    return { value: hit.value, from: hit.from, to: hit.to, unconfirmed: Boolean(hit.unconfirmed), basis };
  }

  /** The value that applied just before the current one (for "trước đây ... nay ..."). */
  previousValue(entry: PolicyEntry, param: string, now: Date): ResolvedValue | null {
    const current = this.valueAt(entry, param, now);
    const p = entry.params[param];
    if (!current || !p) return null;
    const before = p.history.filter((h) => h.from < current.from).sort((a, b) => (a.from < b.from ? 1 : -1))[0];
    if (!before) return null;
    const basis = typeof before.basis === 'number' ? entry.legal_basis[before.basis] : before.basis;
    return { value: before.value, from: before.from, to: before.to, unconfirmed: Boolean(before.unconfirmed), basis };
  }

  /**
   * Fills `{param}`, `{param.month}` (a yearly rate as monthly), `{param.from}` (the date it applies
   * from), `{param.prev}` and `{param.prev_to}` in a template with the values in force on `now`.
   * A placeholder with no value that day becomes "(chưa có mức áp dụng)" rather than a guess.
   */
  render(entry: PolicyEntry, template: string, now: Date): string {
    return template.replace(/\{([a-z0-9_]+)(?:\.(month|from|prev|prev_to|exact))?\}/g, (_m, name: string, mod?: string) => {
      const p = entry.params[name];
      if (!p) return `{${name}}`;
      if (mod === 'prev' || mod === 'prev_to') {
        const prev = this.previousValue(entry, name, now);
        if (!prev) return '(không có mức trước)';
        return mod === 'prev' ? formatParam(p, prev.value) : prev.to ? formatDate(prev.to) : '';
      }
      const v = this.valueAt(entry, name, now);
      if (!v) return '(chưa có mức áp dụng)';
      if (mod === 'from') return formatDate(v.from);
      if (mod === 'month' && typeof v.value === 'number' && p.unit === 'percent_per_year') {
        return `${formatNumber(v.value / 12, 4)}%/tháng`;
      }
      if (mod === 'exact' && typeof v.value === 'number') return formatVnd(v.value);
      return formatParam(p, v.value);
    });
  }

  /** Citations for an entry: its legal bases, each with its effective date and link. */
  citations(entry: PolicyEntry): Citation[] {
    return entry.legal_basis.map((b) => ({
      instrument: b.instrument,
      article: b.article,
      effectiveFrom: b.effective_from,
      url: b.url ?? entry.sources[0],
    }));
  }
}

/** Formats one parameter value according to its unit. */
export function formatParam(p: Parameter, value: number | string): string {
  if (typeof value === 'string') return value;
  switch (p.unit) {
    case 'vnd':
      return formatVndCompact(value);
    case 'vnd_per_month':
      return `${formatVndCompact(value)}/tháng`;
    case 'vnd_per_person_month':
      return `${formatVndCompact(value)}/người/tháng`;
    case 'vnd_per_course':
      return `${formatVndCompact(value)}/khóa học`;
    case 'vnd_per_day':
      return `${formatVndCompact(value)}/ngày`;
    case 'percent_per_year':
      return `${formatPercent(value)}/năm`;
    case 'percent_per_month':
      return `${formatPercent(value)}/tháng`;
    case 'percent':
      return formatPercent(value);
    case 'months':
      return `${formatNumber(value)} tháng`;
    case 'years':
      return `${formatNumber(value)} năm`;
    case 'days':
      return `${formatNumber(value)} ngày`;
    case 'kg_per_month':
      return `${formatNumber(value)} kg/tháng`;
    default:
      return String(value);
  }
}
