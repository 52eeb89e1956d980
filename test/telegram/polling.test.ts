import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBotApi, BOT_INFO } from './fake-bot-api.ts';
import { keyboardLabels, makeChannel, sleep, tempDir, Twin, type Harness } from './helpers.ts';
import { COMMANDS, TEXTS } from '../../src/channels/telegram/texts.ts';
import { createTelegramChannel } from '../../src/channels/telegram/index.ts';
import { escapeHtml } from '../../src/channels/telegram/render.ts';
import { HttpApp } from '../../src/http/http-app.ts';
import { createLogger, silentLogger } from '../../src/observability/logger.ts';
import { makeConfig, makeEngine } from './helpers.ts';

describe('telegram channel, polling against a fake Bot API', () => {
  let api: FakeBotApi;
  let h: Harness | undefined;
  let tmp: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    api = await new FakeBotApi().start();
    tmp = tempDir();
  });

  afterEach(async () => {
    await h?.close();
    h = undefined;
    await api.close();
    tmp.cleanup();
  });

  async function startBot(env: Record<string, string> = {}) {
    h = makeChannel({ env: { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot, ...env }, dataDir: tmp.dir });
    await h.channel.start();
    return h;
  }

  it('is disabled without a token, never an error', async () => {
    const channel = createTelegramChannel({
      config: makeConfig({}),
      engine: makeEngine(),
      app: new HttpApp(silentLogger()),
      logger: silentLogger(),
      dataDir: tmp.dir,
    });
    expect(channel.name).toBe('telegram');
    await channel.start();
    expect(channel.status()).toMatchObject({ name: 'telegram', enabled: false, state: 'disabled' });
    await channel.stop();
    expect(api.calls).toHaveLength(0);
  });

  it('starts: getMe, Vietnamese commands registered, webhook removed, polling', async () => {
    await startBot();
    expect(h!.channel.status()).toMatchObject({ enabled: true, state: 'running' });
    expect(api.callsOf('getMe')).toHaveLength(1);
    await api.waitFor(() => api.callsOf('setMyCommands').length === 1, 2000, 'setMyCommands');
    expect(api.commands.map((c) => c.command)).toEqual(COMMANDS.map((c) => c.command));
    expect(api.commands.map((c) => c.command)).toEqual(
      expect.arrayContaining(['start', 'help', 'chinhsach', 'kiemtra', 'solieu', 'huy', 'xoadulieu']),
    );
    expect(api.callsOf('deleteWebhook')).toHaveLength(1);
    await api.waitFor(() => api.pollCount > 0, 2000, 'a getUpdates call');
  });

  it('/start sends the menu payload and renders the reply (keyboard iff the core offers buttons)', async () => {
    await startBot();
    const twin = new Twin();
    const user = api.user(1001);
    api.sendText(user, '/start');
    const expected = await twin.turn({ conversationId: '1001', payload: 'menu' });
    await api.waitForTexts(1001, expected.texts.length);
    expect(h!.seen[0]).toMatchObject({ channel: 'telegram', conversationId: '1001', payload: 'menu', isAdmin: false });
    expect(api.textsTo(1001)).toEqual(expected.texts);
    const sent = api.callsOf('sendMessage', 1001);
    expect(sent.every((c) => c.params.parse_mode === 'HTML')).toBe(true);
    const last = sent[sent.length - 1];
    expect(keyboardLabels(last.params)).toEqual(expected.labels[expected.labels.length - 1]);
    expect(api.callsOf('sendChatAction', 1001)[0]?.params.action).toBe('typing');
  });

  it('answers a question with exactly what the engine produces (citations rendered), then a button press', async () => {
    await startBot();
    const twin = new Twin();
    const user = api.user(1002);
    const question = 'Hộ nghèo được vay vốn tối đa bao nhiêu?';
    api.sendText(user, question);
    const expected = await twin.turn({ conversationId: '1002', text: question });
    const texts = await api.waitForTexts(1002, expected.texts.length);
    expect(texts).toEqual(expected.texts);
    const cited = expected.replies.flatMap((r) => r.citations ?? []);
    if (cited.length) expect(texts.join('\n')).toMatch(/Căn cứ: |Nguồn: /);
    expect(h!.seen[0]).toMatchObject({ text: question, conversationId: '1002' });

    // A button press: the callback is answered, the payload reaches the engine, the next reply is sent.
    const payload = expected.replies.flatMap((r) => r.buttons ?? [])[0]?.payload ?? 'menu:topics';
    const before = api.textsTo(1002).length;
    const press = api.press(user, payload);
    const next = await twin.turn({ conversationId: '1002', payload });
    await api.waitForTexts(1002, before + next.texts.length);
    expect(api.callsOf('answerCallbackQuery').map((c) => c.params.callback_query_id)).toContain(press.callback_query.id);
    expect(h!.seen[1]).toMatchObject({ payload, conversationId: '1002' });
    expect(api.textsTo(1002).slice(before)).toEqual(next.texts);
  });

  it('keeps order within a chat while serving many chats', async () => {
    await startBot();
    const twin = new Twin();
    const users = [2001, 2002, 2003].map((id) => api.user(id));
    const msgs = ['câu một', 'câu hai', 'câu ba', 'câu bốn'];
    for (const m of msgs) for (const u of users) api.sendText(u, m);
    for (const u of users) {
      const expected: string[] = [];
      for (const m of msgs) expected.push(...(await twin.turn({ conversationId: String(u.id), text: m })).texts);
      await api.waitForTexts(u.id, expected.length);
      expect(api.textsTo(u.id)).toEqual(expected);
    }
  });

  it('retries an API 429 and delivers the message', async () => {
    await startBot();
    const twin = new Twin();
    api.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    const user = api.user(1003);
    api.sendText(user, 'xin chào');
    const expected = await twin.turn({ conversationId: '1003', text: 'xin chào' });
    await api.waitForTexts(1003, expected.texts.length + 1, 4500); // the refused attempt is recorded too
    const texts = api.textsTo(1003);
    expect(texts[0]).toBe(texts[1]); // same message sent again
    expect(texts.slice(1)).toEqual(expected.texts);
    const [first, second] = api.callsOf('sendMessage', 1003);
    expect(second.at - first.at).toBeGreaterThanOrEqual(900);
  });

  it('keeps working when non-essential calls fail (setMyCommands, sendChatAction, answerCallbackQuery)', async () => {
    api.failNext('setMyCommands', { error_code: 400, description: 'Bad Request: broken' });
    api.failNext('sendChatAction', { error_code: 400, description: 'Bad Request: broken' }, 5);
    api.failNext('answerCallbackQuery', { error_code: 400, description: 'Bad Request: query is too old' });
    await startBot();
    expect(h!.channel.status().state).toBe('running');
    const user = api.user(1004);
    api.sendText(user, 'chào em');
    await api.waitForTexts(1004, 1);
    api.press(user, 'menu');
    await api.waitForTexts(1004, 2);
    expect(h!.channel.status().state).toBe('running');
  });

  it('answers non-text messages with a short hint', async () => {
    await startBot();
    const user = api.user(1005);
    const base = api.textMessage(user, '');
    delete base.text;
    api.inject({ message: { ...base, photo: [{ file_id: 'p1', file_unique_id: 'u1', width: 10, height: 10 }] } });
    api.inject({
      message: {
        ...api.textMessage(user, ''),
        text: undefined,
        sticker: { file_id: 's', file_unique_id: 's', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false },
      },
    });
    api.inject({ message: { ...api.textMessage(user, ''), text: undefined, location: { latitude: 21.0, longitude: 105.8 } } });
    const texts = await api.waitForTexts(1005, 3);
    for (const t of texts) expect(t).toBe(escapeHtml(TEXTS.nonText));
    expect(t0(texts)).toContain('chỉ đọc được tin nhắn chữ');
    expect(h!.seen).toHaveLength(0);
  });

  it('in groups answers only when addressed (mention, reply to the bot, /command@bot)', async () => {
    await startBot();
    const twin = new Twin();
    const user = api.user(1006);
    const group = api.groupChat(-100777);
    api.sendText(user, 'mọi người ơi, họp thôn lúc 8 giờ', {}, group);
    api.sendText(user, '/start', {}, group); // bare command: for whichever bot, not us
    api.sendText(user, '/start@OtherBot', {}, group);
    await sleep(400);
    expect(api.textsTo(-100777)).toHaveLength(0);

    const exp1 = await twin.turn({ conversationId: '-100777', text: 'hộ cận nghèo có được cấp thẻ BHYT không?' });
    api.sendText(user, `@${BOT_INFO.username} hộ cận nghèo có được cấp thẻ BHYT không?`, {}, group);
    await api.waitForTexts(-100777, exp1.texts.length);
    expect(h!.seen[0].text).toBe('hộ cận nghèo có được cấp thẻ BHYT không?');

    const exp2 = await twin.turn({ conversationId: '-100777', payload: 'menu' });
    api.sendText(user, `/start@${BOT_INFO.username}`, {}, group);
    await api.waitForTexts(-100777, exp1.texts.length + exp2.texts.length);

    const botMsg = api.botMessages[api.botMessages.length - 1];
    const exp3 = await twin.turn({ conversationId: '-100777', text: 'còn hộ mới thoát nghèo?' });
    api.sendText(user, 'còn hộ mới thoát nghèo?', { reply_to_message: botMsg }, group);
    await api.waitForTexts(-100777, exp1.texts.length + exp2.texts.length + exp3.texts.length);
    expect(api.textsTo(-100777)).toEqual([...exp1.texts, ...exp2.texts, ...exp3.texts]);
    expect(h!.seen.map((i) => i.conversationId)).toEqual(['-100777', '-100777', '-100777']);
  });

  it('rate-limits a flooding user with one polite message', async () => {
    await startBot({ RATE_LIMIT_PER_MINUTE: '3' });
    const user = api.user(1007);
    for (let i = 0; i < 8; i++) api.sendText(user, `tin số ${i}`);
    const limited = () => api.textsTo(1007).filter((t) => t === escapeHtml(TEXTS.rateLimited)).length;
    await api.waitFor(() => h!.seen.length === 3 && limited() === 1, 3000, 'replies');
    await sleep(300);
    expect(limited()).toBe(1);
    expect(h!.seen).toHaveLength(3);
  });

  it('admins are flagged and not rate-limited', async () => {
    await startBot({ RATE_LIMIT_PER_MINUTE: '1', ADMIN_TELEGRAM_IDS: '1008' });
    const admin = api.user(1008);
    api.sendText(admin, 'một');
    api.sendText(admin, 'hai');
    await api.waitFor(() => h!.seen.length === 2, 3000, 'two turns');
    expect(h!.seen.every((i) => i.isAdmin === true)).toBe(true);
  });

  it('/huy, /kiemtra, /solieu, /chinhsach, /help map to core payloads; unknown commands to help', async () => {
    await startBot();
    const user = api.user(1009);
    for (const t of ['/huy', '/kiemtra', '/solieu', '/chinhsach', '/help', '/khonghieu']) api.sendText(user, t);
    await api.waitFor(() => h!.seen.length === 6, 3000, 'six turns');
    expect(h!.seen.map((i) => i.payload)).toEqual(['cancel', 'elig:start', 'stats:menu', 'menu:topics', 'help', 'help']);
  });

  it('/xoadulieu erases the stored session and confirms', async () => {
    await startBot();
    const user = api.user(1010);
    api.sendText(user, 'xin chào');
    await api.waitForTexts(1010, 1);
    const key = h!.engine.sessionKey({ channel: 'telegram', conversationId: '1010' });
    expect(h!.engine.erase).toBeTypeOf('function');
    const n = api.textsTo(1010).length;
    api.sendText(user, '/xoadulieu');
    const texts = await api.waitForTexts(1010, n + 1);
    expect(texts[n]).toBe(escapeHtml(TEXTS.erased));
    api.sendText(user, '/xoadulieu');
    const again = await api.waitForTexts(1010, n + 2);
    expect(again[n + 1]).toBe(escapeHtml(TEXTS.nothingToErase));
    expect(key).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers a quick edit in a private chat; ignores old edits', async () => {
    await startBot();
    const user = api.user(1011);
    const now = Math.floor(Date.now() / 1000);
    api.inject({ edited_message: { ...api.textMessage(user, 'hộ nghèo vay vốn'), date: now - 30, edit_date: now } });
    api.inject({ edited_message: { ...api.textMessage(user, 'cũ rồi'), date: now - 3600, edit_date: now } });
    await api.waitFor(() => h!.seen.length >= 1, 3000, 'edited message answered');
    await sleep(300);
    expect(h!.seen.map((i) => i.text)).toEqual(['hộ nghèo vay vốn']);
  });

  it('stop() waits for in-flight updates and confirms the offset', async () => {
    await startBot();
    const user = api.user(1012);
    api.sendText(user, 'câu hỏi trước khi dừng');
    await api.waitFor(() => h!.seen.length === 1, 3000, 'turn');
    await h!.channel.stop();
    expect(h!.channel.status().state).toBe('stopped');
    const texts = api.textsTo(1012);
    expect(texts.length).toBeGreaterThan(0);
    // Offset confirmed: a new poller gets nothing old.
    const res = await fetch(`${api.apiRoot}/bot${api.token}/getUpdates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"timeout":0}',
    });
    expect(((await res.json()) as { result: unknown[] }).result).toHaveLength(0);
  });

  it('never logs the token; resident text is masked in logs', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (l: string) => void lines.push(l) });
    h = makeChannel({ env: { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot }, dataDir: tmp.dir, logger });
    api.failNext('sendChatAction', { error_code: 400, description: 'Bad Request: broken' });
    await h.channel.start();
    api.sendText(api.user(1013), 'số của tôi là 0912345678, CCCD 001234567890');
    await api.waitFor(() => h!.seen.length === 1 && api.textsTo(1013).length > 0, 3000, 'turn');
    await h.close();
    h = undefined;
    // Unreachable API: network errors are logged, still without the token.
    const down = makeChannel({ env: { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: 'http://127.0.0.1:9' }, dataDir: tmp.dir, logger });
    await down.channel.start();
    expect(down.channel.status().state).toBe('starting');
    await down.close();
    const all = lines.join('\n');
    expect(all).toContain('non-essential Telegram call failed');
    expect(all).toContain('getMe failed, retrying');
    expect(all).toContain('[SĐT]');
    expect(all).not.toContain('0912345678');
    expect(all).not.toContain(api.token);
    expect(all).not.toContain(api.token.split(':')[1]);
  });

  it('fails (without throwing) on a rejected token', async () => {
    h = makeChannel({ env: { TELEGRAM_BOT_TOKEN: '999:wrong', TELEGRAM_API_ROOT: api.apiRoot }, dataDir: tmp.dir });
    await h.channel.start();
    expect(h.channel.status()).toMatchObject({ state: 'failed', enabled: true });
    expect(JSON.stringify(h.channel.status())).not.toContain('999:wrong');
  });
});

function t0(a: string[]): string {
  return a[0] ?? '';
}
