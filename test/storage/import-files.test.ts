import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { buildCore } from '../../src/app/bootstrap.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { fileChannelStores } from '../../src/storage/file/channel-stores.ts';
import { systemClock } from '../../src/time/clock.ts';
import { tempDir } from '../helpers/core.ts';
import { createTestDatabase, pgSkipReason, TEST_DATABASE_URL } from '../helpers/pg.ts';
import { machineEnv, ROOT } from '../helpers/server-process.ts';
import pg from 'pg';

/**
 * `npm run db -- import-files <DATA_DIR>` moves a file deployment into PostgreSQL, and running it again changes
 * nothing: a conversation continues with its context, imported statistics keep their history, handled events
 * stay handled, long buttons keep working and the OA tokens are carried over.
 */

const skip = pgSkipReason();
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const HEADER = 'area_id,indicator,value,unit,qualifier,as_of,period_start,status,note,source,source_url';
const HOUR = 3600_000;

function runImport(url: string, dir: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/db.ts', 'import-files', dir], {
    cwd: ROOT,
    env: { ...machineEnv(), DATABASE_URL: url, TODAY: '2026-11-27' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`import-files failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function counts(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of ['sessions', 'dedup_marks', 'payloads', 'secrets', 'inbox_items', 'usage_counts', 'stats_figures', 'app_settings']) {
      out[t] = Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
    }
    return out;
  } finally {
    await c.end();
  }
}

describe.skipIf(Boolean(skip))('npm run db -- import-files', () => {
  it('moves a file deployment into PostgreSQL, idempotently', async () => {
    const { url, drop } = await createTestDatabase(TEST_DATABASE_URL as string, 'import');
    cleanups.push(drop);
    const files = tempDir('import-files-');
    cleanups.push(files.cleanup);

    // A file deployment with a conversation, an imported figure (and its revision), marks, a button and tokens.
    const fileConfig = loadConfig({ DATA_DIR: files.dir, TODAY: '2026-11-27', LOG_LEVEL: 'silent' });
    const core = await buildCore(fileConfig, silentLogger(), { persistSessions: true, withStats: true });
    expect(
      (await core.engine.handle({ channel: 'web', conversationId: 'imp-1', text: 'hộ nghèo có được trợ giúp pháp lý miễn phí không' }))
        .topic,
    ).toBe('legal_aid');
    await core.services.stats?.importCsv?.(`${HEADER}\nbinh-thuan,poor_households,5400,households,,2024-12-31,,reported,,Báo cáo,\n`);
    await core.services.stats?.importCsv?.(`${HEADER}\nbinh-thuan,poor_households,5300,households,,2024-12-31,,reported,,Báo cáo,\n`);
    await core.close();
    const channels = fileChannelStores(files.dir, systemClock);
    await channels.dedup.markNew('telegram', '7000001:77', HOUR);
    const buttonId = await channels.payloads.put(`stats:trend:poor_households:${'binh-thuan'}:${'x'.repeat(60)}`);
    await channels.secrets<Record<string, unknown>>('zalo-oa-tokens').save({ version: 1, accessToken: 'a1', refreshToken: 'r1' });
    await channels.dedup.close();
    await channels.payloads.close();

    const first = runImport(url, files.dir);
    expect(first).toMatch(/phiên trò chuyện: 1 trong tệp, 1 ghi mới/);
    const after1 = await counts(url);
    const second = runImport(url, files.dir);
    expect(second).toMatch(/phiên trò chuyện: 1 trong tệp, 0 ghi mới/);
    expect(await counts(url)).toEqual(after1);
    expect(after1).toMatchObject({ sessions: 1, dedup_marks: 1, payloads: 1, secrets: 1, app_settings: 1 });

    // The same conversation continues on PostgreSQL, with everything the files held.
    const pgDir = tempDir('import-files-pg-');
    cleanups.push(pgDir.cleanup);
    const pgConfig = loadConfig({ DATA_DIR: pgDir.dir, DATABASE_URL: url, TODAY: '2026-11-27', LOG_LEVEL: 'silent' });
    const pgCore = await buildCore(pgConfig, silentLogger(), { persistSessions: true, withStats: true });
    cleanups.push(() => pgCore.close());
    const follow = await pgCore.engine.handle({ channel: 'web', conversationId: 'imp-1', text: 'thế cận nghèo thì sao?' });
    expect(follow).toMatchObject({ topic: 'legal_aid', household: 'near_poor' });
    const stats = (pgCore.services.stats as unknown as { store: import('../../src/stats/store.ts').StatsStore }).store;
    const hist = stats.history('binh-thuan', 'poor_households').filter((f) => f.as_of === '2024-12-31');
    expect(hist.map((f) => [f.value, f.replaced_at === null])).toEqual([
      [5400, false],
      [5300, true],
    ]);
    expect(
      stats.current().filter((f) => f.area_id === 'binh-thuan' && f.indicator === 'poor_households' && f.as_of === '2024-12-31'),
    ).toHaveLength(1);
    const pgChannels = pgCore.stores.channels;
    expect(await pgChannels.dedup.markNew('telegram', '7000001:77', HOUR)).toBe(false);
    expect(await pgChannels.payloads.get(buttonId)).toMatch(/^stats:trend:/);
    expect(await pgChannels.secrets('zalo-oa-tokens').load()).toMatchObject({ status: 'ok', value: { accessToken: 'a1' } });
    expect((await pgCore.learning?.usageBetween('2026-01-01', '2030-12-31'))?.total).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
