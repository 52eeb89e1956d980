import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { PROJECT_ROOT } from '../config.ts';
import { ANSWER_THRESHOLD } from '../core/respond.ts';
import { stripDiacritics } from '../nlu/text.ts';
import { monotonicMs } from '../time/clock.ts';
import { type Answer, detailLines, type EvalLine, pct, type SetScore, scoreSet } from '../eval/score.ts';

/**
 * `npm run eval`: answer quality on every evaluation set listed in eval/sets.yaml, side by side, each
 * as written and with accents stripped, with the figure each set gave when it was first measured.
 * `npm run eval -- <file.jsonl>`: the detailed report of one set (per topic, per style, confusion).
 * Answers come from the batch interface (`ask --jsonl`), exactly as an integrator would get them.
 * Writes a per-question report to reports/eval-report.jsonl.
 */
const setsSchema = z.object({
  sets: z.array(
    z.object({
      name: z.string(),
      file: z.string(),
      note: z.string().optional(),
      tuned_on: z.boolean().default(false),
      first_measured: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
    }),
  ),
});

function readLines(file: string): EvalLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EvalLine);
}

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

const strip = (l: EvalLine): EvalLine => ({
  ...l,
  question: l.question === undefined ? undefined : stripDiacritics(l.question),
  dialogue: l.dialogue?.map(stripDiacritics),
});

function writeReport(rows: unknown[]): string {
  const dir = path.join(PROJECT_ROOT, 'reports');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'eval-report.jsonl');
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

async function one(file: string): Promise<void> {
  const lines = readLines(file);
  const started = monotonicMs();
  const answers = await runBatch(
    lines.map((l) => JSON.stringify({ id: l.id, question: l.question, dialogue: l.dialogue })).join('\n') + '\n',
  );
  const seconds = (monotonicMs() - started) / 1000;
  const s = scoreSet(lines, new Map(answers.map((a) => [String(a.id), a])), ANSWER_THRESHOLD);
  const out = detailLines(path.basename(file), s, ANSWER_THRESHOLD, seconds);
  out.push('', `Per-question report: ${path.relative(process.cwd(), writeReport(s.rows))}`);
  console.log(out.join('\n'));
}

/** Right-entry share, as written / without accents, for sets labelled with entries. */
function entryCell(a: SetScore, u: SetScore): string {
  if (!a.entries.lines) return 'n/a';
  const n = (s: SetScore) => ((100 * s.entries.ok) / s.entries.lines).toFixed(1);
  return `${n(a)}/${n(u)}%`;
}

async function all(): Promise<void> {
  const registry = setsSchema.parse(YAML.parse(readFileSync(path.join(PROJECT_ROOT, 'eval', 'sets.yaml'), 'utf8')));
  const sets = registry.sets
    .map((s) => ({ ...s, path: path.resolve(PROJECT_ROOT, s.file) }))
    .filter((s) => existsSync(s.path))
    .map((s) => ({ ...s, lines: readLines(s.path) }));
  // One batch for every set, as written and without accents: ids carry the set and the variant.
  const input: string[] = [];
  for (const s of sets)
    for (const l of s.lines)
      for (const [variant, line] of [
        ['a', l],
        ['u', strip(l)],
      ] as const)
        input.push(JSON.stringify({ id: `${s.name}|${variant}|${l.id}`, question: line.question, dialogue: line.dialogue }));
  const started = monotonicMs();
  const answers = await runBatch(input.join('\n') + '\n');
  const seconds = (monotonicMs() - started) / 1000;
  const byKey = new Map(answers.map((a) => [String(a.id), a]));
  const rows: unknown[] = [];
  const out: string[] = [];
  out.push(
    `Chất lượng trả lời trên ${sets.length} bộ đánh giá (${input.length} lượt, ${seconds.toFixed(1)} s). Không bộ nào được dùng để huấn luyện.`,
  );
  out.push('');
  out.push(
    `${'bộ'.padEnd(8)}${'dòng'.padStart(6)}${'có dấu'.padStart(9)}${'không dấu'.padStart(11)}${'tự tin sai'.padStart(12)}${'hỏi lại'.padStart(9)}${'số liệu'.padStart(9)}${'dữ kiện'.padStart(9)}${'mục đúng'.padStart(15)}  lần đo đầu          đã chỉnh theo bộ này`,
  );
  for (const s of sets) {
    const variant = (v: string) =>
      scoreSet(
        s.lines,
        new Map(s.lines.map((l) => [l.id, byKey.get(`${s.name}|${v}|${l.id}`)!]).filter(([, a]) => a) as Array<[string, Answer]>),
        ANSWER_THRESHOLD,
      );
    const a = variant('a');
    const u = variant('u');
    for (const r of a.rows) rows.push({ set: s.name, variant: 'accented', ...r });
    for (const r of u.rows) rows.push({ set: s.name, variant: 'unaccented', ...r });
    const first = s.first_measured ? `${s.first_measured.accuracy}%${s.first_measured.date ? ` (${s.first_measured.date})` : ''}` : '—';
    out.push(
      `${s.name.padEnd(8)}${String(s.lines.length).padStart(6)}${pct(a.correct, a.lines).padStart(9)}${pct(u.correct, u.lines).padStart(11)}${pct(a.confidentWrong, a.lines).padStart(12)}${pct(a.clarified, a.lines).padStart(9)}${pct(a.stats.ok, a.stats.lines).padStart(9)}${pct(a.probes.ok, a.probes.lines).padStart(9)}${entryCell(a, u).padStart(15)}  ${first.padEnd(20)}${s.tuned_on ? 'có' : 'không (đo trước khi sửa)'}`,
    );
  }
  out.push('');
  out.push(
    'Cột: độ chính xác chủ đề (có dấu / bỏ hết dấu), tỷ lệ trả lời tự tin mà sai, tỷ lệ hỏi lại, câu số liệu đủ con số, câu hỏi dữ kiện đúng con số hiện hành, câu trả lời lấy từ đúng mục kiến thức (có dấu / không dấu; bộ có nhãn mục).',
  );
  out.push(`Chi tiết một bộ: npm run eval -- <tệp.jsonl>. Từng câu: ${path.relative(process.cwd(), writeReport(rows))}`);
  console.log(out.join('\n'));
}

const file = process.argv.slice(2).find((a) => a.endsWith('.jsonl'));
(file ? one(path.resolve(file)) : all()).catch((err) => {
  console.error(`eval failed: ${(err as Error).message}`);
  process.exit(1);
});
