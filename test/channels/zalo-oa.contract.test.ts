import { FakeZaloOa, pushOaEvent, textEvent } from '../zalo/fakes/fake-zalo-oa.ts';
import { makeConfig, tmpDir } from '../zalo/helpers.ts';
import { createZaloOaChannel, ZALO_OA_WEBHOOK_PATH } from '../../src/channels/zalo-oa/index.ts';
import { MESSAGES } from '../../src/channels/zalo-common/turn.ts';
import { HttpApp } from '../../src/http/http-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { runChannelContract } from './contract.ts';
import { pressNumberedChoice } from './zalo-choices.ts';

/** The Zalo OA adapter (signed webhook) against the loopback fake OA API and OAuth server. */
const APP_ID = '4123456789012345678';
const OA_SECRET = 'oa-secret-for-contract';
const APP_SECRET = 'app-secret-for-contract';

runChannelContract({
  name: 'zalo-oa',
  maxMessageLength: 2000,
  pleaseWait: MESSAGES.tooFast,
  supportsGroups: false,
  adminEnv: (user) => ({ ADMIN_ZALO_IDS: user }),
  createDisabled: (engine) =>
    createZaloOaChannel({
      config: makeConfig({}),
      engine,
      app: new HttpApp(silentLogger()),
      logger: silentLogger(),
      dataDir: tmpDir().dir,
    }),
  async start({ engine, env }) {
    const fake = await new FakeZaloOa(APP_ID, APP_SECRET, { accessToken: 'at-0', refreshToken: 'rt-0' }).start();
    const tmp = tmpDir();
    const app = new HttpApp(silentLogger());
    const channel = createZaloOaChannel(
      {
        config: makeConfig({
          DATA_DIR: tmp.dir,
          ZALO_OA_APP_ID: APP_ID,
          ZALO_OA_SECRET_KEY: OA_SECRET,
          ZALO_APP_SECRET_KEY: APP_SECRET,
          ZALO_OA_ACCESS_TOKEN: 'at-0',
          ZALO_OA_REFRESH_TOKEN: 'rt-0',
          ZALO_OA_API_BASE: fake.url,
          ZALO_OAUTH_BASE: fake.url,
          ...env,
        }),
        engine,
        app,
        logger: silentLogger(),
        dataDir: tmp.dir,
      },
      { retryBaseMs: 5 },
    );
    await channel.start();
    const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}${ZALO_OA_WEBHOOK_PATH}`;
    // Replies go to the resident's message id: remember whose message each id was.
    const authorOf = new Map<string, string>();
    const sentMessages = (user: string) =>
      fake.messages.filter((m) => m.recipient.user_id === user || authorOf.get(m.recipient.message_id ?? '') === user).map((m) => m.text);
    const send = async (user: string, text: string) => {
      const event = textEvent(APP_ID, user, text);
      authorOf.set(event.message.msg_id, user);
      await pushOaEvent(url, event, OA_SECRET);
      return event;
    };
    return {
      channel,
      sendUpdate: ({ user, text }) => send(user, text),
      async redeliver(event) {
        await pushOaEvent(url, event as Record<string, unknown>, OA_SECRET);
      },
      pressButton: (user, label) => pressNumberedChoice(sentMessages(user), label, (n) => send(user, n)),
      sentMessages,
      async stop() {
        await channel.stop();
        await engine.drain();
        await app.close(100);
        await fake.close();
        tmp.cleanup();
      },
    };
  },
});
