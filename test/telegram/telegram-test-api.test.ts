import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import TelegramServer from 'telegram-test-api';
import { makeChannel, tempDir, Twin, type Harness } from './helpers.ts';

/**
 * The bot against an independent emulator (npm telegram-test-api) in polling mode. The emulator
 * implements only getMe, getUpdates (answering at once, ignoring offset/timeout), sendMessage,
 * answerCallbackQuery, editMessage*, deleteMessage and set/deleteWebhook: setMyCommands and
 * sendChatAction fail there and must fail soft.
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const TOKEN = '424242:EMULATOR-token';

describe('telegram channel against telegram-test-api (polling)', () => {
  let server: InstanceType<typeof TelegramServer>;
  let h: Harness | undefined;
  let tmp: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    const port = await freePort();
    server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 60 });
    await server.start();
    tmp = tempDir();
  });

  afterEach(async () => {
    await h?.close();
    h = undefined;
    await server.stop();
    tmp.cleanup();
  });

  /** Collects the bot's messages to the client's chat until `count` have arrived. */
  async function botTexts(client: ReturnType<typeof server.getClient>, count: number): Promise<any[]> {
    const got: any[] = [];
    const deadline = Date.now() + 4000;
    while (got.length < count && Date.now() < deadline) {
      const res = await client.getUpdates();
      got.push(...res.result);
    }
    return got;
  }

  it('answers /start, a question and a button press', async () => {
    h = makeChannel({ env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: server.config.apiURL }, dataDir: tmp.dir });
    await h.channel.start();
    expect(h.channel.status().state).toBe('running');

    const twin = new Twin();
    const client = server.getClient(TOKEN, { chatId: 6001, userId: 6001, timeout: 4000, interval: 50 });

    await client.sendCommand(client.makeCommand('/start'));
    const start = await twin.turn({ conversationId: '6001', payload: 'menu' });
    const r1 = await botTexts(client, start.texts.length);
    expect(r1.map((u) => u.message.text)).toEqual(start.texts);
    expect(r1.every((u) => u.message.parse_mode === 'HTML')).toBe(true);
    const lastMarkup = r1.at(-1).message.reply_markup;
    const labels = lastMarkup?.inline_keyboard?.flat().map((b: { text: string }) => b.text) ?? [];
    expect(labels).toEqual(start.labels.at(-1));

    const question = 'Sinh viên hộ cận nghèo có được vay vốn đi học không?';
    await client.sendMessage(client.makeMessage(question));
    const answer = await twin.turn({ conversationId: '6001', text: question });
    const r2 = await botTexts(client, answer.texts.length);
    expect(r2.map((u) => u.message.text)).toEqual(answer.texts);

    await client.sendCallback(client.makeCallbackQuery('menu:topics'));
    const topics = await twin.turn({ conversationId: '6001', payload: 'menu:topics' });
    const r3 = await botTexts(client, topics.texts.length);
    expect(r3.map((u) => u.message.text)).toEqual(topics.texts);

    expect(h.seen.map((i) => i.payload ?? i.text)).toEqual(['menu', question, 'menu:topics']);
    expect(h.channel.status().state).toBe('running');
  });
});
