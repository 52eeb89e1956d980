import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBotApi } from './fake-bot-api.ts';
import { eligibilityFlows, makeChannel, tempDir, type Harness } from './helpers.ts';
import { FileSessionStore } from '../../src/storage/file/session-store.ts';
import type { SessionStore } from '../../src/storage/types.ts';
import type { Session } from '../../src/domain/types.ts';

/** Delegates to a real store and records what the engine read. */
class SpyStore implements SessionStore {
  readonly reads: Array<{ key: string; session: Session | undefined }> = [];
  constructor(private readonly inner: SessionStore) {}
  async get(key: string) {
    const s = await this.inner.get(key);
    this.reads.push({ key, session: s && structuredClone(s) });
    return s;
  }
  set(key: string, s: Session) {
    return this.inner.set(key, s);
  }
  withLock<T>(key: string, task: () => Promise<T>) {
    return this.inner.withLock(key, task);
  }
  health() {
    return this.inner.health();
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  size() {
    return this.inner.size();
  }
  flush() {
    return this.inner.flush();
  }
  close() {
    return this.inner.close();
  }
}

describe('telegram channel across a restart', () => {
  let api: FakeBotApi;
  let tmp: ReturnType<typeof tempDir>;
  const open: Harness[] = [];

  beforeEach(async () => {
    api = await new FakeBotApi().start();
    tmp = tempDir();
  });

  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
    await api.close();
    tmp.cleanup();
  });

  it('a half-finished guided check survives stop + flush + a new Engine and channel on the same DATA_DIR', async () => {
    const env = { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot };
    const user = api.user(4001);

    // First life: start the guided check.
    const store1 = new SpyStore(await FileSessionStore.open({ dataDir: tmp.dir, ttlMinutes: 60, maxSessions: 1000 }));
    const flows = await eligibilityFlows();
    const h1 = makeChannel({ env, dataDir: tmp.dir, sessions: store1, flows });
    open.push(h1);
    await h1.channel.start();
    api.sendText(user, '/kiemtra');
    await api.waitFor(() => h1.seen.length === 1 && api.textsTo(4001).length >= 1, 3000, 'first turn');
    await api.waitFor(() => api.callsOf('sendMessage', 4001).length >= 1, 3000, 'reply');
    expect(h1.seen[0].payload).toBe('elig:start');
    const lastBot = api.callsOf('sendMessage', 4001).at(-1)!;
    const button = lastBot.params.reply_markup?.inline_keyboard?.[0]?.[0]?.callback_data as string | undefined;

    await h1.close(); // channel.stop() then engine.drain() (flushes sessions)
    open.splice(open.indexOf(h1), 1);
    await store1.close();

    const key = h1.engine.sessionKey({ channel: 'telegram', conversationId: '4001' });
    const reopened = await FileSessionStore.open({ dataDir: tmp.dir, ttlMinutes: 60, maxSessions: 1000 });
    const saved = (await reopened.get(key)) as Session;
    await reopened.close();
    expect(saved).toBeDefined();
    expect(saved.id).toBe(key);

    // Second life: a new store, engine and channel on the same folder.
    const store2 = new SpyStore(await FileSessionStore.open({ dataDir: tmp.dir, ttlMinutes: 60, maxSessions: 1000 }));
    const h2 = makeChannel({ env, dataDir: tmp.dir, sessions: store2, flows: await eligibilityFlows() });
    open.push(h2);
    await h2.channel.start();
    if (button) api.press(user, button);
    else api.sendText(user, 'có');
    await api.waitFor(() => h2.seen.length === 1, 3000, 'continued turn');

    // The old update was not handled again, and the engine resumed from the stored session
    // (including an unfinished flow, when the core keeps one).
    expect(h2.seen).toHaveLength(1);
    if (button) expect(h2.seen[0].payload).toBeDefined();
    const read = store2.reads.find((r) => r.key === key);
    expect(read?.session).toEqual(saved);
    if (saved.flow) expect(read?.session?.flow?.name).toBe(saved.flow.name);
    if (flows.length) {
      // With the real guided check: the flow was started and the second life continued it.
      expect(saved.flow?.name).toBe(flows[0].name);
    }
    await h2.close();
    open.splice(open.indexOf(h2), 1);
    await store2.close();
    const store3 = await FileSessionStore.open({ dataDir: tmp.dir, ttlMinutes: 60, maxSessions: 1000 });
    const after = await store3.get(key);
    await store3.close();
    expect(after).toBeDefined();
    if (flows.length) expect(after?.flow?.step).not.toBe(saved.flow?.step); // the check moved on
  });
});
