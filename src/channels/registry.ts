import type { ChannelAdapter } from './channel.ts';
import { channelStores, type ChannelDeps } from './deps.ts';
import { createTelegramChannel } from './telegram/index.ts';
import { createZaloOaChannel } from './zalo-oa/index.ts';
import { createZaloBotChannel } from './zalo-bot/index.ts';

/**
 * Every chat channel, created from the configuration. A channel without its tokens reports itself as
 * disabled; it never stops the others. The channels share one bundle of stores: `deps.stores` (the server
 * passes the one opened by `openStores`: files, or PostgreSQL with DATABASE_URL), otherwise files under
 * `deps.dataDir`. The second parameter is ignored (kept so existing callers compile).
 */
export function createChannels(deps: ChannelDeps, _unused?: unknown): ChannelAdapter[] {
  const shared: ChannelDeps = { ...deps, stores: channelStores(deps) };
  return [createTelegramChannel(shared), createZaloOaChannel(shared), createZaloBotChannel(shared)];
}
