import type { ChannelAdapter } from './channel.ts';
import { channelStores, type ChannelDeps } from './deps.ts';
import { Lifecycle } from './kit/lifecycle.ts';
import { createZaloOaChannel } from './zalo-oa/index.ts';
import { createZaloBotChannel } from './zalo-bot/index.ts';

/**
 * Every chat channel, created from the configuration. A channel without its tokens reports itself as
 * disabled; it never stops the others. The channels share one bundle of stores: `deps.stores` (the server
 * passes the one opened by `openStores`: files, or PostgreSQL with DATABASE_URL), otherwise files under
 * `deps.dataDir`. The second parameter is ignored (kept so existing callers compile).
 *
 * The Telegram adapter (and grammY with it) is loaded only when TELEGRAM_BOT_TOKEN is set. Why: grammY costs
 * about 150 ms and 20 MB at start-up, which a deployment without Telegram should not pay.
 */
export async function createChannels(deps: ChannelDeps, _unused?: unknown): Promise<ChannelAdapter[]> {
  const shared: ChannelDeps = { ...deps, stores: channelStores(deps) };
  const telegram = deps.config.TELEGRAM_BOT_TOKEN?.trim()
    ? (await import('./telegram/index.ts')).createTelegramChannel(shared)
    : disabledChannel('telegram', 'TELEGRAM_BOT_TOKEN chưa được đặt');
  return [telegram, createZaloOaChannel(shared), createZaloBotChannel(shared)];
}

/** An inert adapter for a channel that is not configured: it only reports itself as disabled. */
function disabledChannel(name: string, detail: string): ChannelAdapter {
  const life = new Lifecycle(name, false, detail);
  return { name, start: async () => undefined, stop: async () => undefined, status: () => life.status() };
}
