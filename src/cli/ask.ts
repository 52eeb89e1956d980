import readline from 'node:readline';
import { z } from 'zod';
import { loadConfig, loadDotEnv, ConfigError } from '../config.ts';
import { silentLogger } from '../observability/logger.ts';
import { buildCore } from '../app/bootstrap.ts';
import { renderPlain } from '../channels/cli/render.ts';
import type { TurnResult } from '../domain/types.ts';

/**
 * `npm run ask -- "câu hỏi"` prints the answer as a person would read it.
 * `npm run --silent ask -- --jsonl` reads {"id","question"} or {"id","dialogue":[...]} lines from stdin
 * and writes exactly one JSON line per input: {"id","topic","household","confidence","entry","answer","citations"}.
 */
const lineSchema = z.union([
  z.object({ id: z.union([z.string(), z.number()]), question: z.string() }).passthrough(),
  z.object({ id: z.union([z.string(), z.number()]), dialogue: z.array(z.string()).min(1) }).passthrough(),
]);

function output(id: unknown, r: TurnResult) {
  return {
    id,
    topic: r.topic,
    household: r.household,
    confidence: Number(r.confidence.toFixed(3)),
    entry: r.entry ?? null,
    answer: renderPlain(r.replies, { buttons: false }),
    citations: r.replies.flatMap((x) => x.citations ?? []),
  };
}

async function main() {
  await loadDotEnv();
  const config = loadConfig({ ...process.env, DATA_DIR: process.env.DATA_DIR });
  const args = process.argv.slice(2);
  const jsonl = args.includes('--jsonl');
  const core = await buildCore(config, silentLogger(), { persistSessions: false });
  try {
    if (!jsonl) {
      const question = args
        .filter((a) => a !== '--')
        .join(' ')
        .trim();
      if (!question) {
        console.error('Cách dùng: npm run ask -- "hộ cận nghèo có được vay vốn không"');
        process.exitCode = 2;
        return;
      }
      const r = await core.engine.handle({ channel: 'cli', conversationId: 'ask', text: question });
      process.stdout.write(renderPlain(r.replies) + '\n');
      return;
    }
    const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    let n = 0;
    for await (const raw of rl) {
      if (!raw.trim()) continue;
      n++;
      let id: unknown = null;
      try {
        const parsed = lineSchema.safeParse(JSON.parse(raw));
        if (!parsed.success) {
          id = (JSON.parse(raw) as { id?: unknown })?.id ?? null;
          process.stdout.write(
            JSON.stringify({ id, error: 'Dòng cần có "id" và "question" (chuỗi) hoặc "dialogue" (mảng chuỗi).' }) + '\n',
          );
          continue;
        }
        id = parsed.data.id;
        const data = parsed.data as { question?: string; dialogue?: string[] };
        const turns: string[] = data.dialogue ?? [data.question ?? ''];
        const conversationId = `jsonl-${n}-${String(id)}`;
        let last: TurnResult | null = null;
        for (const t of turns) last = await core.engine.handle({ channel: 'cli', conversationId, text: t });
        process.stdout.write(JSON.stringify(output(id, last!)) + '\n');
      } catch (err) {
        process.stdout.write(
          JSON.stringify({ id, error: err instanceof SyntaxError ? 'JSON không hợp lệ.' : 'Lỗi xử lý dòng này.' }) + '\n',
        );
      }
    }
  } finally {
    await core.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `Lỗi: ${(err as Error).message}`);
  process.exit(1);
});
