import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Citation } from '../domain/types.ts';
import { formatDate, formatNumber, formatPercent, formatVnd, formatVndCompact, isoDateInVietnam } from '../format/vi.ts';
import { describeZodError, KnowledgeError, listDataFiles, readDataFile } from '../util/data-file.ts';
import { formulaRefs, ParameterTree } from './parameters.ts';
import { type DatedValue, isResolvedParam, type LegalBasis, type Parameter, type PolicyEntry, policyFileSchema } from './schema.ts';

export { describeZodError, KnowledgeError, listDataFiles, readDataFile } from '../util/data-file.ts';
export { ParameterTree } from './parameters.ts';

/** A parameter value selected for a date, with what it rests on. */
export interface ResolvedValue {
  value: number | string;
  from: string;
  to?: string;
  unconfirmed: boolean;
  basis?: LegalBasis;
}

export interface LoadOptions {
  /** Folder of shared dated parameters; default `<dir>/../parameters` when it exists. */
  parametersDir?: string;
  /** An already loaded (or changed) tree, used instead of reading `parametersDir`. */
  parameters?: ParameterTree;
}

/** Where an entry's param reads a shared parameter, directly or through a formula. */
export interface Dependent {
  entryId: string;
  param: string;
}

/**
 * The policy knowledge base: entries loaded from `knowledge/policies`, validated, indexed by id,
 * with dated parameters selected by date and rendered the Vietnamese way. Params that refer to the
 * shared tree (`knowledge/parameters`) or are formulas over it get their dated history computed at
 * load, so one change in the tree changes every answer that depends on it, from its start date.
 */
export class KnowledgeBase {
  readonly entries: PolicyEntry[];
  readonly parameters: ParameterTree;
  private readonly byId = new Map<string, PolicyEntry>();

  constructor(entries: PolicyEntry[], parameters?: ParameterTree) {
    this.parameters = parameters ?? new ParameterTree();
    this.entries = entries.map((e) => resolveEntry(e, parameters));
    for (const e of this.entries) this.byId.set(e.id, e);
  }

  /** Loads every policy file under `dir`; throws a KnowledgeError naming file, entry and field. */
  static load(dir: string, options: LoadOptions = {}): KnowledgeBase {
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
    let tree = options.parameters;
    if (!tree) {
      const pdir = options.parametersDir ?? path.join(dir, '..', 'parameters');
      tree = existsSync(pdir) ? ParameterTree.load(pdir) : new ParameterTree();
    }
    return new KnowledgeBase(entries, tree);
  }

  /** The same entries over another parameter tree (what-if: a moved date, a new value). */
  withParameters(parameters: ParameterTree): KnowledgeBase {
    return new KnowledgeBase(this.entries, parameters);
  }

  get(id: string): PolicyEntry | undefined {
    return this.byId.get(id);
  }

  /** An entry's param with its dated history (refs and formulas already resolved). */
  param(entry: PolicyEntry, name: string): Parameter | undefined {
    const p = entry.params[name];
    return isResolvedParam(p) ? p : undefined;
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
    const p = this.param(entry, param);
    if (!p) return null;
    const today = isoDateInVietnam(now);
    const hit = p.history.filter((h) => h.from <= today && (!h.to || h.to >= today)).sort((a, b) => (a.from < b.from ? 1 : -1))[0];
    if (!hit) return null;
    return toResolved(entry, hit);
  }

  /** The value that applied just before the current one (for "trước đây ... nay ..."). */
  previousValue(entry: PolicyEntry, param: string, now: Date): ResolvedValue | null {
    const current = this.valueAt(entry, param, now);
    const p = this.param(entry, param);
    if (!current || !p) return null;
    const before = p.history.filter((h) => h.from < current.from).sort((a, b) => (a.from < b.from ? 1 : -1))[0];
    if (!before) return null;
    return toResolved(entry, before);
  }

  /**
   * Fills `{param}`, `{param.month}` (a yearly rate as monthly), `{param.from}` (the date it applies
   * from), `{param.prev}`, `{param.prev_to}` and `{param.exact}` (the amount in full) in a template
   * with the values in force on `now`. A placeholder with no value that day becomes
   * "(chưa có mức áp dụng)" rather than a guess.
   */
  render(entry: PolicyEntry, template: string, now: Date): string {
    return template.replace(/\{([a-z0-9_]+)(?:\.(month|from|prev|prev_to|exact))?\}/g, (_m, name: string, mod?: string) => {
      const p = this.param(entry, name);
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

  /**
   * Citations for an entry: its legal bases, each instrument and article once, with its effective
   * date and link. An instrument that has ended (effective_to before `now`, or before the entry's
   * last check when no day is given) is not cited as current: it is left out of the citations of an
   * entry in force, and kept (with its end date in the text) only for an entry that has itself ended.
   */
  citations(entry: PolicyEntry, now?: Date): Citation[] {
    const day = now ? isoDateInVietnam(now) : entry.last_verified;
    const entryEnded = entry.status === 'ended' || entry.status === 'superseded';
    const out: Citation[] = [];
    const seen = new Set<string>();
    for (const b of entry.legal_basis) {
      const ended = Boolean(b.effective_to && b.effective_to < day);
      if (ended && !entryEnded) continue;
      const key = `${b.instrument}|${b.article ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        instrument: ended && b.effective_to ? `${b.instrument} (hết hiệu lực từ ${formatDate(nextIso(b.effective_to))})` : b.instrument,
        article: b.article,
        effectiveFrom: b.effective_from,
        url: b.url ?? entry.sources[0],
      });
    }
    return out;
  }

  /** Entries whose params read shared parameter `id`, directly or through other shared formulas. */
  dependents(id: string): Dependent[] {
    const ids = new Set([id, ...this.parameters.dependentsOf(id)]);
    const out: Dependent[] = [];
    for (const e of this.entries) {
      for (const [name, p] of Object.entries(e.params)) {
        const reads = new Set<string>();
        if (p.ref) reads.add(p.ref);
        const formulas = isResolvedParam(p) ? (p.source ?? p.history) : [];
        for (const v of formulas) if (v.formula) for (const r of formulaRefs(v.formula)) reads.add(r);
        if ([...reads].some((r) => ids.has(r))) out.push({ entryId: e.id, param: name });
      }
    }
    return out;
  }
}

function nextIso(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function toResolved(entry: PolicyEntry, h: DatedValue): ResolvedValue {
  const basis = typeof h.basis === 'number' ? entry.legal_basis[h.basis] : h.basis;
  return { value: h.value as number | string, from: h.from, to: h.to, unconfirmed: Boolean(h.unconfirmed), basis };
}

/**
 * Gives every param of an entry its dated history: a `ref` takes the shared parameter's timeline;
 * a history with formulas is evaluated over the tree into constant stretches (the formulas are
 * kept in `source`, so the entry can be resolved again over a changed tree).
 */
function resolveEntry(entry: PolicyEntry, tree: ParameterTree | undefined): PolicyEntry {
  let changed = false;
  const params: Record<string, Parameter> = {};
  for (const [name, spec] of Object.entries(entry.params)) {
    const where = `${entry.id}: params.${name}`;
    const formulas = isResolvedParam(spec) ? (spec.source ?? (spec.history.some((h) => h.formula) ? spec.history : undefined)) : undefined;
    if (spec.ref && tree) {
      const shared = tree.get(spec.ref);
      if (!shared) throw new KnowledgeError(`${where}: tham số dùng chung "${spec.ref}" không có trong knowledge/parameters`);
      params[name] = {
        label: spec.label ?? shared.description,
        unit: spec.unit ?? shared.unit,
        ref: spec.ref,
        history: tree.timelineOf(spec.ref).map(segmentToValue),
      };
      changed = true;
    } else if (formulas && tree) {
      const p = spec as Parameter;
      try {
        params[name] = { label: p.label, unit: p.unit, source: formulas, history: tree.timeline(formulas, p.unit).map(segmentToValue) };
      } catch (err) {
        throw new KnowledgeError(`${where}: ${(err as Error).message}`);
      }
      changed = true;
    } else if (isResolvedParam(spec) && !spec.history.some((h) => h.formula)) {
      params[name] = spec;
    } else {
      throw new KnowledgeError(`${where}: cần cây tham số dùng chung (knowledge/parameters) để tính`);
    }
  }
  return changed ? { ...entry, params } : entry;
}

function segmentToValue(s: {
  value: number | string;
  from: string;
  to?: string;
  unconfirmed: boolean;
  basis?: LegalBasis | number;
  note?: string;
}): DatedValue {
  const v: DatedValue = { value: s.value, from: s.from };
  if (s.to) v.to = s.to;
  if (s.basis !== undefined) v.basis = s.basis;
  if (s.note) v.note = s.note;
  if (s.unconfirmed) v.unconfirmed = true;
  return v;
}

/** Formats one parameter value according to its unit. */
export function formatParam(p: Pick<Parameter, 'unit'>, value: number | string): string {
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
