import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.ts';
import { TokenManager, isTokenFile, type TokenFile } from '../../src/channels/zalo-oa/tokens.ts';
import { PgSecretStore } from '../../src/storage/pg/channel-stores.ts';
import { PgDatabase } from '../../src/storage/pg/database.ts';
import { migrate } from '../../src/storage/pg/migrate.ts';
import { systemClock } from '../../src/time/clock.ts';
import { createTestDatabase, pgSkipReason, TEST_DATABASE_URL } from '../helpers/pg.ts';

/**
 * Zalo OA's single-use refresh token, with two instances on one database: a refresh is spent once, and every
 * instance then uses the rotated tokens (the second adopts what the first stored, under the database lock).
 */

const skip = pgSkipReason();
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

describe.skipIf(Boolean(skip))('Zalo OA token refresh across instances (PostgreSQL)', () => {
  it('refreshes once when both instances find the token due, and both use the rotated one', async () => {
    const { url, drop } = await createTestDatabase(TEST_DATABASE_URL as string, 'tokens');
    closers.push(drop);
    const dbs = [0, 1].map(() => new PgDatabase({ url, poolMax: 4, connectTimeoutMs: 3000, clock: systemClock, logger: silentLogger() }));
    for (const db of dbs) closers.push(() => db.close());
    await migrate(dbs[0]);

    let spent = 0;
    const valid = new Set(['refresh-0']);
    const fakeFetch = (async (_url: string, init: { body: string }) => {
      const token = new URLSearchParams(init.body).get('refresh_token') ?? '';
      await new Promise((r) => setTimeout(r, 50));
      if (!valid.delete(token)) return new Response(JSON.stringify({ error: -14014, message: 'refresh token spent' }), { status: 400 });
      spent++;
      valid.add(`refresh-${spent}`);
      return new Response(JSON.stringify({ access_token: `access-${spent}`, refresh_token: `refresh-${spent}`, expires_in: 90_000 }));
    }) as unknown as typeof fetch;

    const managers = dbs.map(
      (db) =>
        new TokenManager({
          store: new PgSecretStore<TokenFile>(db, systemClock, 'zalo-oa-tokens', { validate: isTokenFile }),
          appId: 'app',
          appSecretKey: 'app-secret',
          seedAccessToken: 'access-0',
          seedRefreshToken: 'refresh-0',
          oauthBase: 'https://oauth.example',
          logger: silentLogger(),
          fetch: fakeFetch,
          now: () => systemClock.nowMs(),
        }),
    );
    for (const m of managers) {
      await m.init();
      closers.push(async () => m.close());
    }
    // Both instances see the seeded token rejected (-216) at the same moment.
    const tokens = await Promise.all(managers.map((m) => m.refresh('access-0')));
    expect(spent).toBe(1);
    expect(tokens).toEqual(['access-1', 'access-1']);
    expect(await Promise.all(managers.map((m) => m.getAccessToken()))).toEqual(['access-1', 'access-1']);
    const stored = await new PgSecretStore<TokenFile>(dbs[1], systemClock, 'zalo-oa-tokens', { validate: isTokenFile }).load();
    expect(stored).toMatchObject({ status: 'ok', value: { accessToken: 'access-1', refreshToken: 'refresh-1' } });
  }, 30_000);
});
