import type { Config } from '../config.ts';
import type { Engine } from '../core/engine.ts';
import type { HttpApp } from '../http/http-app.ts';
import type { Logger } from '../observability/logger.ts';
import { fileChannelStores } from '../storage/file/channel-stores.ts';
import type { ChannelStores } from '../storage/types.ts';

export type { ChannelStores };

/** What every channel adapter receives from the composition root: it reaches the core only through `engine`. */
export interface ChannelDeps {
  config: Config;
  engine: Engine;
  /** Register webhook routes here (raw bodies available for signature checks). */
  app: HttpApp;
  logger: Logger;
  /** Folder for the channel's own durable files when `stores` is not given. */
  dataDir: string;
  /**
   * Where channels keep handled-event marks, long button payloads, rotated secrets, rate counters and
   * polling leadership: the server passes the bundle opened by `openStores` (files, or PostgreSQL with
   * DATABASE_URL, so several instances share them). Absent (tests of one adapter): files under `dataDir`.
   */
  stores?: ChannelStores;
}

/** The stores of `deps`, or file stores under `deps.dataDir` on the engine's clock. */
export function channelStores(deps: ChannelDeps): ChannelStores {
  return (
    deps.stores ??
    fileChannelStores(deps.dataDir, deps.engine.clock, {
      warn: (message, extra) => deps.logger.warn(extra ?? {}, message),
    })
  );
}
