import { loadConfig, loadDotEnv, ConfigError } from './config.ts';
import { createLogger } from './observability/logger.ts';
import { createServer } from './app/server.ts';
import { KnowledgeError } from './knowledge/knowledge-base.ts';
import { useDataSnapshot } from './util/data-file.ts';
import { PROJECT_ROOT, SNAPSHOT_FILE } from './util/project-root.ts';

/**
 * Starts the server: configuration (fails fast, naming the variable), knowledge and stores, the HTTP
 * app (web chat, /api/chat, health, webhooks), and every channel whose tokens are configured.
 * SIGTERM/SIGINT stop channels, finish in-flight requests and flush storage.
 */
async function main(): Promise<void> {
  await loadDotEnv();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);
  // The build's parsed data files (checked file by file against their hash), then released: they are only
  // needed while the knowledge is loaded, and the server should not carry a second copy of it.
  useDataSnapshot(SNAPSHOT_FILE, PROJECT_ROOT);
  const server = await createServer(config, logger);
  useDataSnapshot(null);
  const port = await server.start();
  const shownHost = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
  console.log(
    `Trợ lý Giảm nghèo đang chạy: http://${shownHost}:${port}/ (${server.core.services.knowledge.entries.length} mục kiến thức, nạp trong ${Math.round(server.core.loadMs)} ms)`,
  );
  for (const ch of server.channels) {
    const s = ch.status();
    console.log(`  - kênh ${s.name}: ${s.state === 'disabled' ? 'tắt (chưa cấu hình)' : s.state}${s.detail ? ` (${s.detail})` : ''}`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const hard = setTimeout(() => process.exit(1), 15_000);
    hard.unref();
    await server.stop();
    logger.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // Last resort: an unexpected rejection is logged, never allowed to take every channel down.
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled rejection'),
  );
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  if (err instanceof KnowledgeError) console.error(`Lỗi dữ liệu kiến thức: ${err.message}`);
  else console.error(`Không khởi động được: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
