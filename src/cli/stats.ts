/**
 * Statistics store maintenance:
 *   npm run stats -- import <file.csv>      validate every row; import all or nothing (atomic write, history kept)
 *   npm run stats -- export                 current figures to stdout, as CSV in the import columns
 *   npm run stats -- history <area> <indicator>   every version of a figure, with the date it was replaced
 * DATA_DIR selects the store (default <project>/.data); with DATABASE_URL the figures are in PostgreSQL, and an
 * import is one transaction that every running instance answers with at once.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, PROJECT_ROOT } from '../config.ts';
import { createLogger } from '../observability/logger.ts';
import { formatDate, formatNumber } from '../format/vi.ts';
import { loadAreas } from '../stats/areas.ts';
import { loadCatalog } from '../stats/catalog.ts';
import { ImportRejected } from '../stats/store.ts';
import { openStatsStore } from '../app/stores.ts';
import { clockFor } from '../time/clock.ts';

const USAGE = `Cách dùng:
  npm run stats -- import <tệp.csv>
  npm run stats -- export > tệp.csv
  npm run stats -- history <area_id> <indicator>`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  const config = loadConfig(process.env);
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, pino.destination({ dest: 2, sync: true }));
  const seedDir = path.join(PROJECT_ROOT, 'data');
  const catalog = loadCatalog(config.KNOWLEDGE_DIR);
  const areas = loadAreas(seedDir);
  const opened = await openStatsStore(config, clockFor(config), logger, { seedDir, catalog, areas });
  try {
    return await run(cmd, args, opened.store, catalog, areas);
  } finally {
    await opened.close();
  }
}

async function run(
  cmd: string,
  args: string[],
  store: Awaited<ReturnType<typeof openStatsStore>>['store'],
  catalog: ReturnType<typeof loadCatalog>,
  areas: ReturnType<typeof loadAreas>,
): Promise<number> {
  if (cmd === 'import') {
    const file = args[0];
    if (!file) {
      process.stderr.write('Thiếu tên tệp CSV.\n' + USAGE + '\n');
      return 2;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      process.stderr.write(`Không đọc được tệp ${file}: ${(err as Error).message}\n`);
      return 1;
    }
    try {
      const s = await store.importCsv(text);
      process.stdout.write(`Đã nhập ${file}: thêm mới ${s.added}, sửa đổi ${s.revised}, không đổi ${s.unchanged}.\n`);
      return 0;
    } catch (err) {
      if (err instanceof ImportRejected) {
        for (const e of err.errors) process.stderr.write(`${file}:${e.line}: dòng ${e.line} (line ${e.line}): ${e.message}\n`);
        process.stderr.write(`Không nhập dòng nào: ${err.errors.length} dòng lỗi. Sửa các dòng trên rồi nhập lại.\n`);
        return 1;
      }
      throw err;
    }
  }

  if (cmd === 'export') {
    process.stdout.write(store.exportCsv());
    return 0;
  }

  if (cmd === 'history') {
    const [areaId, indicatorId] = args;
    if (!areaId || !indicatorId) {
      process.stderr.write(USAGE + '\n');
      return 2;
    }
    if (!areas.byId.has(areaId)) {
      process.stderr.write(`Địa bàn không có trong danh mục: ${areaId}\n`);
      return 1;
    }
    const ind = catalog.indicators.get(indicatorId);
    if (!ind) {
      process.stderr.write(`Chỉ tiêu không có trong danh mục: ${indicatorId}\n`);
      return 1;
    }
    const hist = store.history(areaId, indicatorId);
    process.stdout.write(`${ind.label} — ${areas.byId.get(areaId)!.name} (${areaId}, ${indicatorId})\n`);
    if (hist.length === 0) {
      process.stdout.write('Chưa có số liệu.\n');
      return 0;
    }
    for (const f of hist) {
      const period = f.period_start ? `${formatDate(f.period_start)}–${formatDate(f.as_of)}` : formatDate(f.as_of);
      const state = f.replaced_at
        ? `đã thay thế ngày ${formatDate(f.replaced_at.slice(0, 10))} (replaced_at ${f.replaced_at})`
        : 'hiện hành';
      process.stdout.write(
        `${period}\t${formatNumber(f.value, 4)}${(catalog.units.get(f.unit)?.suffix ?? ` ${f.unit}`).replace(/^(?=[^\s%])/, ' ')}${f.qualifier ? ` [${f.qualifier}]` : ''}\t${f.status}${f.standard ? `\tchuẩn ${f.standard}` : ''}${f.measure ? `\t${f.measure}` : ''}\tghi nhận ${f.recorded_at}\t${state}\tnguồn: ${f.source}\n`,
      );
    }
    return 0;
  }

  process.stderr.write(`Lệnh không rõ: ${cmd}\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`Lỗi: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
