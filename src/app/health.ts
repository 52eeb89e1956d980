import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { HttpApp } from '../http/http-app.ts';
import type { Core } from './bootstrap.ts';
import type { ChannelAdapter } from '../channels/channel.ts';
import { monotonicMs } from '../time/clock.ts';

export const VERSION = '0.1.0';

/**
 * `/healthz` (liveness: the process answers, with version and knowledge size; it stays 200 while the database is
 * down, so an orchestrator does not restart a process that will recover by itself) and `/readyz` (readiness:
 * knowledge loaded, the data directory writable with file stores, no store down — with PostgreSQL, the database
 * answers a short probe; damaged stores and failed channels are reported as `degraded` while the bot keeps
 * answering). A load balancer takes an instance out of rotation on 503.
 */
export function registerHealth(app: HttpApp, core: Core, channels: () => ChannelAdapter[], dataDir: string): void {
  const started = monotonicMs();
  // One probe name per process: a failed probe (full disk) is overwritten next time, never piled up,
  // and a crashed process's probe is removed at the next start.
  const probe = path.join(dataDir, `.ready-probe-${process.pid}`);
  app.route('GET', '/healthz', () => ({
    status: 200,
    body: {
      status: 'ok',
      version: VERSION,
      knowledgeEntries: core.services.knowledge.entries.length,
      uptimeSeconds: Math.round((monotonicMs() - started) / 1000),
    },
  }));
  app.route('GET', '/readyz', async () => {
    // With PostgreSQL nothing is kept under DATA_DIR: the database probe (in the stores' health) decides.
    let writable = true;
    if (core.stores.kind === 'file') {
      try {
        await fs.writeFile(probe, 'probe');
      } catch {
        writable = false;
      } finally {
        await fs.rm(probe, { force: true }).catch(() => undefined);
      }
    }
    const knowledge = core.services.knowledge.entries.length > 0;
    const chans = channels().map((c) => c.status());
    const stores = await core.storeHealth();
    if (core.stores.kind === 'postgres') writable = !stores.some((s) => s.name === 'database' && s.state === 'down');
    const failed = chans.filter((c) => c.state === 'failed');
    const down = stores.some((s) => s.state === 'down');
    const ready = knowledge && writable && !down;
    return {
      status: ready ? 200 : 503,
      body: {
        ready,
        knowledgeEntries: core.services.knowledge.entries.length,
        storeWritable: writable,
        statistics: Boolean(core.services.stats),
        storage: core.stores.kind,
        stores,
        channels: chans,
        degraded: failed.length > 0 || stores.some((s) => s.state !== 'ok'),
      },
    };
  });
}
