/**
 * PostgreSQL maintenance (DATABASE_URL):
 *   npm run db -- migrate                   apply pending schema migrations (also done at every start)
 *   npm run db -- status                    which migrations are applied, and the rows each store holds
 *   npm run db -- import-files <DATA_DIR>   move a file deployment into PostgreSQL (safe to run again)
 * The connection string is never printed: only its host, port, database and user.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, loadDotEnv, PROJECT_ROOT, type Config } from '../config.ts';
import { openDatabase, sharedSalt } from '../app/stores.ts';
import { FileLearningStore } from '../learning/file-store.ts';
import { PgLearningStore } from '../learning/pg-store.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { loadAreas } from '../stats/areas.ts';
import { loadCatalog } from '../stats/catalog.ts';
import { PgStatsStore } from '../stats/pg-store.ts';
import { FileStatsStore } from '../stats/store.ts';
import { FileDedupStore } from '../storage/file/dedup-store.ts';
import { FilePayloadStore, PAYLOAD_FILE } from '../storage/file/payload-store.ts';
import { FileSessionStore } from '../storage/file/session-store.ts';
import type { PgDatabase } from '../storage/pg/database.ts';
import { migrate, migrationLabel, migrationStatus } from '../storage/pg/migrate.ts';
import { describeDatabaseUrl, redactDatabaseUrl } from '../storage/pg/redact.ts';
import { clockFor, type Clock } from '../time/clock.ts';

const USAGE = `Cách dùng (cần DATABASE_URL):
  npm run db -- migrate                    áp dụng các bản cập nhật lược đồ còn thiếu
  npm run db -- status                     các bản cập nhật đã áp dụng và số dòng của từng kho
  npm run db -- import-files <DATA_DIR>    chuyển dữ liệu tệp (DATA_DIR) vào PostgreSQL (chạy lại an toàn)`;

/** De-duplication scopes of the channels (file names `<scope>-seen.json`). */
const DEDUP_SCOPES = ['telegram', 'zalo-oa', 'zalo-bot'];
/** Rotated secrets kept as `<name>.json` and `<name>.json.prev`. */
const SECRET_NAMES = ['zalo-oa-tokens'];

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    out(USAGE);
    return cmd ? 0 : 2;
  }
  if (!['migrate', 'status', 'import-files'].includes(cmd)) {
    process.stderr.write(`Lệnh không rõ: ${cmd}\n${USAGE}\n`);
    return 2;
  }
  await loadDotEnv();
  const config = loadConfig(process.env);
  if (!config.DATABASE_URL) {
    process.stderr.write(`Chưa đặt DATABASE_URL (ví dụ postgres://người_dùng:mật_khẩu@máy:5432/trogiup).\n${USAGE}\n`);
    return 2;
  }
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, pino.destination({ dest: 2, sync: true }));
  const clock = clockFor(config);
  out(`Cơ sở dữ liệu: ${describeDatabaseUrl(config.DATABASE_URL)}`);
  const db = await openDatabase(config, clock, logger, { migrate: false, poolMax: 4 });
  try {
    if (cmd === 'migrate') {
      const { applied } = await migrate(db, logger);
      out(applied.length ? `Đã áp dụng: ${applied.join(', ')}` : 'Lược đồ đã mới nhất, không có gì để áp dụng.');
      return 0;
    }
    if (cmd === 'status') return await status(db);
    const dir = args[0];
    if (!dir) {
      process.stderr.write(`Thiếu thư mục DATA_DIR.\n${USAGE}\n`);
      return 2;
    }
    if (!existsSync(dir)) {
      process.stderr.write(`Không có thư mục ${dir}\n`);
      return 1;
    }
    await migrate(db, logger);
    return await importFiles(db, path.resolve(dir), config, clock, logger);
  } finally {
    await db.close();
  }
}

async function status(db: PgDatabase): Promise<number> {
  const states = await migrationStatus(db);
  let pending = 0;
  for (const m of states) {
    if (!m.appliedAt) pending++;
    const state = m.appliedAt ? `đã áp dụng ${m.appliedAt}${m.checksumOk ? '' : ' (TỆP ĐÃ BỊ SỬA SAU KHI ÁP DỤNG)'}` : 'chưa áp dụng';
    out(`  ${migrationLabel(m)}: ${state}`);
  }
  if (pending === states.length) {
    out('Chưa có lược đồ: chạy "npm run db -- migrate" (hoặc khởi động máy chủ).');
    return 0;
  }
  const tables = ['sessions', 'dedup_marks', 'payloads', 'secrets', 'rate_windows', 'inbox_items', 'usage_counts', 'stats_figures'];
  for (const t of tables) {
    const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`);
    out(`  ${t}: ${r.rows[0]?.n ?? 0} dòng`);
  }
  return states.some((m) => !m.checksumOk) ? 1 : 0;
}

/**
 * Copies a file deployment's stores into PostgreSQL. Each part is idempotent: sessions keep the newer copy,
 * marks the later expiry, payloads and inbox items are keyed by content, usage counts take the larger value,
 * secrets are copied only when the database has none (it may hold a newer rotation), and statistics are merged
 * by key and recording time. Stop the file deployment first, so nothing changes while it is copied.
 */
async function importFiles(db: PgDatabase, dir: string, config: Config, clock: Clock, logger: Logger): Promise<number> {
  const warn = (message: string, extra?: Record<string, unknown>) => logger.warn(extra ?? {}, message);
  out(`Chuyển dữ liệu từ ${dir}`);

  // The salt first: sessions are stored under salted hashes, and every instance must use the same salt.
  const saltFile = path.join(dir, 'salt.txt');
  const fileSalt = existsSync(saltFile) ? readFileSync(saltFile, 'utf8').trim() : '';
  const salt = await sharedSalt(db, config, clock, fileSalt.length >= 16 ? fileSalt : undefined);
  const sameSalt = Boolean(config.USER_ID_SALT) || !fileSalt || salt === fileSalt;

  // Sessions.
  if (!sameSalt) {
    out('  phiên trò chuyện: BỎ QUA — muối (salt) trong cơ sở dữ liệu khác salt.txt của thư mục này; phiên cũ sẽ không tìm được.');
  } else {
    const files = await FileSessionStore.open({
      dataDir: dir,
      ttlMinutes: config.SESSION_TTL_MINUTES,
      maxSessions: 10_000_000,
      clock,
      warn,
    });
    const entries = files.entries();
    let written = 0;
    for (const [key, s] of entries) {
      const t = Date.parse(s.updatedAt);
      const r = await db.query(
        `INSERT INTO sessions (key, data, updated_ms) VALUES ($1, $2::jsonb, $3)
         ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, updated_ms = EXCLUDED.updated_ms WHERE sessions.updated_ms < EXCLUDED.updated_ms`,
        [key, JSON.stringify(s), Number.isFinite(t) ? Math.round(t) : Math.round(clock.nowMs())],
      );
      written += r.rowCount ?? 0;
    }
    await files.close();
    out(`  phiên trò chuyện: ${entries.length} trong tệp, ${written} ghi mới hoặc cập nhật`);
  }

  // Learning: inbox items and usage counts.
  const learningFiles = await FileLearningStore.open(dir, warn, clock);
  const learning = await new PgLearningStore(db, clock, logger).importFiles(learningFiles.usageDays(), await learningFiles.inbox());
  await learningFiles.close();
  out(`  hộp thư biên tập: ${learning.items} mục mới; thống kê sử dụng: ${learning.days} ngày`);

  // Statistics, with their history.
  const seedDir = path.join(PROJECT_ROOT, 'data');
  const catalog = loadCatalog(config.KNOWLEDGE_DIR);
  const areas = loadAreas(seedDir);
  if (existsSync(path.join(dir, 'stats.jsonl')) || existsSync(path.join(dir, 'stats.json'))) {
    const fileStats = await FileStatsStore.open({ dataDir: dir, seedDir, catalog, areas, logger, clock });
    const pgStats = await PgStatsStore.open({ db, seedDir, catalog, areas, logger, clock });
    const r = await pgStats.importFiles(fileStats.allFigures());
    await fileStats.close();
    out(`  số liệu thống kê: ${r.added} bản ghi mới, ${r.skipped} đã có`);
  } else out('  số liệu thống kê: không có tệp stats.jsonl');

  // Handled-event marks.
  const dedup = new FileDedupStore(dir, clock, { warn });
  let marks = 0;
  for (const scope of DEDUP_SCOPES) {
    if (!existsSync(FileDedupStore.fileFor(dir, scope))) continue;
    for (const [hash, expires] of await dedup.marks(scope)) {
      await db.query(
        `INSERT INTO dedup_marks (scope, id_hash, expires_ms) VALUES ($1, $2, $3)
         ON CONFLICT (scope, id_hash) DO UPDATE SET expires_ms = GREATEST(dedup_marks.expires_ms, EXCLUDED.expires_ms)`,
        [scope, hash, Math.round(expires)],
      );
      marks++;
    }
  }
  out(`  dấu sự kiện đã xử lý: ${marks}`);

  // Telegram's long button payloads.
  let payloads = 0;
  if (existsSync(path.join(dir, PAYLOAD_FILE))) {
    const now = Math.round(clock.nowMs());
    for (const [id, payload] of await new FilePayloadStore(path.join(dir, PAYLOAD_FILE), { warn }).entries()) {
      const r = await db.query('INSERT INTO payloads (id, payload, used_ms) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
        id,
        payload,
        now,
      ]);
      payloads += r.rowCount ?? 0;
    }
  }
  out(`  nút Telegram dài: ${payloads} mới`);

  // Rotated secrets: only when the database has none (it may already hold a newer rotation).
  for (const name of SECRET_NAMES) {
    const file = path.join(dir, `${name}.json`);
    const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : null);
    const current = read(file);
    const previous = read(`${file}.prev`);
    if (current === null && previous === null) continue;
    const r = await db.query(
      'INSERT INTO secrets (name, current_doc, previous_doc, updated_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING',
      [name, current, previous, Math.round(clock.nowMs())],
    );
    out(`  ${name}: ${r.rowCount ? 'đã chép' : 'cơ sở dữ liệu đã có (giữ bản trong cơ sở dữ liệu)'}`);
  }
  out('Xong. Có thể chạy lại lệnh này: dữ liệu đã chép không bị chép hai lần.');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`Lỗi: ${redactDatabaseUrl((err as Error).message, process.env.DATABASE_URL)}\n`);
    process.exit(1);
  },
);
