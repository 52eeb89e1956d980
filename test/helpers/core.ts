import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { buildCore, type Core } from '../../src/app/bootstrap.ts';
import { silentLogger } from '../../src/observability/logger.ts';

/** A temporary DATA_DIR removed by the returned cleanup. */
export function tempDir(prefix = 'tlgn-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds the real core (real knowledge, real flows, real statistics) on a temporary data folder. */
export async function testCore(
  opts: { today?: string; dataDir?: string; persist?: boolean; env?: Record<string, string> } = {},
): Promise<{ core: Core; config: Config; cleanup: () => Promise<void> }> {
  const tmp = opts.dataDir ? null : tempDir();
  const config = loadConfig({
    DATA_DIR: opts.dataDir ?? tmp!.dir,
    TODAY: opts.today ?? '2026-11-27',
    LOG_LEVEL: 'silent',
    ...(opts.env ?? {}),
  });
  const core = await buildCore(config, silentLogger(), { persistSessions: opts.persist ?? true, withStats: true });
  return {
    core,
    config,
    cleanup: async () => {
      await core.close();
      tmp?.cleanup();
    },
  };
}
