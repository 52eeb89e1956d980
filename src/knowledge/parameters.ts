import path from 'node:path';
import { z } from 'zod';
import { KnowledgeError, describeZodError, listDataFiles, readDataFile } from '../util/data-file.ts';
import { type DatedValue, datedValueSchema, httpsUrl, type LegalBasis, VALUE_UNITS, type ValueUnit } from './schema.ts';

/**
 * Shared dated parameters, kept apart from the entries that use them (after OpenFisca's
 * `parameters/` tree): `knowledge/parameters/<folder>/<name>.yaml` is the parameter
 * `<folder>.<name>`, for example `vbsp/rates/poor_household.yaml` is `vbsp.rates.poor_household`.
 *
 * Each file is a dated series with its sources. A value is either a number or a formula over other
 * parameters ("derived values are formulas, not copied numbers"): the near-poor rate is
 * `vbsp.rates.poor_household * vbsp.ratios.near_poor / 100`. When the poor-household rate changes,
 * every rate that is a formula over it changes from the same day, in every entry that refers to it.
 *
 * A value applies from `from` up to `to`, or, without `to`, until the day before the next value starts.
 * An `index.yaml` in a folder describes the folder and is not a parameter.
 */

export const parameterFileSchema = z
  .object({
    description: z.string().min(3),
    unit: z.enum(VALUE_UNITS),
    /** Pages read for this parameter ("Always use the most official source"). */
    reference: z.array(httpsUrl).min(1, 'thiếu nguồn (reference)'),
    /** Optional longer explanation for editors. */
    documentation: z.string().optional(),
    values: z.array(datedValueSchema).min(1),
  })
  .strict();

export const parameterIndexSchema = z.object({ description: z.string(), documentation: z.string().optional() }).strict();

/** One shared parameter as loaded. */
export interface SharedParameter {
  id: string;
  description: string;
  unit: ValueUnit;
  reference: string[];
  documentation?: string;
  values: DatedValue[];
  /** File it was read from (for messages). */
  file?: string;
}

/** A value in force on a day, with its period and what it rests on. */
export interface ParameterValue {
  value: number | string;
  /** First day this exact value applies (for a formula: the latest start among its inputs). */
  from: string;
  /** Last day this exact value applies, when known. */
  to?: string;
  unconfirmed: boolean;
  /** A full basis, or (for an entry's own formula) an index into the entry's legal_basis. */
  basis?: LegalBasis | number;
  note?: string;
}

/** One stretch of a parameter's timeline with a constant value. */
export interface Segment extends ParameterValue {}

/** Parameters this value reads, and where a formula came from. */
type Expr =
  | { k: 'num'; v: number }
  | { k: 'ref'; id: string }
  | { k: 'neg'; a: Expr }
  | { k: 'bin'; op: '+' | '-' | '*' | '/'; a: Expr; b: Expr }
  | { k: 'call'; fn: 'min' | 'max'; args: Expr[] };

const FUNCTIONS = new Set(['min', 'max']);

/** Parses a formula: numbers, parameter ids (dotted), + - * /, parentheses, min(..), max(..). */
export function parseFormula(text: string): Expr {
  const tokens = text.match(/\d+(?:\.\d+)?|[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*|[-+*/(),]|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const fail = (msg: string): never => {
    throw new Error(`công thức "${text}": ${msg}`);
  };
  const primary = (): Expr => {
    const t = next();
    if (t === undefined) return fail('kết thúc bất ngờ');
    if (t === '(') {
      const e = sum();
      if (next() !== ')') fail('thiếu dấu ")"');
      return e;
    }
    if (t === '-') return { k: 'neg', a: primary() };
    if (/^\d/.test(t)) return { k: 'num', v: Number(t) };
    if (/^[a-z_]/.test(t)) {
      if (peek() === '(' && FUNCTIONS.has(t)) {
        next();
        const args: Expr[] = [sum()];
        while (peek() === ',') {
          next();
          args.push(sum());
        }
        if (next() !== ')') fail('thiếu dấu ")" sau đối số');
        return { k: 'call', fn: t as 'min' | 'max', args };
      }
      return { k: 'ref', id: t };
    }
    return fail(`ký hiệu không hiểu "${t}"`);
  };
  const product = (): Expr => {
    let e = primary();
    while (peek() === '*' || peek() === '/') {
      const op = next() as '*' | '/';
      e = { k: 'bin', op, a: e, b: primary() };
    }
    return e;
  };
  const sum = (): Expr => {
    let e = product();
    while (peek() === '+' || peek() === '-') {
      const op = next() as '+' | '-';
      e = { k: 'bin', op, a: e, b: product() };
    }
    return e;
  };
  const e = sum();
  if (i < tokens.length) fail(`thừa "${tokens[i]}"`);
  return e;
}

/** The parameter ids a formula reads. */
export function formulaRefs(text: string): string[] {
  const out = new Set<string>();
  const walk = (e: Expr) => {
    if (e.k === 'ref') out.add(e.id);
    else if (e.k === 'neg') walk(e.a);
    else if (e.k === 'bin') {
      walk(e.a);
      walk(e.b);
    } else if (e.k === 'call') e.args.forEach(walk);
  };
  walk(parseFormula(text));
  return [...out];
}

/** The next calendar day of an ISO date. */
export function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The previous calendar day of an ISO date. */
export function previousDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Items sorted by start, each with its effective end (explicit `to`, or the day before the next start). */
export function withEnds(values: DatedValue[]): Array<DatedValue & { end?: string }> {
  const sorted = [...values].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  return sorted.map((v, i) => {
    const next = sorted[i + 1];
    const implied = next ? previousDay(next.from) : undefined;
    const end = [v.to, implied].filter((d): d is string => Boolean(d)).sort()[0];
    return { ...v, end };
  });
}

const round = (n: number, decimals: number) => Number(n.toFixed(decimals));

/**
 * The tree of shared parameters. Immutable; `with(...)` returns a changed copy (what-if tests,
 * "move the start date of this value").
 */
export class ParameterTree {
  private readonly byId = new Map<string, SharedParameter>();
  private readonly parsed = new Map<string, Expr>();

  constructor(
    parameters: SharedParameter[] = [],
    /** Folder descriptions from `index.yaml` files, keyed by folder id ("vbsp.rates"). */
    readonly folders: Record<string, string> = {},
  ) {
    for (const p of parameters) {
      if (this.byId.has(p.id)) throw new KnowledgeError(`tham số "${p.id}" khai báo hai lần`);
      this.byId.set(p.id, p);
    }
  }

  /** Loads every parameter file under `dir` (an absent folder gives an empty tree). */
  static load(dir: string): ParameterTree {
    const params: SharedParameter[] = [];
    const folders: Record<string, string> = {};
    for (const file of listDataFiles(dir)) {
      const rel = path.relative(dir, file).replace(/\\/g, '/');
      const id = rel
        .replace(/\.(ya?ml|json)$/i, '')
        .split('/')
        .join('.');
      const raw = readDataFile(file);
      if (/(^|\/)index\.(ya?ml|json)$/i.test(rel)) {
        const parsed = parameterIndexSchema.safeParse(raw);
        if (!parsed.success) throw new KnowledgeError(`${rel}: ${describeZodError(parsed.error)}`);
        folders[id.replace(/\.?index$/, '')] = parsed.data.description;
        continue;
      }
      if (!/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(id)) {
        throw new KnowledgeError(`${rel}: tên tệp tham số chỉ gồm chữ thường, số và dấu gạch dưới`);
      }
      const parsed = parameterFileSchema.safeParse(raw);
      if (!parsed.success) throw new KnowledgeError(`parameters/${rel}: ${describeZodError(parsed.error)}`);
      params.push({ id, ...parsed.data, file: rel });
    }
    const tree = new ParameterTree(params, folders);
    const problems = tree.check();
    if (problems.length) throw new KnowledgeError(`knowledge/parameters: ${problems.join('; ')}`);
    return tree;
  }

  get(id: string): SharedParameter | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  all(): SharedParameter[] {
    return [...this.byId.values()];
  }

  /** A copy where parameter `id` has these values instead (tests: move a date, add a value). */
  with(id: string, values: DatedValue[]): ParameterTree {
    const p = this.byId.get(id);
    if (!p) throw new KnowledgeError(`không có tham số "${id}"`);
    return new ParameterTree(
      this.all().map((q) => (q.id === id ? { ...q, values } : q)),
      this.folders,
    );
  }

  /** Structural problems: unknown references, cycles, bad formulas, overlapping values. Empty when all is well. */
  check(): string[] {
    const problems: string[] = [];
    for (const p of this.byId.values()) {
      for (const v of p.values) {
        if (typeof v.basis === 'number') problems.push(`${p.id}: basis phải ghi đủ văn bản (instrument, url), không dùng số thứ tự`);
        if (v.formula === undefined) {
          if (p.unit !== 'text' && typeof v.value !== 'number') problems.push(`${p.id}: giá trị "${v.value}" phải là số`);
          continue;
        }
        try {
          for (const r of formulaRefs(v.formula))
            if (!this.byId.has(r)) problems.push(`${p.id}: công thức nhắc tới tham số "${r}" không có`);
        } catch (err) {
          problems.push(`${p.id}: ${(err as Error).message}`);
        }
      }
      const sorted = [...p.values].sort((a, b) => (a.from < b.from ? -1 : 1));
      sorted.forEach((v, i) => {
        if (v.to && v.to < v.from) problems.push(`${p.id}: giá trị từ ${v.from} có to ${v.to} trước from`);
        const next = sorted[i + 1];
        if (next && next.from === v.from) problems.push(`${p.id}: hai giá trị cùng bắt đầu ${v.from}`);
        if (next && v.to && v.to >= next.from)
          problems.push(`${p.id}: giá trị từ ${v.from} đến ${v.to} chồng lấn với giá trị từ ${next.from}`);
      });
    }
    if (!problems.length) {
      for (const p of this.byId.values()) {
        const cycle = this.findCycle(p.id, []);
        if (cycle) {
          problems.push(`vòng lặp công thức: ${cycle.join(' → ')}`);
          break;
        }
      }
    }
    return problems;
  }

  private findCycle(id: string, stack: string[]): string[] | null {
    if (stack.includes(id)) return [...stack.slice(stack.indexOf(id)), id];
    const p = this.byId.get(id);
    if (!p) return null;
    for (const v of p.values) {
      if (!v.formula) continue;
      for (const r of formulaRefs(v.formula)) {
        const c = this.findCycle(r, [...stack, id]);
        if (c) return c;
      }
    }
    return null;
  }

  /** Parameters that read `id` directly or through other formulas (not `id` itself). */
  dependentsOf(id: string): string[] {
    const out = new Set<string>();
    let frontier = [id];
    while (frontier.length) {
      const next: string[] = [];
      for (const p of this.byId.values()) {
        if (out.has(p.id)) continue;
        if (p.values.some((v) => v.formula && formulaRefs(v.formula).some((r) => frontier.includes(r)))) {
          out.add(p.id);
          next.push(p.id);
        }
      }
      frontier = next;
    }
    out.delete(id);
    return [...out];
  }

  private expr(formula: string): Expr {
    let e = this.parsed.get(formula);
    if (!e) {
      e = parseFormula(formula);
      this.parsed.set(formula, e);
    }
    return e;
  }

  /** The value of parameter `id` in force on `day` (ISO), or null when none applies. */
  at(id: string, day: string): ParameterValue | null {
    const p = this.byId.get(id);
    if (!p) throw new KnowledgeError(`không có tham số dùng chung "${id}"`);
    return this.evaluate(p.values, day, p.unit);
  }

  /**
   * Evaluates a list of dated values/formulas (a shared parameter's, or an entry's own) on `day`.
   * A formula's value applies from the latest start among the formula and its inputs, and to the
   * earliest end among them.
   */
  evaluate(values: DatedValue[], day: string, _unit: ValueUnit = 'text'): ParameterValue | null {
    const item = withEnds(values)
      .filter((v) => v.from <= day && (!v.end || v.end >= day))
      .pop();
    if (!item) return null;
    const basis = item.basis;
    if (item.formula === undefined) {
      return {
        value: item.value as number | string,
        from: item.from,
        to: item.end,
        unconfirmed: Boolean(item.unconfirmed),
        basis,
        note: item.note,
      };
    }
    let from = item.from;
    let to = item.end;
    let unconfirmed = Boolean(item.unconfirmed);
    const read = (e: Expr): number | null => {
      switch (e.k) {
        case 'num':
          return e.v;
        case 'ref': {
          const v = this.at(e.id, day);
          if (!v || typeof v.value !== 'number') return null;
          if (v.from > from) from = v.from;
          if (v.to && (!to || v.to < to)) to = v.to;
          if (v.unconfirmed) unconfirmed = true;
          return v.value;
        }
        case 'neg': {
          const a = read(e.a);
          return a === null ? null : -a;
        }
        case 'bin': {
          const a = read(e.a);
          const b = read(e.b);
          if (a === null || b === null) return null;
          return e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : a / b;
        }
        case 'call': {
          const args = e.args.map(read);
          if (args.some((x) => x === null)) return null;
          return e.fn === 'min' ? Math.min(...(args as number[])) : Math.max(...(args as number[]));
        }
      }
    };
    const n = read(this.expr(item.formula));
    if (n === null || !Number.isFinite(n)) return null;
    return { value: round(n, item.round ?? 6), from, to, unconfirmed, basis, note: item.note ?? `= ${item.formula}` };
  }

  /** Every day on which the value of `values` may change (starts and day-after-ends, inputs included). */
  breakpoints(values: DatedValue[], seen: Set<string> = new Set()): string[] {
    const out = new Set<string>();
    for (const v of withEnds(values)) {
      out.add(v.from);
      if (v.end) out.add(nextDay(v.end));
      if (v.formula) {
        for (const r of formulaRefs(v.formula)) {
          if (seen.has(r)) continue;
          const p = this.byId.get(r);
          if (!p) continue;
          for (const b of this.breakpoints(p.values, new Set([...seen, r]))) out.add(b);
        }
      }
    }
    return [...out].sort();
  }

  /**
   * The whole timeline of a list of dated values/formulas as constant stretches, each with its
   * own start and end: what an entry's `history` becomes when it refers to a shared parameter.
   */
  timeline(values: DatedValue[], unit: ValueUnit = 'text'): Segment[] {
    const segments: Segment[] = [];
    let open: Segment | null = null;
    let lastEval: ParameterValue | null = null;
    for (const day of this.breakpoints(values)) {
      const v = this.evaluate(values, day, unit);
      if (open && (!v || v.value !== open.value || v.unconfirmed !== open.unconfirmed || v.basis !== open.basis)) {
        open.to = previousDay(day);
        open = null;
      }
      if (v && !open) {
        open = { ...v, from: day, to: undefined };
        segments.push(open);
      }
      lastEval = v;
    }
    // The last stretch ends where the values evaluated on its last change day end (if they do).
    if (open && lastEval?.to) open.to = lastEval.to;
    return segments;
  }

  /** The timeline of shared parameter `id`. */
  timelineOf(id: string): Segment[] {
    const p = this.byId.get(id);
    if (!p) throw new KnowledgeError(`không có tham số dùng chung "${id}"`);
    return this.timeline(p.values, p.unit);
  }
}
