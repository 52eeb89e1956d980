import type { Config } from '../config.ts';
import type { Engine } from '../core/engine.ts';
import type { HttpApp } from '../server/http-app.ts';
import type { Logger } from '../observability/logger.ts';

/** What every channel adapter receives from main.ts: it reaches the core only through `engine`. */
export interface ChannelDeps {
  config: Config;
  engine: Engine;
  /** Register webhook routes here (raw bodies available for signature checks). */
  app: HttpApp;
  logger: Logger;
  /** Folder for the channel's own durable files (tokens, offsets, de-duplication). */
  dataDir: string;
}
