import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../src/channels/telegram/index.ts';
import { createZaloBotChannel } from '../../src/channels/zalo-bot/index.ts';
import type { ChannelAdapter } from '../../src/channels/channel.ts';
import { HttpApp } from '../../src/http/http-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { fileChannelStores } from '../../src/storage/file/channel-stores.ts';
import type { Leadership } from '../../src/storage/types.ts';
import { systemClock } from '../../src/time/clock.ts';
import { FakeBotApi } from '../telegram/fake-bot-api.ts';
import { FAST } from '../telegram/helpers.ts';
import { botUpdate, FakeZaloBot } from '../zalo/fakes/fake-zalo-bot.ts';
import { makeConfig, ScriptedEngine, tmpDir } from '../zalo/helpers.ts';
import { waitFor } from './contract.ts';

/** Leadership granted and taken away by the test, as a database would when another instance leads. */
class GatedLeadership implements Leadership {
  readonly requests: string[] = [];
  private pending: Array<() => void> = [];
  private current: AbortController | null = null;

  acquire(name: string, signal: AbortSignal): Promise<{ lost: AbortSignal; release(): Promise<void> }> {
    this.requests.push(name);
    return new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      this.pending.push(() => {
        this.current = new AbortController();
        resolve({ lost: this.current.signal, release: async () => {} });
      });
    });
  }
  grant(): void {
    this.pending.shift()?.();
  }
  loseIt(): void {
    this.current?.abort();
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('polling only while this instance leads', () => {
  let data: { dir: string; cleanup: () => void };
  let gate: GatedLeadership;
  const closers: Array<() => Promise<unknown>> = [];
  beforeEach(() => {
    data = tmpDir();
    gate = new GatedLeadership();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    data.cleanup();
  });
  const stores = () => ({ ...fileChannelStores(data.dir, systemClock), leadership: gate });
  const deps = (env: Record<string, string>) => ({
    config: makeConfig({ DATA_DIR: data.dir, ...env }),
    engine: new ScriptedEngine(() => [{ text: 'Dạ, em trả lời.' }]),
    app: new HttpApp(silentLogger()),
    logger: silentLogger(),
    dataDir: data.dir,
    stores: stores(),
  });
  const started = async (channel: ChannelAdapter) => {
    closers.push(() => channel.stop());
    await channel.start();
    return channel;
  };

  it('Telegram: waits, polls once granted, stops polling when leadership is lost, then waits again', async () => {
    const api = await new FakeBotApi().start();
    closers.push(() => api.close());
    const channel = await started(createTelegramChannel(deps({ TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot }), FAST));
    expect(channel.status()).toMatchObject({ state: 'starting' });
    expect(channel.status().detail).toMatch(/chờ lượt/);
    await pause(150);
    expect(api.pollCount).toBe(0);

    gate.grant();
    await waitFor(() => api.pollCount > 0 && channel.status().state === 'running', 'polling');
    api.sendText(api.user(5001), 'xin chào');
    await api.waitForTexts(5001, 1);

    gate.loseIt();
    await waitFor(() => gate.requests.length === 2 && channel.status().state === 'starting', 'waiting again');
    await pause(100);
    const polls = api.pollCount;
    await pause(300);
    expect(api.pollCount).toBe(polls);
    expect(gate.requests).toEqual(['telegram', 'telegram']);
  });

  it('Zalo Bot Platform: polls only once granted', async () => {
    const fake = await new FakeZaloBot('1:lead-token').start();
    fake.maxHoldMs = 200;
    closers.push(() => fake.close());
    const channel = await started(
      createZaloBotChannel(deps({ ZALO_BOT_TOKEN: '1:lead-token', ZALO_BOT_API_BASE: fake.url }), { pollTimeoutSec: 1 }),
    );
    expect(channel.status().state).toBe('starting');
    await pause(150);
    expect(fake.callsOf('getUpdates')).toHaveLength(0);
    gate.grant();
    fake.enqueue(botUpdate('message.text.received', { text: 'xin chào' }));
    await waitFor(() => fake.sent.length === 1, 'the answer once leading');
    expect(channel.status().state).toBe('running');
    expect(gate.requests).toEqual(['zalo-bot']);
  });

  it('webhook mode: every instance serves, no leadership is asked', async () => {
    const api = await new FakeBotApi().start();
    closers.push(() => api.close());
    const channel = await started(
      createTelegramChannel(
        deps({
          TELEGRAM_BOT_TOKEN: api.token,
          TELEGRAM_API_ROOT: api.apiRoot,
          TELEGRAM_MODE: 'webhook',
          PUBLIC_URL: 'http://127.0.0.1:9',
          TELEGRAM_WEBHOOK_SECRET: 'secret_123',
        }),
        FAST,
      ),
    );
    expect(channel.status().state).toBe('running');
    expect(gate.requests).toEqual([]);
  });
});
