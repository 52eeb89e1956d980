/**
 * Batch and one-off poverty classification for commune staff.
 *
 *   npm run --silent check -- --jsonl < households.jsonl > results.jsonl
 *     one JSON object per input line → exactly one JSON object per output line, nothing else on stdout.
 *   npm run --silent check -- --area rural --members 4 --income 6000000 --lacks water,sanitation [--date 2026-12-31]
 *     a readable explanation for one household.
 *
 * Options: --standards <dir> (default knowledge/standards). TODAY=YYYY-MM-DD overrides today's date.
 */
import readline from 'node:readline';
import { isoDateInVietnam } from '../format/vi.ts';
import { loadStandards } from '../eligibility/standards.ts';
import { DEFAULT_STANDARDS_DIR } from '../eligibility/entitlements.ts';
import { checkLine, checkRecord } from '../eligibility/batch.ts';
import { systemClock } from '../time/clock.ts';
import { categoryLabel } from '../eligibility/classify.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function today(): string {
  const env = process.env.TODAY;
  return env && /^\d{4}-\d{2}-\d{2}$/.test(env) ? env : isoDateInVietnam(systemClock.answerTime());
}

async function runJsonl(): Promise<void> {
  const standards = loadStandards(arg('standards') ?? DEFAULT_STANDARDS_DIR);
  const day = today();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    const out = checkLine(line, standards, day);
    if (!process.stdout.write(JSON.stringify(out) + '\n')) await new Promise((r) => process.stdout.once('drain', r));
  }
}

function runOne(): void {
  const standards = loadStandards(arg('standards') ?? DEFAULT_STANDARDS_DIR);
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const record = {
    id: 'cli',
    date: arg('date'),
    area: arg('area'),
    members: num(arg('members')),
    monthly_income_vnd: num(arg('income')),
    income_per_capita_vnd: num(arg('per-capita')),
    deprivations: arg('lacks')
      ? arg('lacks')!
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  };
  const out = checkRecord(JSON.parse(JSON.stringify(record)), standards, today());
  if ('error' in out) {
    console.error(`Lỗi: ${out.error}`);
    process.exitCode = 2;
    return;
  }
  console.log(`Kết quả: ${categoryLabel(out.category)} (${out.standard}; ${out.legal_basis})`);
  for (const r of out.reasons) console.log(`• ${r}`);
  for (const c of out.cautions) console.log(`Lưu ý: ${c}`);
  console.log(out.disclaimer);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.error(
      'Dùng: npm run --silent check -- --jsonl < vao.jsonl   hoặc   --area rural --members 4 --income 6000000 --lacks water,sanitation',
    );
    return;
  }
  if (process.argv.includes('--jsonl')) await runJsonl();
  else if (arg('area')) runOne();
  else {
    console.error('Thiếu tham số. Dùng --jsonl (đọc JSON từng dòng từ stdin) hoặc --area/--members/--income/--lacks. Xem --help.');
    process.exitCode = 2;
  }
}

main().catch((err) => {
  console.error(`Lỗi: ${(err as Error).message}`);
  process.exitCode = 1;
});
