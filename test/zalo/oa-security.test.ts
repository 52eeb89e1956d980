import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpApp } from '../../src/http/http-app.ts';
import { createLogger, silentLogger, type Logger } from '../../src/observability/logger.ts';
import type { Engine } from '../../src/core/engine.ts';
import { createZaloOaChannel, ZALO_OA_WEBHOOK_PATH, type ZaloOaChannel } from '../../src/channels/zalo-oa/index.ts';
import { TOKEN_FILE } from '../../src/channels/zalo-oa/tokens.ts';
import { fileChannelStores } from '../../src/storage/file/channel-stores.ts';
import { systemClock } from '../../src/time/clock.ts';
import { FakeZaloOa, pushOaEvent, textEvent } from './fakes/fake-zalo-oa.ts';
import { waitFor } from './fakes/http-util.ts';
import { makeConfig, makeEngine, ScriptedEngine, tmpDir } from './helpers.ts';

/**
 * Zalo OA reliability and security: replays refused by time (signed timestamps outside the window, handled
 * event ids remembered whatever the traffic), and rotated tokens kept durably (a damaged file falls back to
 * the previous copy, never to the seeds; nothing readable → re-authorisation; one refresh for several instances).
 */
const APP_ID = '4123456789012345678';
const OA_SECRET = 'oa-secret-for-webhooks';
const APP_SECRET = 'app-secret-for-oauth';

describe('Zalo OA: replays and rotated tokens', () => {
  let fake: FakeZaloOa;
  let data: { dir: string; cleanup: () => void };
  let apps: HttpApp[];
  let channels: ZaloOaChannel[];

  beforeEach(async () => {
    fake = await new FakeZaloOa(APP_ID, APP_SECRET, { accessToken: 'at-0', refreshToken: 'rt-0' }).start();
    data = tmpDir();
    apps = [];
    channels = [];
  });

  afterEach(async () => {
    for (const c of channels) await c.stop();
    for (const a of apps) await a.close(100);
    await fake.close();
    data.cleanup();
  });

  async function startChannel(
    opts: { engine?: Engine; logger?: Logger; env?: Record<string, string>; stores?: ReturnType<typeof fileChannelStores> } = {},
  ) {
    const logger = opts.logger ?? silentLogger();
    const config = makeConfig({
      DATA_DIR: data.dir,
      ZALO_OA_APP_ID: APP_ID,
      ZALO_OA_SECRET_KEY: OA_SECRET,
      ZALO_APP_SECRET_KEY: APP_SECRET,
      ZALO_OA_ACCESS_TOKEN: 'at-0',
      ZALO_OA_REFRESH_TOKEN: 'rt-0',
      ZALO_OA_API_BASE: fake.url,
      ZALO_OAUTH_BASE: fake.url,
      ...opts.env,
    });
    const app = new HttpApp(logger);
    apps.push(app);
    const engine = opts.engine ?? makeEngine();
    const channel = createZaloOaChannel({ config, engine, app, logger, dataDir: data.dir, stores: opts.stores }, { retryBaseMs: 5 });
    channels.push(channel);
    await channel.start();
    const port = await app.listen(0, '127.0.0.1');
    return { channel, url: `http://127.0.0.1:${port}${ZALO_OA_WEBHOOK_PATH}` };
  }

  it('refuses signed events whose timestamp is outside the window (200, so Zalo does not retry), both ways', async () => {
    const { channel, url } = await startChannel();
    const now = systemClock.nowMs();
    const future = await pushOaEvent(url, textEvent(APP_ID, 'u-f', 'xin chào', { timestamp: now + 10 * 365 * 86_400_000 }), OA_SECRET);
    expect(future).toMatchObject({ status: 200, body: { ignored: 'future' } });
    const ahead = await pushOaEvent(url, textEvent(APP_ID, 'u-f', 'xin chào', { timestamp: now + 16 * 60_000 }), OA_SECRET);
    expect(ahead).toMatchObject({ status: 200, body: { ignored: 'future' } });
    const old = await pushOaEvent(url, textEvent(APP_ID, 'u-f', 'xin chào', { timestamp: now - 11 * 60_000 }), OA_SECRET);
    expect(old).toMatchObject({ status: 200, body: { ignored: 'stale' } });
    const skewed = await pushOaEvent(url, textEvent(APP_ID, 'u-f', 'xin chào', { timestamp: now + 5 * 60_000 }), OA_SECRET);
    expect(skewed.body).toEqual({ ok: true });
    await channel.idle();
    expect(fake.messages).toHaveLength(1);
  });

  it('answers a handled event once even when replayed after 12,000 other events', async () => {
    // Silent answers: the point is the de-duplication window, not 12,000 sends.
    const engine = new ScriptedEngine((inc) => (inc.text === 'câu hỏi gốc' ? [{ text: 'Dạ, em trả lời.' }] : []));
    const { channel, url } = await startChannel({ engine });
    const original = textEvent(APP_ID, 'u-first', 'câu hỏi gốc', { msgId: 'msg-original' });
    expect((await pushOaEvent(url, original, OA_SECRET)).body).toEqual({ ok: true });
    let n = 0;
    const worker = async () => {
      while (n < 12_000) {
        const i = n++;
        await pushOaEvent(url, textEvent(APP_ID, `u-${i % 500}`, `tin ${i}`, { msgId: `msg-${i}` }), OA_SECRET);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const replay = await pushOaEvent(url, original, OA_SECRET);
    expect(replay).toMatchObject({ status: 200, body: { duplicate: true } });
    await channel.idle();
    expect(engine.inputs.filter((i) => i.text === 'câu hỏi gốc')).toHaveLength(1);
    expect(fake.messages).toHaveLength(1);
  }, 60_000);

  /** Two refreshes: the current copy holds at-2/rt-2, the previous good copy at-1/rt-1 (at-1 still accepted). */
  async function rotateTwice(): Promise<void> {
    const { channel, url } = await startChannel();
    for (const msgId of ['r-1', 'r-2']) {
      // First an expired token, then a refused one (-216) while at-1 stays valid at the fake.
      if (msgId === 'r-1') fake.expireAccessTokens();
      else fake.failNextSend(-216);
      await pushOaEvent(url, textEvent(APP_ID, 'u-rot', 'xin chào', { msgId }), OA_SECRET);
      await channel.idle();
    }
    expect(fake.refreshCalls.map((c) => c.refreshToken)).toEqual(['rt-0', 'rt-1']);
    await channel.stop();
    const file = path.join(data.dir, TOKEN_FILE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ accessToken: 'at-2', refreshToken: 'rt-2' });
    expect(JSON.parse(readFileSync(`${file}.prev`, 'utf8'))).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}.prev`).mode & 0o777).toBe(0o600);
  }

  it('a damaged token file falls back to the previous copy, never to the seed tokens', async () => {
    await rotateTwice();
    writeFileSync(path.join(data.dir, TOKEN_FILE), '{"version":1,"accessToken":"at-');
    const lines: string[] = [];
    const logger = createLogger('info', { write: (l: string) => void lines.push(l) });
    const { channel, url } = await startChannel({ logger });
    expect(channel.status().state).toBe('running');
    await pushOaEvent(url, textEvent(APP_ID, 'u-after', 'xin chào', { msgId: 'after-damage' }), OA_SECRET);
    await channel.idle();
    expect(fake.messages.at(-1)).toMatchObject({ recipient: { message_id: 'after-damage' }, accessToken: 'at-1' });
    expect(fake.attempts.some((a) => a.accessToken === 'at-0' && fake.attempts.indexOf(a) > 1)).toBe(false);
    expect(lines.join('')).toContain('using the previous good copy');
    // The damaged copy was repaired from the good one.
    expect(JSON.parse(readFileSync(path.join(data.dir, TOKEN_FILE), 'utf8'))).toMatchObject({ accessToken: 'at-1' });
  });

  it('with both copies damaged, says plainly that re-authorisation is needed and sends nothing', async () => {
    await rotateTwice();
    writeFileSync(path.join(data.dir, TOKEN_FILE), 'garbage');
    writeFileSync(path.join(data.dir, `${TOKEN_FILE}.prev`), '{"version":1}');
    const lines: string[] = [];
    const logger = createLogger('info', { write: (l: string) => void lines.push(l) });
    const { channel, url } = await startChannel({ logger });
    expect(channel.status()).toMatchObject({ state: 'failed', enabled: true });
    expect(channel.status().detail).toMatch(/cấp quyền lại/);
    expect(lines.join('')).toMatch(/must authorise the app again/);
    const before = fake.attempts.length;
    const res = await pushOaEvent(url, textEvent(APP_ID, 'u-x', 'xin chào'), OA_SECRET);
    expect(res.status).toBe(200);
    await channel.idle();
    expect(fake.attempts.length).toBe(before); // never fell back to at-0 from the environment
    expect(fake.refreshCalls).toHaveLength(2);
    expect(lines.join('')).not.toContain('at-0');
  });

  it('refreshes once when several instances find the token expired at the same time', async () => {
    const engine = makeEngine();
    const a = await startChannel({ engine, stores: fileChannelStores(data.dir, systemClock) });
    const b = await startChannel({ engine, stores: fileChannelStores(data.dir, systemClock) });
    fake.expireAccessTokens();
    await Promise.all([
      pushOaEvent(a.url, textEvent(APP_ID, 'u-a', 'xin chào'), OA_SECRET),
      pushOaEvent(b.url, textEvent(APP_ID, 'u-b', 'xin chào'), OA_SECRET),
    ]);
    await waitFor(() => fake.messages.length === 2, 5000, 'both answers');
    expect(fake.refreshCalls).toEqual([{ refreshToken: 'rt-0', ok: true }]);
    expect(fake.messages.map((m) => m.accessToken)).toEqual(['at-1', 'at-1']);
    expect(a.channel.status().state).toBe('running');
    expect(b.channel.status().state).toBe('running');
  });
});
