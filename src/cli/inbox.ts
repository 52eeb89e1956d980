import { loadConfig, loadDotEnv } from '../config.ts';
import pino from 'pino';
import { openLearningStore } from '../app/stores.ts';
import { groupInbox } from '../learning/group.ts';
import { createLogger } from '../observability/logger.ts';
import { systemClock } from '../time/clock.ts';
import { formatDate } from '../format/vi.ts';

/**
 * `npm run inbox [-- --json] [-- --days N]`: questions the bot could not answer well, grouped by
 * similarity with counts, so an editor can add phrasings or entries. Reads DATA_DIR/learning.jsonl, or the
 * shared inbox in PostgreSQL when DATABASE_URL is set (every instance's questions).
 */
async function main() {
  await loadDotEnv();
  const config = loadConfig();
  const args = process.argv.slice(2);
  const daysArg = args.indexOf('--days');
  const days = daysArg >= 0 ? Number(args[daysArg + 1]) : 30;
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, pino.destination({ dest: 2, sync: true }));
  const opened = await openLearningStore(config, systemClock, logger);
  const since = new Date(systemClock.nowMs() - days * 86_400_000).toISOString();
  let items: Awaited<ReturnType<typeof opened.store.inbox>>;
  try {
    items = await opened.store.inbox(since);
  } finally {
    await opened.close();
  }
  const groups = groupInbox(items);
  if (args.includes('--json')) {
    process.stdout.write(JSON.stringify(groups, null, 2) + '\n');
    return;
  }
  if (!groups.length) {
    console.log(`Hộp thư trống: không có câu hỏi nào cần bổ sung trong ${days} ngày qua.`);
    return;
  }
  console.log(`Câu hỏi cần bổ sung (${days} ngày qua), gộp theo nội dung giống nhau:\n`);
  for (const g of groups) {
    const kinds = Object.entries(g.kinds)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    const topics = Object.entries(g.topics)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    console.log(`${String(g.count).padStart(4)} × "${g.example}"`);
    console.log(`       loại: ${kinds}; chủ đề đoán: ${topics}; gần nhất: ${formatDate(g.lastAt.slice(0, 10))}`);
    for (const s of g.samples.slice(1)) console.log(`       cũng hỏi: "${s}"`);
  }
}

main().catch((err) => {
  console.error(`Lỗi: ${(err as Error).message}`);
  process.exit(1);
});
