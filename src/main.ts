import { mkdirSync } from 'node:fs';
import { loadConfig, loadDotEnv, ConfigError } from './config.ts';
import { createLogger } from './observability/logger.ts';
import { buildCore } from './app/bootstrap.ts';
import { HttpApp } from './server/http-app.ts';
import { registerHealth } from './server/health.ts';
import { registerWebApi } from './channels/web/api.ts';
import { registerWebPage } from './channels/web/static-routes.ts';
import { createChannels } from './channels/registry.ts';
import { KnowledgeError } from './knowledge/knowledge-base.ts';
import type { ChannelAdapter } from './channels/channel.ts';

/**
 * Starts the server: configuration (fails fast, naming the variable), knowledge and stores, the HTTP
 * app (web chat, /api/chat, health, webhooks), and every channel whose tokens are configured.
 * SIGTERM/SIGINT stop channels, finish in-flight requests and flush storage.
 */
async function main(): Promise<void> {
  await loadDotEnv();
  let config;
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
  mkdirSync(config.DATA_DIR, { recursive: true });
  const core = await buildCore(config, logger, { persistSessions: true, withStats: true });
  const app = new HttpApp(logger);
  let channels: ChannelAdapter[] = [];
  registerHealth(app, core, () => channels, config.DATA_DIR);
  registerWebApi(app, { engine: core.engine, ratePerMinute: config.RATE_LIMIT_PER_MINUTE, adminToken: config.ADMIN_TOKEN });
  registerWebPage(app);
  channels = createChannels({ config, engine: core.engine, app, logger, dataDir: config.DATA_DIR }, core);

  const port = await app.listen(config.PORT, config.HOST);
  const shownHost = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
  console.log(`Trợ lý Giảm nghèo đang chạy: http://${shownHost}:${port}/ (${core.services.knowledge.entries.length} mục kiến thức, nạp trong ${Math.round(core.loadMs)} ms)`);
  for (const ch of channels) {
    try {
      await ch.start();
    } catch (err) {
      logger.error({ channel: ch.name, err: (err as Error).message }, 'channel failed to start');
    }
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
    await Promise.allSettled(channels.map((c) => c.stop()));
    await app.close(8_000);
    await core.close();
    logger.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  if (err instanceof KnowledgeError) console.error(`Lỗi dữ liệu kiến thức: ${err.message}`);
  else console.error(`Không khởi động được: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
