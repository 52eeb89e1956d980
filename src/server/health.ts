import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { HttpApp } from './http-app.ts';
import type { Core } from '../app/bootstrap.ts';
import type { ChannelAdapter } from '../channels/channel.ts';
import { monotonicMs } from '../time/clock.ts';

export const VERSION = '0.1.0';

/**
 * `/healthz` (liveness: the process answers, with version and knowledge size) and `/readyz`
 * (readiness: knowledge loaded, data directory writable, each channel's state).
 */
export function registerHealth(app: HttpApp, core: Core, channels: () => ChannelAdapter[], dataDir: string): void {
  const started = monotonicMs();
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
    let writable = true;
    try {
      const probe = path.join(dataDir, `.ready-probe-${randomUUID()}`);
      await fs.writeFile(probe, 'probe');
      await fs.unlink(probe);
    } catch {
      writable = false;
    }
    const knowledge = core.services.knowledge.entries.length > 0;
    const chans = channels().map((c) => c.status());
    const failed = chans.filter((c) => c.state === 'failed');
    const ready = knowledge && writable;
    return {
      status: ready ? 200 : 503,
      body: {
        ready,
        knowledgeEntries: core.services.knowledge.entries.length,
        storeWritable: writable,
        statistics: Boolean(core.services.stats),
        channels: chans,
        degraded: failed.length > 0,
      },
    };
  });
}
