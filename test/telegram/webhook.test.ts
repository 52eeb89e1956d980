import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBotApi } from './fake-bot-api.ts';
import { makeChannel, sleep, tempDir, Twin, type Harness } from './helpers.ts';
import { HttpApp } from '../../src/http/http-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { WEBHOOK_PATH } from '../../src/channels/telegram/index.ts';

const SECRET = 'webhook_Secret-123';

describe('telegram channel, webhook mode', () => {
  let api: FakeBotApi;
  let app: HttpApp;
  let port: number;
  let h: Harness | undefined;
  let app2: HttpApp;
  let tmp: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    api = await new FakeBotApi().start();
    tmp = tempDir();
    app = new HttpApp(silentLogger());
    port = await app.listen(0, '127.0.0.1');
    h = makeChannel({
      env: {
        TELEGRAM_BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.apiRoot,
        TELEGRAM_MODE: 'webhook',
        PUBLIC_URL: `http://127.0.0.1:${port}/`,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      },
      dataDir: tmp.dir,
      app,
    });
  });

  afterEach(async () => {
    await h?.close();
    h = undefined;
    await app.close(100);
    await api.close();
    tmp.cleanup();
  });

  it('registers the route and the webhook with the secret on start, without polling', async () => {
    expect(app.has('POST', WEBHOOK_PATH)).toBe(true);
    await h!.channel.start();
    expect(h!.channel.status()).toMatchObject({ state: 'running', enabled: true });
    expect(api.webhook).toEqual({
      url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
      secret_token: SECRET,
      allowed_updates: ['message', 'edited_message', 'callback_query'],
    });
    await sleep(100);
    expect(api.pollCount).toBe(0);
  });

  it('rejects a wrong or missing secret with 401 and processes nothing', async () => {
    await h!.channel.start();
    const user = api.user(3001);
    const update = api.makeUpdate({ message: api.textMessage(user, 'xin chào') });
    expect((await api.postToWebhook(update, 'wrong_secret')).status).toBe(401);
    expect((await api.postToWebhook(update, null)).status).toBe(401);
    expect((await api.postToWebhook(update, `${SECRET}x`)).status).toBe(401);
    expect((await api.postToWebhook(update, SECRET.slice(0, -1))).status).toBe(401);
    await sleep(300);
    expect(h!.seen).toHaveLength(0);
    expect(api.callsOf('sendMessage')).toHaveLength(0);
  });

  it('accepts the right secret: 200 at once, then the answer is sent', async () => {
    await h!.channel.start();
    const twin = new Twin();
    const user = api.user(3002);
    const update = api.makeUpdate({ message: api.textMessage(user, '/start') });
    const res = await api.postToWebhook(update);
    expect(res.status).toBe(200);
    const expected = await twin.turn({ conversationId: '3002', payload: 'menu' });
    await api.waitForTexts(3002, expected.texts.length);
    expect(api.textsTo(3002)).toEqual(expected.texts);

    // Telegram re-delivering the same update (e.g. after a timeout) is not answered twice.
    expect((await api.postToWebhook(update)).status).toBe(200);
    await sleep(200);
    expect(h!.seen).toHaveLength(1);

    // A button press through the webhook.
    const cq = api.makeUpdate({
      callback_query: { id: 'cq-w1', from: user, chat_instance: 'x', message: api.botMessages[0], data: 'menu:topics' },
    });
    expect((await api.postToWebhook(cq)).status).toBe(200);
    await api.waitFor(() => h!.seen.length === 2 && api.callsOf('answerCallbackQuery').length === 1, 3000, 'button turn');
    expect(h!.seen[1]).toMatchObject({ payload: 'menu:topics', conversationId: '3002' });
  });

  it('remembers handled update ids by time, across a restart and whatever the traffic in between', async () => {
    await h!.channel.start();
    const user = api.user(3005);
    const update = api.makeUpdate({ message: api.textMessage(user, 'lãi suất vay hộ nghèo') });
    expect((await api.postToWebhook(update)).status).toBe(200);
    await api.waitFor(() => h!.seen.length === 1, 3000, 'first turn');
    for (let i = 0; i < 50; i++) await api.postToWebhook(api.makeUpdate({ message: api.textMessage(api.user(4000 + i), 'xin chào') }));
    await api.waitFor(() => h!.seen.length === 51, 5000, 'other turns');
    await h!.close();
    h = makeChannel({
      env: {
        TELEGRAM_BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.apiRoot,
        TELEGRAM_MODE: 'webhook',
        PUBLIC_URL: `http://127.0.0.1:${port}/`,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      },
      dataDir: tmp.dir,
      app: (app2 = new HttpApp(silentLogger())),
    });
    const port2 = await app2.listen(0, '127.0.0.1');
    await h.channel.start();
    const res = await fetch(`http://127.0.0.1:${port2}${WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
    await sleep(300);
    expect(h.seen).toHaveLength(0);
    await app2.close(100);
  });

  it('answers 400 to bad JSON or a non-update (with the right secret)', async () => {
    await h!.channel.start();
    expect((await api.postToWebhook(null, SECRET, '{not json')).status).toBe(400);
    expect((await api.postToWebhook(null, SECRET, '[1,2]')).status).toBe(400);
    expect((await api.postToWebhook({ message: {} })).status).toBe(400);
  });

  it('still accepts signed updates when the API does not implement setWebhook (retried in the background)', async () => {
    api.failNext('setWebhook', { error_code: 404, description: 'Not Found: method not found' }, 50);
    await h!.channel.start();
    expect(h!.channel.status().state).toBe('running');
    expect(api.webhook).toBeNull();
    const user = api.user(3004);
    const res = await fetch(`http://127.0.0.1:${port}${WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(api.makeUpdate({ message: api.textMessage(user, 'xin chào') })),
    });
    expect(res.status).toBe(200);
    await api.waitForTexts(3004, 1);
  });

  it('refuses (503) before start and after stop, so Telegram retries later', async () => {
    const user = api.user(3003);
    // Route is registered before start: webhook unknown to the fake yet, post directly.
    const post = (secret: string) =>
      fetch(`http://127.0.0.1:${port}${WEBHOOK_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify(api.makeUpdate({ message: api.textMessage(user, 'a') })),
      });
    expect((await post(SECRET)).status).toBe(503);
    expect((await post('nope')).status).toBe(401);
    await h!.channel.start();
    await h!.channel.stop();
    expect((await post(SECRET)).status).toBe(503);
  });
});
