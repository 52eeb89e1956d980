import { FakeBotApi, BOT_INFO } from '../telegram/fake-bot-api.ts';
import { FAST, makeConfig, tempDir } from '../telegram/helpers.ts';
import { createTelegramChannel } from '../../src/channels/telegram/index.ts';
import { htmlToPlain } from '../../src/channels/telegram/render.ts';
import { TEXTS } from '../../src/channels/telegram/texts.ts';
import { HttpApp } from '../../src/http/http-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { runChannelContract } from './contract.ts';

/** The Telegram adapter (polling) against the loopback fake Bot API. */
const GROUP_ID = -100_424_242;

runChannelContract({
  name: 'telegram',
  maxMessageLength: 4096,
  pleaseWait: TEXTS.rateLimited,
  supportsGroups: true,
  adminEnv: (user) => ({ ADMIN_TELEGRAM_IDS: user }),
  createDisabled: (engine) =>
    createTelegramChannel({
      config: makeConfig({}),
      engine,
      app: new HttpApp(silentLogger()),
      logger: silentLogger(),
      dataDir: tempDir().dir,
    }),
  async start({ engine, env }) {
    const api = await new FakeBotApi().start();
    const tmp = tempDir();
    const channel = createTelegramChannel(
      {
        config: makeConfig({ DATA_DIR: tmp.dir, TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot, ...env }),
        engine,
        app: new HttpApp(silentLogger()),
        logger: silentLogger(),
        dataDir: tmp.dir,
      },
      FAST,
    );
    await channel.start();
    const chatOf = (user: string, group?: boolean) => (group ? GROUP_ID : Number(user));
    return {
      channel,
      async sendUpdate({ user, text, group }) {
        const from = api.user(Number(user));
        if (!group) return api.sendText(from, text);
        // In a group the bot is addressed: /command@bot, or an @mention.
        const addressed = text.startsWith('/') ? text.replace(/^(\/\w+)/, `$1@${BOT_INFO.username}`) : `@${BOT_INFO.username} ${text}`;
        return api.sendText(from, addressed, {}, api.groupChat(GROUP_ID));
      },
      async redeliver(update) {
        api.inject(update as Record<string, unknown>);
      },
      async pressButton(user, label) {
        const sent = api.callsOf('sendMessage', Number(user)).reverse();
        for (const call of sent) {
          const button = (call.params.reply_markup?.inline_keyboard ?? []).flat().find((b: { text: string }) => b.text === label);
          if (button) return void api.press(api.user(Number(user)), button.callback_data);
        }
        throw new Error(`no button "${label}" sent to ${user}`);
      },
      sentMessages: (user, group) => api.textsTo(chatOf(user, group)).map(htmlToPlain),
      async stop() {
        await channel.stop();
        await engine.drain();
        await api.close();
        tmp.cleanup();
      },
    };
  },
});
