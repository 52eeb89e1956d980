import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpApp } from '../../src/http/http-app.ts';
import { createLogger, silentLogger, type Logger } from '../../src/observability/logger.ts';
import type { Engine } from '../../src/core/engine.ts';
import {
  createZaloBotChannel,
  ZALO_BOT_WEBHOOK_PATH,
  type ZaloBotChannel,
  type ZaloBotOptions,
} from '../../src/channels/zalo-bot/index.ts';
import { MESSAGES } from '../../src/channels/zalo-common/turn.ts';
import { packMessages, renderTurn } from '../../src/channels/zalo-common/text.ts';
import { botUpdate, FakeZaloBot } from './fakes/fake-zalo-bot.ts';
import { waitFor } from './fakes/http-util.ts';
import { makeConfig, makeEngine, ScriptedEngine, tmpDir } from './helpers.ts';

const TOKEN = '1234567890:bot-secret-token';
const SECRET = 'webhook-secret-123';

describe('Zalo Bot Platform channel', () => {
  let fake: FakeZaloBot;
  let data: { dir: string; cleanup: () => void };
  let apps: HttpApp[];
  let channels: ZaloBotChannel[];

  beforeEach(async () => {
    fake = await new FakeZaloBot(TOKEN).start();
    fake.maxHoldMs = 2000;
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
    opts: {
      mode?: 'polling' | 'webhook';
      engine?: Engine;
      token?: string;
      options?: ZaloBotOptions;
      logger?: Logger;
      apiBase?: string;
    } = {},
  ) {
    const logger = opts.logger ?? silentLogger();
    const app = new HttpApp(logger);
    apps.push(app);
    const port = await app.listen(0, '127.0.0.1');
    const config = makeConfig({
      DATA_DIR: data.dir,
      ZALO_BOT_TOKEN: opts.token ?? TOKEN,
      ZALO_BOT_API_BASE: opts.apiBase ?? fake.url,
      ZALO_BOT_MODE: opts.mode ?? 'polling',
      ZALO_BOT_WEBHOOK_SECRET: SECRET,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    const channel = createZaloBotChannel(
      { config, engine: opts.engine ?? makeEngine(), app, logger, dataDir: data.dir },
      { pollTimeoutSec: 1, retryBaseMs: 5, retryMaxMs: 20, ...opts.options },
    );
    channels.push(channel);
    await channel.start();
    return { channel, port };
  }

  async function expectedFor(chatId: string, text: string, messageId: string): Promise<string[]> {
    const r = await makeEngine().handle({ channel: 'zalo-bot', conversationId: chatId, text, messageId });
    return packMessages(renderTurn(r.replies), { maxMessages: 5 });
  }

  it('is disabled without a token', () => {
    const logger = silentLogger();
    const channel = createZaloBotChannel({
      config: makeConfig({ DATA_DIR: data.dir }),
      engine: makeEngine(),
      app: new HttpApp(logger),
      logger,
      dataDir: data.dir,
    });
    expect(channel.status()).toMatchObject({ name: 'zalo-bot', enabled: false, state: 'disabled' });
  });

  it('answers a text received by long polling, typing first', async () => {
    const { channel } = await startChannel();
    expect(channel.status().state).toBe('running');
    fake.enqueue(botUpdate('message.text.received', { chatId: 'chat-1', text: 'vay vốn sinh viên', messageId: 'm-1' }));
    await waitFor(() => fake.sent.length > 0, 3000, 'sendMessage');
    await channel.idle();
    expect(fake.sent.map((s) => s.text)).toEqual(await expectedFor('chat-1', 'vay vốn sinh viên', 'm-1'));
    expect(fake.sent.every((s) => s.chat_id === 'chat-1')).toBe(true);
    const methods = fake.calls.map((c) => c.method).filter((m) => m === 'sendChatAction' || m === 'sendMessage');
    expect(methods[0]).toBe('sendChatAction');
    expect(fake.callsOf('sendChatAction')[0].params).toEqual({ chat_id: 'chat-1', action: 'typing' });
    expect(fake.callsOf('getUpdates')[0].params).toEqual({ timeout: '1' });
  });

  it('keeps polling after 408 (no update) and after a 500', async () => {
    fake.maxHoldMs = 50;
    fake.failNext('getUpdates', 500, 2);
    const { channel } = await startChannel();
    await waitFor(() => fake.callsOf('getUpdates').filter((c) => c.status === 408).length >= 2, 3000, 'idle polls');
    fake.enqueue(botUpdate('message.text.received', { text: 'xin chào' }));
    await waitFor(() => fake.sent.length === 1, 3000, 'answer');
    await channel.idle();
  });

  it('stops promptly, aborting the held getUpdates', async () => {
    fake.maxHoldMs = 30_000;
    const { channel } = await startChannel({ options: { pollTimeoutSec: 30 } });
    await waitFor(() => fake.callsOf('getUpdates').length === 0 && fake.calls.some((c) => c.method === 'deleteWebhook'), 2000);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await channel.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(channel.status().state).toBe('stopped');
  });

  it('webhook mode: sets the webhook and accepts both body shapes', async () => {
    const { channel, port } = await startChannel({ mode: 'webhook' });
    expect(fake.webhook).toEqual({ url: `http://127.0.0.1:${port}${ZALO_BOT_WEBHOOK_PATH}`, secret: SECRET });
    const wrapped = await fake.pushWebhook(botUpdate('message.text.received', { chatId: 'c-w', text: 'bảo hiểm y tế', messageId: 'w-1' }));
    expect(wrapped.status).toBe(200);
    await channel.idle();
    const bare = await fake.pushWebhook(botUpdate('message.text.received', { chatId: 'c-b', text: 'học phí', messageId: 'b-1' }), {
      wrapped: false,
    });
    expect(bare.status).toBe(200);
    await channel.idle();
    expect(fake.sent.filter((s) => s.chat_id === 'c-w').map((s) => s.text)).toEqual(await expectedFor('c-w', 'bảo hiểm y tế', 'w-1'));
    expect(fake.sent.filter((s) => s.chat_id === 'c-b').map((s) => s.text)).toEqual(await expectedFor('c-b', 'học phí', 'b-1'));
    expect(fake.callsOf('getUpdates')).toHaveLength(0);
  });

  it('webhook mode: serves at once and retries a failing setWebhook in the background', async () => {
    fake.failNext('setWebhook', 500, 3);
    const { channel } = await startChannel({ mode: 'webhook', options: { maxRetries: 0, retryBaseMs: 20 } });
    expect(channel.status().state).toBe('running');
    expect(channel.status().detail).toMatch(/setWebhook thất bại/);
    await waitFor(() => fake.webhook !== null, 3000, 'setWebhook retried');
    await waitFor(() => channel.status().detail === undefined, 1000, 'detail cleared');
    expect(fake.callsOf('setWebhook').map((c) => c.status)).toEqual([500, 500, 500, 200]);
  });

  it('webhook mode: refuses a wrong or missing secret and processes nothing', async () => {
    const { channel } = await startChannel({ mode: 'webhook' });
    const wrong = await fake.pushWebhook(botUpdate('message.text.received', { text: 'xin chào' }), { secret: 'webhook-secret-124' });
    expect(wrong.status).toBe(403);
    const missing = await fake.pushWebhook(botUpdate('message.text.received', { text: 'xin chào' }), { secret: null });
    expect(missing.status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    await channel.idle();
    expect(fake.sent).toHaveLength(0);
    expect(fake.callsOf('sendChatAction')).toHaveLength(0);
  });

  it('answers a replayed update once and ignores bots', async () => {
    const { channel } = await startChannel({ mode: 'webhook' });
    const u = botUpdate('message.text.received', { text: 'xin chào', messageId: 'dup-1' });
    await fake.pushWebhook(u);
    await fake.pushWebhook(u, { wrapped: false });
    await fake.pushWebhook(botUpdate('message.text.received', { text: 'tôi là bot', isBot: true, fromId: 'bot-2' }));
    await channel.idle();
    expect(fake.sent).toHaveLength(1);
  });

  it('answers images, stickers and unsupported messages generically', async () => {
    const { channel } = await startChannel({ mode: 'webhook' });
    await fake.pushWebhook(botUpdate('message.image.received', { chatId: 'c-1' }));
    await fake.pushWebhook(botUpdate('message.sticker.received', { chatId: 'c-1' }));
    await fake.pushWebhook(botUpdate('message.unsupported.received', { chatId: 'c-1' }));
    await channel.idle();
    expect(fake.sent.map((s) => s.text)).toEqual([MESSAGES.nonText, MESSAGES.nonText, MESSAGES.unsupported]);
  });

  it('retries sendMessage after 429 and 5xx', async () => {
    const { channel } = await startChannel({ mode: 'webhook' });
    fake.failNext('sendMessage', 429, 2);
    fake.failNext('sendMessage', 503, 1);
    await fake.pushWebhook(botUpdate('message.text.received', { text: 'xin chào' }));
    await channel.idle();
    expect(fake.callsOf('sendMessage').map((c) => c.status)).toEqual([429, 429, 503, 200]);
    expect(fake.sent).toHaveLength(1);
  });

  it('gives up after a bounded number of retries', async () => {
    const { channel } = await startChannel({ mode: 'webhook', options: { maxRetries: 2 } });
    fake.failNext('sendMessage', 429, 10);
    await fake.pushWebhook(botUpdate('message.text.received', { text: 'xin chào' }));
    await channel.idle();
    expect(fake.callsOf('sendMessage')).toHaveLength(3);
    expect(fake.sent).toHaveLength(0);
  });

  it('a refused token (401) marks the channel failed without throwing', async () => {
    const { channel } = await startChannel({ token: '999:wrong' });
    expect(['failed']).toContain(channel.status().state);
    const { channel: hooked } = await startChannel({ mode: 'webhook', token: '999:wrong' });
    expect(hooked.status().state).toBe('failed');
  });

  it('a 401 while polling stops the loop and marks the channel failed', async () => {
    fake.maxHoldMs = 50;
    const { channel } = await startChannel();
    fake.failNext('getUpdates', 401, 1);
    await waitFor(() => channel.status().state === 'failed', 3000, 'failed state');
    const calls = fake.callsOf('getUpdates').length;
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.callsOf('getUpdates').length).toBe(calls);
  });

  it('splits long answers at 2,000 characters and maps numbered answers to payloads', async () => {
    const long = Array.from({ length: 12 }, (_, i) => `Mục ${i}: ` + 'thông tin chính sách '.repeat(15)).join('\n\n');
    const engine = new ScriptedEngine((inc) =>
      inc.payload ? [{ text: `payload ${inc.payload}` }] : [{ text: long, buttons: [{ label: 'Nhà ở', payload: 'topic:housing' }] }],
    );
    const { channel } = await startChannel({ mode: 'webhook', engine });
    await fake.pushWebhook(botUpdate('message.text.received', { chatId: 'c-9', text: 'hỏi dài' }));
    await channel.idle();
    expect(fake.sent.length).toBeGreaterThan(1);
    for (const s of fake.sent) expect(s.text.length).toBeLessThanOrEqual(2000);
    expect(fake.sent.at(-1)!.text).toMatch(/Trả lời bằng số:\n1\. Nhà ở$/);
    await fake.pushWebhook(botUpdate('message.text.received', { chatId: 'c-9', text: '1' }));
    await channel.idle();
    expect(engine.inputs[1]).toMatchObject({ channel: 'zalo-bot', conversationId: 'c-9', payload: 'topic:housing' });
  });

  it('never logs the bot token or the webhook secret, even on errors', async () => {
    const lines: string[] = [];
    const logger = createLogger('trace', { write: (l: string) => void lines.push(l) });
    const { channel } = await startChannel({ mode: 'webhook', logger });
    fake.failNext('sendMessage', 500, 10);
    await fake.pushWebhook(botUpdate('message.text.received', { text: 'gọi 0912345678' }));
    await fake.pushWebhook(botUpdate('message.text.received', { text: 'x' }), { secret: 'wrong-secret-value' });
    await channel.idle();
    // An unreachable API (closed port) in polling mode.
    const dead = await startChannel({ logger, apiBase: 'http://127.0.0.1:9', options: { maxRetries: 0 } });
    await new Promise((r) => setTimeout(r, 100));
    await dead.channel.stop();
    const out = lines.join('');
    expect(out).toContain('retried');
    for (const secret of [TOKEN, 'bot-secret-token', SECRET, '0912345678']) expect(out).not.toContain(secret);
  });
});
