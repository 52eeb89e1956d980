import type { ChannelAdapter } from './channel.ts';
import type { ChannelDeps } from './deps.ts';
import type { Core } from '../app/bootstrap.ts';
import { createTelegramChannel } from './telegram/index.ts';
import { createZaloOaChannel } from './zalo-oa/index.ts';
import { createZaloBotChannel } from './zalo-bot/index.ts';

/**
 * Every chat channel, created from the configuration. A channel without its tokens reports itself
 * as disabled; it never stops the others.
 */
export function createChannels(deps: ChannelDeps, _core: Core): ChannelAdapter[] {
  return [createTelegramChannel(deps), createZaloOaChannel(deps), createZaloBotChannel(deps)];
}
