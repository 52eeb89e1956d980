import { FakeZaloBot, botUpdate } from '../zalo/fakes/fake-zalo-bot.ts';
import { makeConfig, tmpDir } from '../zalo/helpers.ts';
import { createZaloBotChannel } from '../../src/channels/zalo-bot/index.ts';
import { MESSAGES } from '../../src/channels/zalo-common/turn.ts';
import { HttpApp } from '../../src/http/http-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { runChannelContract } from './contract.ts';
import { pressNumberedChoice } from './zalo-choices.ts';

/** The Zalo Bot Platform adapter (long polling) against the loopback fake Bot API. */
const TOKEN = '1234567890:contract-bot-token';
const GROUP_ID = 'group-contract';

runChannelContract({
  name: 'zalo-bot',
  maxMessageLength: 2000,
  pleaseWait: MESSAGES.tooFast,
  supportsGroups: true,
  adminEnv: (user) => ({ ADMIN_ZALO_IDS: user }),
  createDisabled: (engine) =>
    createZaloBotChannel({
      config: makeConfig({}),
      engine,
      app: new HttpApp(silentLogger()),
      logger: silentLogger(),
      dataDir: tmpDir().dir,
    }),
  async start({ engine, env }) {
    const fake = await new FakeZaloBot(TOKEN).start();
    fake.maxHoldMs = 1000;
    const tmp = tmpDir();
    const channel = createZaloBotChannel(
      {
        config: makeConfig({ DATA_DIR: tmp.dir, ZALO_BOT_TOKEN: TOKEN, ZALO_BOT_API_BASE: fake.url, ...env }),
        engine,
        app: new HttpApp(silentLogger()),
        logger: silentLogger(),
        dataDir: tmp.dir,
      },
      { pollTimeoutSec: 1, retryBaseMs: 5, retryMaxMs: 20 },
    );
    await channel.start();
    const sentMessages = (user: string, group?: boolean) =>
      fake.sent.filter((s) => s.chat_id === (group ? GROUP_ID : user)).map((s) => s.text);
    const send = async (user: string, text: string, group?: boolean) => {
      const update = botUpdate('message.text.received', { fromId: user, text });
      if (group) update.message.chat = { id: GROUP_ID, chat_type: 'GROUP' };
      fake.enqueue(update);
      return update;
    };
    return {
      channel,
      sendUpdate: ({ user, text, group }) => send(user, text, group),
      async redeliver(update) {
        fake.enqueue(update);
      },
      pressButton: (user, label) => pressNumberedChoice(sentMessages(user), label, (n) => send(user, n)),
      sentMessages,
      async stop() {
        await channel.stop();
        await engine.drain();
        await fake.close();
        tmp.cleanup();
      },
    };
  },
});
