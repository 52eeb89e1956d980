import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpApp } from '../../src/http/http-app.ts';
import { createLogger, silentLogger, type Logger } from '../../src/observability/logger.ts';
import type { Engine } from '../../src/core/engine.ts';
import { createZaloOaChannel, ZALO_OA_WEBHOOK_PATH, type ZaloOaChannel } from '../../src/channels/zalo-oa/index.ts';
import { TOKEN_FILE } from '../../src/channels/zalo-oa/tokens.ts';
import { MESSAGES } from '../../src/channels/zalo-common/turn.ts';
import { MORE_NOTE, packMessages, renderTurn } from '../../src/channels/zalo-common/text.ts';
import { FakeZaloOa, pushOaEvent, textEvent } from './fakes/fake-zalo-oa.ts';
import { waitFor } from './fakes/http-util.ts';
import { makeConfig, makeEngine, ScriptedEngine, tmpDir } from './helpers.ts';

const APP_ID = '4123456789012345678';
const OA_SECRET = 'oa-secret-for-webhooks';
const APP_SECRET = 'app-secret-for-oauth';

describe('Zalo OA channel', () => {
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

  /** Starts a channel on its own HttpApp; returns the webhook URL. */
  async function startChannel(engine: Engine = makeEngine(), env: Record<string, string> = {}, opts = {}, logger: Logger = silentLogger()) {
    const config = makeConfig({
      DATA_DIR: data.dir,
      ZALO_OA_APP_ID: APP_ID,
      ZALO_OA_SECRET_KEY: OA_SECRET,
      ZALO_APP_SECRET_KEY: APP_SECRET,
      ZALO_OA_ACCESS_TOKEN: 'at-0',
      ZALO_OA_REFRESH_TOKEN: 'rt-0',
      ZALO_OA_API_BASE: fake.url,
      ZALO_OAUTH_BASE: fake.url,
      ZALO_OA_MAX_EVENT_AGE_SECONDS: '600',
      ...env,
    });
    const app = new HttpApp(logger);
    apps.push(app);
    const channel = createZaloOaChannel({ config, engine, app, logger, dataDir: data.dir }, { retryBaseMs: 5, ...opts });
    channels.push(channel);
    await channel.start();
    const port = await app.listen(0, '127.0.0.1');
    return { channel, url: `http://127.0.0.1:${port}${ZALO_OA_WEBHOOK_PATH}` };
  }

  it('is disabled without app id and OA secret', () => {
    const logger = silentLogger();
    const channel = createZaloOaChannel({
      config: makeConfig({ DATA_DIR: data.dir }),
      engine: makeEngine(),
      app: new HttpApp(logger),
      logger,
      dataDir: data.dir,
    });
    expect(channel.status()).toMatchObject({ name: 'zalo-oa', enabled: false, state: 'disabled' });
  });

  it('answers a signed text through /message/cs, replying to the incoming message id', async () => {
    const { channel, url } = await startChannel();
    expect(channel.status().state).toBe('running');
    const event = textEvent(APP_ID, 'user-1', 'vay vốn hộ nghèo', { msgId: 'msg-abc' });
    const res = await pushOaEvent(url, event, OA_SECRET);
    expect(res.status).toBe(200);
    await channel.idle();
    const expected = await makeEngine().handle({
      channel: 'zalo-oa',
      conversationId: 'user-1',
      text: 'vay vốn hộ nghèo',
      messageId: 'msg-abc',
    });
    expect(fake.messages.map((m) => m.text)).toEqual(packMessages(renderTurn(expected.replies)));
    expect(fake.messages[0].text).toContain(expected.replies[0].text.replace(/\*/g, '').trim().split('\n')[0]);
    expect(fake.messages.every((m) => m.recipient.message_id === 'msg-abc' && m.recipient.user_id === undefined)).toBe(true);
    expect(fake.messages[0].accessToken).toBe('at-0');
  });

  it('refuses a wrong or missing signature and sends nothing', async () => {
    const { channel, url } = await startChannel();
    const event = textEvent(APP_ID, 'user-1', 'xin chào');
    const wrongKey = await pushOaEvent(url, event, 'not-the-secret');
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.body).toHaveProperty('error');
    const missing = await pushOaEvent(url, event, OA_SECRET, { signature: null });
    expect(missing.status).toBe(401);
    // A valid signature for another body does not cover a tampered body.
    const tampered = await pushOaEvent(url, event, OA_SECRET, {
      body: JSON.stringify({ ...event, message: { ...event.message, text: 'khác' } }),
    });
    expect(tampered.status).toBe(403);
    const garbage = await pushOaEvent(url, event, OA_SECRET, { signature: 'mac=zz' });
    expect(garbage.status).toBe(403);
    await new Promise((r) => setTimeout(r, 100));
    await channel.idle();
    expect(fake.messages).toHaveLength(0);
    expect(fake.attempts).toHaveLength(0);
  });

  it('answers a retried (replayed) event once', async () => {
    const { channel, url } = await startChannel();
    const event = textEvent(APP_ID, 'user-2', 'xin chào', { msgId: 'msg-replay' });
    const first = await pushOaEvent(url, event, OA_SECRET);
    const second = await pushOaEvent(url, event, OA_SECRET);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ duplicate: true });
    await channel.idle();
    expect(fake.messages).toHaveLength(1);
  });

  it('remembers handled events across a restart (persisted de-duplication)', async () => {
    const first = await startChannel();
    const event = textEvent(APP_ID, 'user-2', 'xin chào', { msgId: 'msg-persist' });
    await pushOaEvent(first.url, event, OA_SECRET);
    await first.channel.idle();
    await first.channel.stop();
    const second = await startChannel();
    const res = await pushOaEvent(second.url, event, OA_SECRET);
    expect(res.body).toMatchObject({ duplicate: true });
    await second.channel.idle();
    expect(fake.messages).toHaveLength(1);
  });

  it('ignores events older than the configured age, and unknown or invalid events', async () => {
    const { channel, url } = await startChannel(makeEngine(), { ZALO_OA_MAX_EVENT_AGE_SECONDS: '60' });
    const old = await pushOaEvent(url, textEvent(APP_ID, 'user-3', 'xin chào', { timestamp: Date.now() - 120_000 }), OA_SECRET);
    expect(old).toMatchObject({ status: 200, body: { ignored: 'stale' } });
    const seen = await pushOaEvent(
      url,
      { app_id: APP_ID, event_name: 'user_seen_message', timestamp: String(Date.now()), sender: { id: 'oa' } },
      OA_SECRET,
    );
    expect(seen).toMatchObject({ status: 200, body: { ignored: 'event' } });
    const invalid = await pushOaEvent(
      url,
      { app_id: APP_ID, event_name: 'user_send_text', timestamp: String(Date.now()), sender: { id: 'u' } },
      OA_SECRET,
    );
    expect(invalid).toMatchObject({ status: 200, body: { ignored: 'invalid' } });
    await channel.idle();
    expect(fake.messages).toHaveLength(0);
  });

  it('refreshes the token on -216, persists the rotated refresh token first, and uses it after a restart', async () => {
    const first = await startChannel();
    fake.expireAccessTokens();
    await pushOaEvent(first.url, textEvent(APP_ID, 'user-4', 'xin chào'), OA_SECRET);
    await first.channel.idle();
    expect(fake.refreshCalls).toEqual([{ refreshToken: 'rt-0', ok: true }]);
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0].accessToken).toBe('at-1');
    const stored = JSON.parse(readFileSync(path.join(data.dir, TOKEN_FILE), 'utf8'));
    expect(stored).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });
    await first.channel.stop();

    // Restart with the same environment (still seeding rt-0, which the fake now refuses).
    fake.expireAccessTokens();
    const second = await startChannel();
    await pushOaEvent(second.url, textEvent(APP_ID, 'user-4', 'chào bạn'), OA_SECRET);
    await second.channel.idle();
    expect(fake.refreshCalls.map((c) => c.refreshToken)).toEqual(['rt-0', 'rt-1']);
    expect(fake.refreshCalls.every((c) => c.ok)).toBe(true);
    expect(fake.messages).toHaveLength(2);
    expect(fake.messages[1].accessToken).toBe('at-2');
    expect(JSON.parse(readFileSync(path.join(data.dir, TOKEN_FILE), 'utf8'))).toMatchObject({ refreshToken: 'rt-2' });
  });

  it('shares one refresh among concurrent sends (single-flight)', async () => {
    const { channel, url } = await startChannel();
    fake.expireAccessTokens();
    await Promise.all(['u-a', 'u-b', 'u-c'].map((u) => pushOaEvent(url, textEvent(APP_ID, u, 'xin chào'), OA_SECRET)));
    await channel.idle();
    expect(fake.refreshCalls).toHaveLength(1);
    expect(fake.messages).toHaveLength(3);
    expect(new Set(fake.messages.map((m) => m.accessToken))).toEqual(new Set(['at-1']));
  });

  it('refreshes ahead of expiry', async () => {
    let now = Date.now();
    const { channel, url } = await startChannel(makeEngine(), {}, { now: () => now, refreshMarginMs: 3600_000 });
    fake.expireAccessTokens();
    await pushOaEvent(url, textEvent(APP_ID, 'u-1', 'xin chào', { timestamp: now }), OA_SECRET);
    await channel.idle();
    expect(fake.refreshCalls).toHaveLength(1); // -216
    now += 89_000_000; // 24.7 h later: less than 1 h left on the 25 h token
    await pushOaEvent(url, textEvent(APP_ID, 'u-1', 'chào', { timestamp: now }), OA_SECRET);
    await channel.idle();
    expect(fake.refreshCalls).toHaveLength(2);
    expect(fake.attempts.at(-1)).toMatchObject({ accessToken: 'at-2', error: 0 });
  });

  it('records -230 (no interaction for 7 days) without retrying', async () => {
    const { channel, url } = await startChannel();
    fake.failNextSend(-230);
    await pushOaEvent(url, textEvent(APP_ID, 'u-old', 'xin chào'), OA_SECRET);
    await channel.idle();
    expect(fake.attempts).toHaveLength(1);
    expect(fake.messages).toHaveLength(0);
    expect(channel.staleRecipients).toBe(1);
  });

  it('splits a long answer into as few ≤ 2,000-character messages as possible', async () => {
    const paragraph = (i: number) => `Đoạn ${i}: ` + 'chính sách hỗ trợ hộ nghèo '.repeat(10).trim() + '.';
    const body = Array.from({ length: 20 }, (_, i) => paragraph(i)).join('\n\n');
    const engine = new ScriptedEngine(() => [{ text: body }]);
    const { channel, url } = await startChannel(engine);
    await pushOaEvent(url, textEvent(APP_ID, 'u-long', 'hỏi dài', { msgId: 'msg-long' }), OA_SECRET);
    await channel.idle();
    expect(body.length).toBeGreaterThan(4000);
    expect(fake.messages.length).toBe(Math.ceil(body.length / 2000));
    for (const m of fake.messages) {
      expect(m.text.length).toBeLessThanOrEqual(2000);
      expect(m.recipient.message_id).toBe('msg-long');
    }
    expect(fake.messages.map((m) => m.text).join('\n\n')).toBe(body);
  });

  it('budgets the free replies: at most 4 messages, cut with a note, choices kept', async () => {
    const body = Array.from({ length: 60 }, (_, i) => `Dòng ${i}: ` + 'nội dung '.repeat(20)).join('\n');
    const engine = new ScriptedEngine(() => [{ text: body, buttons: [{ label: 'Vay vốn', payload: 'topic:loan' }] }]);
    const { channel, url } = await startChannel(engine);
    await pushOaEvent(url, textEvent(APP_ID, 'u-long', 'hỏi dài'), OA_SECRET);
    await channel.idle();
    expect(fake.messages).toHaveLength(4);
    const last = fake.messages[3].text;
    expect(last).toContain(MORE_NOTE);
    expect(last).toContain('Trả lời bằng số:\n1. Vay vốn');
    for (const m of fake.messages) expect(m.text.length).toBeLessThanOrEqual(2000);
  });

  it('renders choices as numbered text and maps a numbered answer to the button payload', async () => {
    const engine = new ScriptedEngine((inc) => [
      {
        text: `Dạ, anh/chị chọn chủ đề (${inc.payload ?? inc.text}):`,
        buttons: [
          { label: 'Vay vốn', payload: 'topic:loan' },
          { label: 'Bảo hiểm y tế', payload: 'topic:health_insurance' },
        ],
        citations: [{ instrument: 'Nghị định 07/2021/NĐ-CP', article: 'Điều 3', effectiveFrom: '2021-03-15' }],
      },
    ]);
    const { channel, url } = await startChannel(engine);
    await pushOaEvent(url, textEvent(APP_ID, 'u-5', 'menu'), OA_SECRET);
    await channel.idle();
    expect(fake.messages[0].text).toContain('Căn cứ: Nghị định 07/2021/NĐ-CP (từ 15/03/2021).');
    expect(fake.messages[0].text).toContain('Trả lời bằng số:\n1. Vay vốn\n2. Bảo hiểm y tế');
    await pushOaEvent(url, textEvent(APP_ID, 'u-5', '2'), OA_SECRET);
    await channel.idle();
    expect(engine.inputs[1]).toMatchObject({ channel: 'zalo-oa', conversationId: 'u-5', payload: 'topic:health_insurance' });
    expect(engine.inputs[1].text).toBeUndefined();
    // Another user's "2" is plain text: choices are remembered per user.
    await pushOaEvent(url, textEvent(APP_ID, 'u-6', '2'), OA_SECRET);
    await channel.idle();
    expect(engine.inputs[2]).toMatchObject({ conversationId: 'u-6', text: '2' });
  });

  it('welcomes a new follower with the topic menu', async () => {
    const engine = makeEngine();
    const { channel, url } = await startChannel(engine);
    const res = await pushOaEvent(
      url,
      {
        app_id: APP_ID,
        oa_id: 'oa-1',
        event_name: 'follow',
        timestamp: String(Date.now()),
        follower: { id: 'u-new' },
        source: 'oa_profile',
      },
      OA_SECRET,
    );
    expect(res.status).toBe(200);
    await channel.idle();
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0].recipient).toEqual({ user_id: 'u-new' });
    expect(fake.messages[0].text.startsWith(MESSAGES.welcome)).toBe(true);
    const menu = await makeEngine().handle({ channel: 'zalo-oa', conversationId: 'u-new', payload: 'menu' });
    expect(fake.messages[0].text).toContain(renderTurn(menu.replies).body);
  });

  it('answers an image with a short hint', async () => {
    const { channel, url } = await startChannel();
    const event = {
      app_id: APP_ID,
      event_name: 'user_send_image',
      timestamp: String(Date.now()),
      sender: { id: 'u-img' },
      recipient: { id: 'oa-1' },
      message: { msg_id: 'msg-img', attachments: [{ type: 'image', payload: { url: 'https://example.invalid/a.jpg' } }] },
    };
    await pushOaEvent(url, event, OA_SECRET);
    await channel.idle();
    expect(fake.messages).toEqual([{ recipient: { message_id: 'msg-img' }, text: MESSAGES.nonText, accessToken: 'at-0' }]);
  });

  it('does not crash when the refresh token is refused; marks the channel failed', async () => {
    const { channel, url } = await startChannel(makeEngine(), { ZALO_OA_REFRESH_TOKEN: 'rt-wrong', ZALO_OA_ACCESS_TOKEN: 'at-wrong' });
    await pushOaEvent(url, textEvent(APP_ID, 'u-7', 'xin chào'), OA_SECRET);
    await channel.idle();
    await waitFor(() => fake.refreshCalls.length === 1);
    expect(fake.messages).toHaveLength(0);
    expect(channel.status().state).toBe('failed');
  });

  it('never logs tokens, secrets or unmasked resident text', async () => {
    const lines: string[] = [];
    const logger = createLogger('trace', { write: (l: string) => void lines.push(l) });
    const { channel, url } = await startChannel(makeEngine(), {}, {}, logger);
    fake.expireAccessTokens();
    await pushOaEvent(url, textEvent(APP_ID, 'u-log', 'số điện thoại của tôi là 0912345678'), OA_SECRET);
    await pushOaEvent(url, textEvent(APP_ID, 'u-log', 'xin chào'), 'wrong-secret');
    fake.failNextSend(-230);
    await pushOaEvent(url, textEvent(APP_ID, 'u-log', 'chào'), OA_SECRET);
    await channel.idle();
    expect(fake.refreshCalls).toHaveLength(1);
    const out = lines.join('');
    expect(out.length).toBeGreaterThan(0);
    for (const secret of ['at-0', 'rt-0', 'at-1', 'rt-1', APP_SECRET, OA_SECRET, '0912345678']) expect(out).not.toContain(secret);
  });
});
