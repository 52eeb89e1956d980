import { mkdirSync } from 'node:fs';
import type { Config } from '../config.ts';
import type { Logger } from '../observability/logger.ts';
import { buildCore, type Core } from './bootstrap.ts';
import type { HttpApp } from '../http/http-app.ts';
import { GuardedHttpApp } from './guarded-app.ts';
import { registerHealth } from './health.ts';
import { registerWebApi } from '../channels/web/api.ts';
import { registerWebPage } from '../channels/web/static-routes.ts';
import { registerAdminRoutes } from '../channels/web/admin.ts';
import { createChannels } from '../channels/registry.ts';
import type { ChannelAdapter } from '../channels/channel.ts';
import type { TurnObserver } from '../core/engine.ts';

/** The whole server: core, HTTP app with every route, and the channels. Used by main.ts and tests. */
export interface Server {
  core: Core;
  app: HttpApp;
  channels: ChannelAdapter[];
  /** Port actually bound (useful with PORT=0). */
  port: number;
  start(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Builds the server from the configuration. The stores are opened once (files under DATA_DIR, or PostgreSQL with
 * DATABASE_URL) and the same bundle reaches the engine, the web API's rate limits and every channel, so several
 * instances on one database share sessions, limits, de-duplication and polling leadership. Routes that reach the
 * stores answer 503 with `Retry-After` while the database is unreachable (see GuardedHttpApp).
 */
export async function createServer(config: Config, logger: Logger, extra: { observers?: TurnObserver[] } = {}): Promise<Server> {
  mkdirSync(config.DATA_DIR, { recursive: true });
  const core = await buildCore(config, logger, { persistSessions: true, withStats: true, observers: extra.observers });
  const app = new GuardedHttpApp(logger, { trustProxy: config.TRUST_PROXY }, core.stores);
  const server: Server = {
    core,
    app,
    channels: [],
    port: 0,
    async start() {
      server.port = await app.listen(config.PORT, config.HOST);
      // Listen first (webhooks point at us), then start channels in parallel: a slow one never delays the others.
      await Promise.all(
        server.channels.map((ch) =>
          ch.start().catch((err: Error) => logger.error({ channel: ch.name, err: err.message }, 'channel failed to start')),
        ),
      );
      return server.port;
    },
    async stop() {
      await Promise.allSettled(server.channels.map((c) => c.stop()));
      await app.close(8_000);
      await core.close();
    },
  };
  registerHealth(app, core, () => server.channels, config.DATA_DIR);
  registerWebApi(app, {
    engine: core.engine,
    rates: core.stores.channels.rates,
    ratePerMinute: config.RATE_LIMIT_PER_MINUTE,
    ratePerIpPerMinute: config.RATE_LIMIT_PER_IP_PER_MINUTE,
    newConversationsPerIpPerMinute: config.RATE_LIMIT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE,
    adminToken: config.ADMIN_TOKEN,
  });
  registerWebPage(app);
  registerAdminRoutes(app, core.learning, config.ADMIN_TOKEN);
  server.channels = await createChannels({
    config,
    engine: core.engine,
    app,
    logger,
    dataDir: config.DATA_DIR,
    stores: core.stores.channels,
  });
  return server;
}
