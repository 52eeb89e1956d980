import { ServerProcesses, freePort, type Running } from '../helpers/server-process.ts';
import { afterAll, describe, expect, it } from 'vitest';
import TelegramServer from 'telegram-test-api';
import { FakeBotApi, type RecordedCall } from './fake-bot-api.ts';

/**
 * The real server process (`node --import tsx src/main.ts`, what `npm start` execs), configured by
 * environment variables only, as the judges run it:
 * - polling against the loopback FakeBotApi: /start menu, a policy question, a statistics question,
 *   the guided check (/kiemtra → area buttons → pressing "Nông thôn" → number of people);
 * - polling against the independent `telegram-test-api` emulator: the same conversation;
 * - webhook mode: setWebhook(PUBLIC_URL + /webhooks/telegram, secret), a signed update answered,
 *   a wrong or missing secret refused with 401 and nothing sent.
 */

const SECRET = 'tg-e2e-webhook_SECRET-123';

const fakes: FakeBotApi[] = [];
const emulators: Array<InstanceType<typeof TelegramServer>> = [];
const procs = new ServerProcesses('tg-e2e-');
const startServer = (env: Record<string, string>) => procs.start(env);
const stopServer = (r: Running) => procs.stop(r);

async function fakeApi(): Promise<FakeBotApi> {
  const api = await new FakeBotApi().start();
  fakes.push(api);
  return api;
}

/** Polls until `predicate` holds (the failure message carries the server output). */
async function until(predicate: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function buttonsOf(call: RecordedCall | undefined): Array<{ text: string; callback_data?: string }> {
  const kb = call?.params.reply_markup?.inline_keyboard as Array<Array<{ text: string; callback_data?: string }>> | undefined;
  return kb ? kb.flat() : [];
}

afterAll(async () => {
  await Promise.allSettled(fakes.map((f) => f.close()));
  await Promise.allSettled(emulators.map((e) => e.stop()));
  await procs.cleanup();
}, 30_000);

describe('server process (npm start equivalent) with the Telegram channel', () => {
  it('polling against the fake Bot API: /start menu, policy and statistics questions, guided check with a button', async () => {
    const api = await fakeApi();
    const server = await startServer({ TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot });
    expect(server.output()).toMatch(/kênh telegram: running/);
    const fail = (what: string) => () =>
      `${what}\n--- server output ---\n${server.output()}\n--- sent ---\n${JSON.stringify(
        api.callsOf('sendMessage').map((c) => c.params.text),
        null,
        1,
      )}`;
    const user = api.user(4242, 'Lan');
    const sent = () => api.callsOf('sendMessage', user.id);

    // Start-up: getMe, commands in Vietnamese, no webhook, polling.
    await until(() => api.callsOf('setMyCommands').length > 0 && api.pollCount > 0, 8_000, fail('setMyCommands and polling'));
    expect(api.commands.map((c) => c.command)).toEqual(expect.arrayContaining(['start', 'help', 'chinhsach', 'kiemtra', 'solieu', 'huy']));
    expect(api.callsOf('deleteWebhook').length).toBeGreaterThan(0);

    // /start → greeting with an inline keyboard.
    api.sendText(user, '/start');
    await until(() => sent().some((c) => buttonsOf(c).length > 0), 8_000, fail('/start menu'));
    expect(sent().every((c) => c.params.parse_mode === 'HTML')).toBe(true);

    // A policy question.
    let n = sent().length;
    api.sendText(user, 'lãi suất vay hộ nghèo hiện nay');
    await until(
      () =>
        sent()
          .slice(n)
          .some((c) => String(c.params.text).includes('6,24%')),
      8_000,
      fail('policy answer with 6,24%'),
    );

    // A statistics question.
    n = sent().length;
    api.sendText(user, 'số hộ nghèo Bình Thuận cuối năm 2023');
    await until(
      () =>
        sent()
          .slice(n)
          .some((c) => String(c.params.text).includes('6.621')),
      8_000,
      fail('statistics answer with 6.621'),
    );

    // The guided check: /kiemtra asks about the area with buttons; "Nông thôn" leads to the number of people.
    n = sent().length;
    api.sendText(user, '/kiemtra');
    const areaQuestion = () =>
      sent()
        .slice(n)
        .find((c) => buttonsOf(c).some((b) => b.text === 'Nông thôn'));
    await until(() => areaQuestion() !== undefined, 8_000, fail('/kiemtra area question'));
    expect(String(areaQuestion()!.params.text)).toMatch(/nông thôn hay thành thị/i);
    expect(buttonsOf(areaQuestion()).map((b) => b.text)).toEqual(expect.arrayContaining(['Nông thôn', 'Thành thị']));
    const rural = buttonsOf(areaQuestion()).find((b) => b.text === 'Nông thôn')!;
    expect(rural.callback_data).toBeTruthy();

    n = sent().length;
    const press = api.press(user, rural.callback_data!);
    await until(
      () =>
        sent()
          .slice(n)
          .some((c) => /bao nhiêu người/i.test(String(c.params.text))),
      8_000,
      fail('members question'),
    );
    expect(api.callsOf('answerCallbackQuery').map((c) => c.params.callback_query_id)).toContain(press.callback_query.id);
    const members = sent()
      .slice(n)
      .find((c) => /bao nhiêu người/i.test(String(c.params.text)));
    expect(buttonsOf(members).map((b) => b.text)).toEqual(expect.arrayContaining(['2 người', '4 người']));

    expect(server.output()).not.toContain(api.token);
    expect((await stopServer(server)).code).toBe(0);
  }, 30_000);

  it('polling against the telegram-test-api emulator: /start, policy and statistics questions, guided check with a button', async () => {
    const token = '424242:SERVER-E2E-emulator-token';
    const emulator = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 60 });
    emulators.push(emulator);
    await emulator.start();
    const server = await startServer({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: emulator.config.apiURL });
    const client = emulator.getClient(token, { chatId: 7007, userId: 7007, timeout: 4000, interval: 50 });
    const got: any[] = [];
    const waitMessage = async (predicate: (m: any) => boolean, what: string) => {
      const deadline = Date.now() + 8_000;
      while (!got.some((u) => u.message && predicate(u.message))) {
        if (Date.now() > deadline) {
          throw new Error(
            `timed out waiting for ${what}\n--- server output ---\n${server.output()}\n--- got ---\n${JSON.stringify(got.map((u) => u.message?.text))}`,
          );
        }
        const res = await client.getUpdates();
        got.push(...res.result);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    await client.sendCommand(client.makeCommand('/start'));
    await waitMessage((m) => (m.reply_markup?.inline_keyboard?.flat().length ?? 0) > 0, '/start menu');

    await client.sendMessage(client.makeMessage('lãi suất vay hộ nghèo hiện nay'));
    await waitMessage((m) => String(m.text).includes('6,24%'), 'policy answer with 6,24%');

    await client.sendMessage(client.makeMessage('số hộ nghèo Bình Thuận cuối năm 2023'));
    await waitMessage((m) => String(m.text).includes('6.621'), 'statistics answer with 6.621');

    // The guided check, pressing the "Nông thôn" button (the emulator's callback query).
    await client.sendCommand(client.makeCommand('/kiemtra'));
    const hasRural = (m: any) => (m.reply_markup?.inline_keyboard?.flat() ?? []).some((b: { text: string }) => b.text === 'Nông thôn');
    await waitMessage(hasRural, '/kiemtra area question');
    const areaMsg = got.map((u) => u.message).find((m) => m && hasRural(m));
    const rural = areaMsg.reply_markup.inline_keyboard.flat().find((b: { text: string }) => b.text === 'Nông thôn');
    await client.sendCallback(client.makeCallbackQuery(rural.callback_data));
    await waitMessage((m) => /bao nhiêu người/i.test(String(m.text)), 'members question');
    expect(server.output()).not.toContain(token);
    expect((await stopServer(server)).code).toBe(0);
  }, 30_000);

  it('webhook mode: registers PUBLIC_URL/webhooks/telegram with the secret, answers a signed update, refuses a wrong or missing secret', async () => {
    const api = await fakeApi();
    const port = await freePort();
    const server = await startServer({
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: 'webhook',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      PORT: String(port),
    });
    const fail = (what: string) => () => `${what}\n--- server output ---\n${server.output()}`;
    await until(() => api.webhook !== null, 8_000, fail('setWebhook'));
    expect(api.webhook!.url).toBe(`http://127.0.0.1:${port}/webhooks/telegram`);
    expect(api.webhook!.url.endsWith('/webhooks/telegram')).toBe(true);
    expect(api.webhook!.secret_token).toBe(SECRET);
    expect(api.pollCount).toBe(0);

    const user = api.user(5151, 'Minh');
    const res = await api.postToWebhook(api.makeUpdate({ message: api.textMessage(user, 'lãi suất vay hộ nghèo hiện nay') }), SECRET);
    expect(res.status).toBe(200);
    await until(() => api.textsTo(user.id).some((t) => t.includes('6,24%')), 8_000, fail('webhook answer'));

    // /start through the webhook too.
    const n = api.callsOf('sendMessage', user.id).length;
    expect((await api.postToWebhook(api.makeUpdate({ message: api.textMessage(user, '/start') }), SECRET)).status).toBe(200);
    await until(
      () =>
        api
          .callsOf('sendMessage', user.id)
          .slice(n)
          .some((c) => buttonsOf(c).length > 0),
      8_000,
      fail('webhook /start'),
    );

    // Wrong and missing secrets: 401, not processed.
    const intruder = api.user(6161, 'Kẻ lạ');
    const before = api.callsOf('sendMessage').length;
    const wrong = await api.postToWebhook(
      api.makeUpdate({ message: api.textMessage(intruder, 'lãi suất vay hộ nghèo hiện nay') }),
      'not-the-secret',
    );
    expect(wrong.status).toBe(401);
    const missing = await api.postToWebhook(api.makeUpdate({ message: api.textMessage(intruder, '/start') }), null);
    expect(missing.status).toBe(401);
    const prefix = await api.postToWebhook(api.makeUpdate({ message: api.textMessage(intruder, '/start') }), SECRET.slice(0, -1));
    expect(prefix.status).toBe(401);
    await new Promise((r) => setTimeout(r, 400));
    expect(api.callsOf('sendMessage').length).toBe(before);
    expect(api.calls.some((c) => String(c.params.chat_id) === String(intruder.id))).toBe(false);

    // Direct POST as an independent webhook sender would do it (same route, the header spelled in lower case).
    const direct = await fetch(`${server.base}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(api.makeUpdate({ message: api.textMessage(user, 'số hộ nghèo Bình Thuận cuối năm 2023') })),
    });
    expect(direct.status).toBe(200);
    await until(() => api.textsTo(user.id).some((t) => t.includes('6.621')), 8_000, fail('direct webhook answer'));

    expect(server.output()).not.toContain(api.token);
    expect((await stopServer(server)).code).toBe(0);
  }, 30_000);
});
