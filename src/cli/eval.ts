import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config.ts';
import { ANSWER_THRESHOLD } from '../core/respond.ts';
import { monotonicMs } from '../time/clock.ts';

/**
 * `npm run eval [-- file.jsonl]`: runs the batch interface (`ask --jsonl`) over the development question
 * set and prints topic accuracy (overall, per topic, per style), a confusion table, out-of-scope
 * precision/recall, wrongly declined in-scope questions, the confident-and-wrong rate, and the share of
 * statistics answers containing their required figures. Writes a per-question report to reports/.
 */
interface EvalLine {
  id: string;
  /** Fact probes: alternatives, each a list of strings that must all appear in the answer. */
  expect_any?: string[][];
  /** Fact probes: strings that reveal an outdated or wrong figure. */
  expect_none?: string[];
  question?: string;
  dialogue?: string[];
  topic: string;
  household: string | null;
  styles: string[];
  must_mention?: string[];
}
interface Answer {
  id: string;
  topic: string;
  household: string | null;
  confidence: number;
  answer: string;
  error?: string;
}

const DECLINE_MARKERS = ['nằm ngoài phạm vi', 'em chưa hiểu rõ'];
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');
const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').toLowerCase();

async function runBatch(input: string): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli/ask.ts'), '--jsonl'], {
      cwd: PROJECT_ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ask --jsonl exited with ${code}`));
      resolve(
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Answer),
      );
    });
    child.stdin.end(input);
  });
}

async function main() {
  const file =
    process.argv.slice(2).find((a) => a.endsWith('.jsonl')) ?? path.resolve(PROJECT_ROOT, '..', 'shared', 'eval', 'dev-questions.jsonl');
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EvalLine);
  const started = monotonicMs();
  const answers = await runBatch(
    lines.map((l) => JSON.stringify({ id: l.id, question: l.question, dialogue: l.dialogue })).join('\n') + '\n',
  );
  const seconds = (monotonicMs() - started) / 1000;
  const byId = new Map(answers.map((a) => [String(a.id), a]));

  const topics = [...new Set(lines.map((l) => l.topic))].sort();
  const perTopic = new Map<string, [number, number]>();
  const perStyle = new Map<string, [number, number]>();
  const confusion = new Map<string, Map<string, number>>();
  let correct = 0,
    confidentWrong = 0,
    inScope = 0,
    declinedInScope = 0;
  let oosTp = 0,
    oosFp = 0,
    oosFn = 0;
  let statsLines = 0,
    statsOk = 0;
  let probes = 0,
    probesOk = 0;
  const probeFailures: string[] = [];
  const report: unknown[] = [];
  for (const l of lines) {
    const a = byId.get(l.id);
    const predicted = a?.topic ?? 'missing';
    const ok = predicted === l.topic;
    if (ok) correct++;
    const t = perTopic.get(l.topic) ?? [0, 0];
    perTopic.set(l.topic, [t[0] + (ok ? 1 : 0), t[1] + 1]);
    for (const s of l.styles ?? []) {
      const v = perStyle.get(s) ?? [0, 0];
      perStyle.set(s, [v[0] + (ok ? 1 : 0), v[1] + 1]);
    }
    const row = confusion.get(l.topic) ?? new Map();
    row.set(predicted, (row.get(predicted) ?? 0) + 1);
    confusion.set(l.topic, row);
    if (!ok && (a?.confidence ?? 0) >= ANSWER_THRESHOLD) confidentWrong++;
    const declined = predicted === 'out_of_scope' || DECLINE_MARKERS.some((m) => (a?.answer ?? '').includes(m));
    if (l.topic !== 'out_of_scope') {
      inScope++;
      if (declined) declinedInScope++;
    }
    if (l.topic === 'out_of_scope' && predicted === 'out_of_scope') oosTp++;
    if (l.topic !== 'out_of_scope' && predicted === 'out_of_scope') oosFp++;
    if (l.topic === 'out_of_scope' && predicted !== 'out_of_scope') oosFn++;
    let mentionOk: boolean | null = null;
    if (l.topic === 'statistics' && l.must_mention?.length) {
      statsLines++;
      const text = norm(a?.answer ?? '');
      mentionOk = l.must_mention!.every((m) => text.includes(norm(m)));
      if (mentionOk) statsOk++;
    }
    let probeOk: boolean | null = null;
    if (l.expect_any) {
      probes++;
      const text = norm(a?.answer ?? '');
      probeOk =
        l.expect_any.some((alt) => alt.every((x) => text.includes(norm(x)))) && !(l.expect_none ?? []).some((x) => text.includes(norm(x)));
      if (probeOk) probesOk++;
      else probeFailures.push(`${l.id}: ${l.question ?? ''}`);
    }
    report.push({
      id: l.id,
      expected: l.topic,
      predicted,
      ok,
      confidence: a?.confidence,
      styles: l.styles ?? [],
      mentionOk,
      probeOk,
      question: l.question ?? l.dialogue,
      answer: a?.answer,
    });
  }

  const out: string[] = [];
  out.push(`Bộ câu hỏi: ${path.basename(file)} (${lines.length} dòng, ${seconds.toFixed(1)} s)`);
  out.push(`Topic accuracy: ${pct(correct, lines.length)} (${correct}/${lines.length})`);
  out.push(`Confident and wrong (confidence ≥ ${ANSWER_THRESHOLD}): ${pct(confidentWrong, lines.length)} (${confidentWrong})`);
  out.push(`Out-of-scope precision: ${pct(oosTp, oosTp + oosFp)}  recall: ${pct(oosTp, oosTp + oosFn)}`);
  out.push(`In-scope wrongly declined: ${pct(declinedInScope, inScope)} (${declinedInScope}/${inScope})`);
  out.push(`Statistics answers with all must_mention figures: ${pct(statsOk, statsLines)} (${statsOk}/${statsLines})`);
  if (probes) {
    out.push(`Fact probes answered with the current figure: ${pct(probesOk, probes)} (${probesOk}/${probes})`);
    for (const f of probeFailures) out.push(`  failed ${f}`);
  }
  out.push('');
  out.push('Per topic:');
  for (const t of topics) {
    const [a, b] = perTopic.get(t)!;
    out.push(`  ${t.padEnd(20)} ${pct(a, b).padStart(6)} (${a}/${b})`);
  }
  out.push('Per style:');
  for (const [s, [a, b]] of [...perStyle.entries()].sort()) out.push(`  ${s.padEnd(20)} ${pct(a, b).padStart(6)} (${a}/${b})`);
  out.push('');
  out.push('Confusion (rows = expected, columns = predicted):');
  const cols = [...new Set([...topics, ...answers.map((a) => a.topic)])].sort();
  const abbr = (t: string) => t.slice(0, 6);
  out.push('  ' + ''.padEnd(20) + cols.map((c) => abbr(c).padStart(7)).join(''));
  for (const t of topics) out.push('  ' + t.padEnd(20) + cols.map((c) => String(confusion.get(t)?.get(c) ?? '.').padStart(7)).join(''));
  const reportDir = path.join(PROJECT_ROOT, 'reports');
  mkdirSync(reportDir, { recursive: true });
  const reportFile = path.join(reportDir, 'eval-report.jsonl');
  writeFileSync(reportFile, report.map((r) => JSON.stringify(r)).join('\n') + '\n');
  out.push('');
  out.push(`Per-question report: ${path.relative(process.cwd(), reportFile)}`);
  console.log(out.join('\n'));
}

main().catch((err) => {
  console.error(`eval failed: ${(err as Error).message}`);
  process.exit(1);
});
