import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * Residents' text is masked only for a log line that will be written: masking scans the whole text, and at
 * info level (production) no adapter logs residents' text at all.
 */
const masked = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../src/privacy/mask.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/privacy/mask.ts')>();
  return {
    ...original,
    maskPersonalData: (text: string) => {
      masked.calls++;
      return original.maskPersonalData(text);
    },
  };
});

const { createLogger } = await import('../../src/observability/logger.ts');
const { HttpApp } = await import('../../src/http/http-app.ts');
const { createZaloBotChannel } = await import('../../src/channels/zalo-bot/index.ts');
const { createZaloOaChannel, ZALO_OA_WEBHOOK_PATH } = await import('../../src/channels/zalo-oa/index.ts');
const { createTelegramChannel } = await import('../../src/channels/telegram/index.ts');
const { FakeZaloBot, botUpdate } = await import('../zalo/fakes/fake-zalo-bot.ts');
const { FakeZaloOa, pushOaEvent, textEvent } = await import('../zalo/fakes/fake-zalo-oa.ts');
const { FakeBotApi } = await import('../telegram/fake-bot-api.ts');
const { makeConfig, ScriptedEngine, tmpDir } = await import('../zalo/helpers.ts');
const { FAST } = await import('../telegram/helpers.ts');
const { waitFor } = await import('./contract.ts');

const PHONE_TEXT = 'số của tôi là 0912345678, hộ nghèo vay được bao nhiêu';

describe.each(['info', 'debug'] as const)('adapters logging at %s level', (level) => {
  let lines: string[];
  let data: { dir: string; cleanup: () => void };
  const closers: Array<() => Promise<unknown>> = [];

  beforeEach(() => {
    masked.calls = 0;
    lines = [];
    data = tmpDir();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    data.cleanup();
  });

  const logger = () => createLogger(level, { write: (l: string) => void lines.push(l) });
  const engine = () => new ScriptedEngine(() => [{ text: 'Dạ, em trả lời.' }]);
  const expectMasking = () => {
    if (level === 'info') expect(masked.calls).toBe(0);
    else expect(lines.join('')).toContain('[SĐT]');
    expect(lines.join('')).not.toContain('0912345678');
  };

  it('Telegram', async () => {
    const api = await new FakeBotApi().start();
    closers.push(() => api.close());
    const channel = createTelegramChannel(
      {
        config: makeConfig({ DATA_DIR: data.dir, TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot }),
        engine: engine(),
        app: new HttpApp(logger()),
        logger: logger(),
        dataDir: data.dir,
      },
      FAST,
    );
    closers.push(() => channel.stop());
    await channel.start();
    api.sendText(api.user(9001), PHONE_TEXT);
    await api.waitForTexts(9001, 1);
    expectMasking();
  });

  it('Zalo Bot Platform', async () => {
    const fake = await new FakeZaloBot('1:log-token').start();
    fake.maxHoldMs = 500;
    closers.push(() => fake.close());
    const config = makeConfig({ DATA_DIR: data.dir, ZALO_BOT_TOKEN: '1:log-token', ZALO_BOT_API_BASE: fake.url });
    const channel = createZaloBotChannel(
      { config, engine: engine(), app: new HttpApp(logger()), logger: logger(), dataDir: data.dir },
      { pollTimeoutSec: 1 },
    );
    closers.push(() => channel.stop());
    await channel.start();
    fake.enqueue(botUpdate('message.text.received', { text: PHONE_TEXT }));
    await waitFor(() => fake.sent.length > 0, 'the answer');
    expectMasking();
  });

  it('Zalo OA', async () => {
    const fake = await new FakeZaloOa('42', 'app-secret', { accessToken: 'at-0', refreshToken: 'rt-0' }).start();
    closers.push(() => fake.close());
    const config = makeConfig({
      DATA_DIR: data.dir,
      ZALO_OA_APP_ID: '42',
      ZALO_OA_SECRET_KEY: 'oa-secret',
      ZALO_OA_ACCESS_TOKEN: 'at-0',
      ZALO_OA_API_BASE: fake.url,
    });
    const app = new HttpApp(logger());
    closers.push(() => app.close(100));
    const channel = createZaloOaChannel({ config, engine: engine(), app, logger: logger(), dataDir: data.dir });
    closers.push(() => channel.stop());
    await channel.start();
    const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}${ZALO_OA_WEBHOOK_PATH}`;
    await pushOaEvent(url, textEvent('42', 'u-1', PHONE_TEXT), 'oa-secret');
    await waitFor(() => fake.messages.length > 0, 'the answer');
    expectMasking();
  });
});
