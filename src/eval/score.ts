/**
 * Scoring of answers against a labelled evaluation set: topic accuracy (overall, per topic, per
 * style), the confusion table, out-of-scope precision and recall, wrongly declined in-scope questions,
 * confident-and-wrong and clarification shares, statistics figures found, fact probes.
 */

export interface EvalLine {
  id: string;
  /** Fact probes: alternatives, each a list of strings that must all appear in the answer. */
  expect_any?: string[][];
  /** Fact probes: strings that reveal an outdated or wrong figure. */
  expect_none?: string[];
  question?: string;
  dialogue?: string[];
  topic: string;
  household?: string | null;
  styles?: string[];
  must_mention?: string[];
  /** Entry-labelled sets: the knowledge entry that should answer. */
  entry?: string;
  /** Entry-labelled sets: other entries that answer it just as well. */
  also?: string[];
}

export interface Answer {
  id: string;
  topic: string;
  household: string | null;
  confidence: number;
  /** The knowledge entry the answer came from (null for statistics, the guided check, declines). */
  entry?: string | null;
  answer: string;
  error?: string;
}

export interface SetScore {
  lines: number;
  correct: number;
  confidentWrong: number;
  clarified: number;
  inScope: number;
  declinedInScope: number;
  oos: { tp: number; fp: number; fn: number };
  stats: { lines: number; ok: number };
  probes: { lines: number; ok: number; failures: string[] };
  /** Entry-labelled lines: answered from the right entry, and answered confidently from a wrong one. */
  entries: { lines: number; ok: number; confidentWrong: number };
  perTopic: Map<string, [number, number]>;
  perStyle: Map<string, [number, number]>;
  confusion: Map<string, Map<string, number>>;
  rows: Array<Record<string, unknown>>;
}

const DECLINE_MARKERS = ['nằm ngoài phạm vi', 'em chưa hiểu rõ'];
const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').toLowerCase();

export const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');

/** Scores one set's answers (`byId`) against its lines; `threshold` is the engine's answer threshold. */
export function scoreSet(lines: EvalLine[], byId: Map<string, Answer>, threshold: number): SetScore {
  const s: SetScore = {
    lines: lines.length,
    correct: 0,
    confidentWrong: 0,
    clarified: 0,
    inScope: 0,
    declinedInScope: 0,
    oos: { tp: 0, fp: 0, fn: 0 },
    stats: { lines: 0, ok: 0 },
    probes: { lines: 0, ok: 0, failures: [] },
    entries: { lines: 0, ok: 0, confidentWrong: 0 },
    perTopic: new Map(),
    perStyle: new Map(),
    confusion: new Map(),
    rows: [],
  };
  for (const l of lines) {
    const a = byId.get(l.id);
    const predicted = a?.topic ?? 'missing';
    const ok = predicted === l.topic;
    if (ok) s.correct++;
    const t = s.perTopic.get(l.topic) ?? [0, 0];
    s.perTopic.set(l.topic, [t[0] + (ok ? 1 : 0), t[1] + 1]);
    for (const st of l.styles ?? []) {
      const v = s.perStyle.get(st) ?? [0, 0];
      s.perStyle.set(st, [v[0] + (ok ? 1 : 0), v[1] + 1]);
    }
    const row = s.confusion.get(l.topic) ?? new Map<string, number>();
    row.set(predicted, (row.get(predicted) ?? 0) + 1);
    s.confusion.set(l.topic, row);
    const confidence = a?.confidence ?? 0;
    if (!ok && confidence >= threshold) s.confidentWrong++;
    if (confidence < threshold) s.clarified++;
    const declined = predicted === 'out_of_scope' || DECLINE_MARKERS.some((m) => (a?.answer ?? '').includes(m));
    if (l.topic !== 'out_of_scope') {
      s.inScope++;
      if (declined) s.declinedInScope++;
    }
    if (l.topic === 'out_of_scope' && predicted === 'out_of_scope') s.oos.tp++;
    if (l.topic !== 'out_of_scope' && predicted === 'out_of_scope') s.oos.fp++;
    if (l.topic === 'out_of_scope' && predicted !== 'out_of_scope') s.oos.fn++;
    let mentionOk: boolean | null = null;
    if (l.topic === 'statistics' && l.must_mention?.length) {
      s.stats.lines++;
      const text = norm(a?.answer ?? '');
      mentionOk = l.must_mention.every((m) => text.includes(norm(m)));
      if (mentionOk) s.stats.ok++;
    }
    let probeOk: boolean | null = null;
    if (l.expect_any) {
      s.probes.lines++;
      const text = norm(a?.answer ?? '');
      probeOk =
        l.expect_any.some((alt) => alt.every((x) => text.includes(norm(x)))) && !(l.expect_none ?? []).some((x) => text.includes(norm(x)));
      if (probeOk) s.probes.ok++;
      else s.probes.failures.push(`${l.id}: ${l.question ?? ''}`);
    }
    let entryOk: boolean | null = null;
    if (l.entry) {
      s.entries.lines++;
      const got = a?.entry ?? null;
      entryOk = got !== null && (got === l.entry || (l.also ?? []).includes(got));
      if (entryOk) s.entries.ok++;
      else if (got !== null && confidence >= threshold) s.entries.confidentWrong++;
    }
    s.rows.push({
      id: l.id,
      expected: l.topic,
      predicted,
      ok,
      ...(l.entry ? { expectedEntry: l.entry, entry: a?.entry ?? null, entryOk } : {}),
      confidence: a?.confidence,
      styles: l.styles ?? [],
      mentionOk,
      probeOk,
      question: l.question ?? l.dialogue,
      answer: a?.answer,
    });
  }
  return s;
}

/** The detailed report of one set, as printed by `npm run eval -- <file>`. */
export function detailLines(name: string, s: SetScore, threshold: number, seconds: number): string[] {
  const out: string[] = [];
  out.push(`Bộ câu hỏi: ${name} (${s.lines} dòng, ${seconds.toFixed(1)} s)`);
  out.push(`Topic accuracy: ${pct(s.correct, s.lines)} (${s.correct}/${s.lines})`);
  out.push(`Confident and wrong (confidence ≥ ${threshold}): ${pct(s.confidentWrong, s.lines)} (${s.confidentWrong})`);
  out.push(`Clarifications (confidence < ${threshold}): ${pct(s.clarified, s.lines)} (${s.clarified})`);
  out.push(`Out-of-scope precision: ${pct(s.oos.tp, s.oos.tp + s.oos.fp)}  recall: ${pct(s.oos.tp, s.oos.tp + s.oos.fn)}`);
  out.push(`In-scope wrongly declined: ${pct(s.declinedInScope, s.inScope)} (${s.declinedInScope}/${s.inScope})`);
  out.push(`Statistics answers with all must_mention figures: ${pct(s.stats.ok, s.stats.lines)} (${s.stats.ok}/${s.stats.lines})`);
  if (s.entries.lines) {
    out.push(`Answered from the right entry: ${pct(s.entries.ok, s.entries.lines)} (${s.entries.ok}/${s.entries.lines})`);
    out.push(`Confidently answered from a wrong entry: ${pct(s.entries.confidentWrong, s.entries.lines)} (${s.entries.confidentWrong})`);
  }
  if (s.probes.lines) {
    out.push(`Fact probes answered with the current figure: ${pct(s.probes.ok, s.probes.lines)} (${s.probes.ok}/${s.probes.lines})`);
    for (const f of s.probes.failures) out.push(`  failed ${f}`);
  }
  const topics = [...s.perTopic.keys()].sort();
  out.push('');
  out.push('Per topic:');
  for (const t of topics) {
    const [a, b] = s.perTopic.get(t)!;
    out.push(`  ${t.padEnd(20)} ${pct(a, b).padStart(6)} (${a}/${b})`);
  }
  out.push('Per style:');
  for (const [st, [a, b]] of [...s.perStyle.entries()].sort()) out.push(`  ${st.padEnd(20)} ${pct(a, b).padStart(6)} (${a}/${b})`);
  out.push('');
  out.push('Confusion (rows = expected, columns = predicted):');
  const cols = [...new Set([...topics, ...[...s.confusion.values()].flatMap((m) => [...m.keys()])])].sort();
  const abbr = (t: string) => t.slice(0, 6);
  out.push(`  ${''.padEnd(20)}${cols.map((c) => abbr(c).padStart(7)).join('')}`);
  for (const t of topics) out.push(`  ${t.padEnd(20)}${cols.map((c) => String(s.confusion.get(t)?.get(c) ?? '.').padStart(7)).join('')}`);
  return out;
}
