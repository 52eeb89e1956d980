import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';
import { Engine } from '../../src/core/engine.ts';
import type { Incoming, Reply, TurnResult } from '../../src/domain/types.ts';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { MemorySessionStore } from '../../src/storage/memory/session-store.ts';
import type { ChannelAdapter } from '../../src/channels/channel.ts';

/**
 * One contract for every chat adapter (Telegram, Zalo OA, Zalo Bot Platform), in the manner of Hono's
 * `runTest({ newRouter })`: each adapter's test file describes how to start it against its loopback fake,
 * deliver an update and read what was sent, and every adapter must pass the same cases.
 */

/** A delivered update, as the adapter's harness needs it to deliver it again. */
export type Delivery = unknown;

/** A running adapter with its fake platform. */
export interface ChannelUnderTest {
  channel: ChannelAdapter;
  /** Delivers a text from `user` (a private chat, or the test group when `group`). */
  sendUpdate(msg: { user: string; text: string; group?: boolean }): Promise<Delivery>;
  /** Delivers the same update again, as a platform retry does. */
  redeliver(delivery: Delivery): Promise<void>;
  /** Presses the button labelled `label` under the latest reply to `user` (Zalo: types its number). */
  pressButton(user: string, label: string): Promise<void>;
  /** Texts sent to `user`'s private chat (or to the test group), as plain text, in order. */
  sentMessages(user: string, group?: boolean): string[];
  /** Stops the adapter and its fake, and removes temporary files. */
  stop(): Promise<void>;
}

export interface ChannelContract {
  name: 'telegram' | 'zalo-oa' | 'zalo-bot';
  /** Longest message the platform accepts. */
  maxMessageLength: number;
  /** The adapter's one polite "please wait" for a flood. */
  pleaseWait: string;
  /** Whether the platform has group chats the bot may be in. */
  supportsGroups: boolean;
  /** Environment that makes `user` an admin of this channel. */
  adminEnv(user: string): Record<string, string>;
  /** Starts the adapter against its fake with this engine and extra environment. */
  start(opts: { engine: Engine; env?: Record<string, string> }): Promise<ChannelUnderTest>;
  /** Creates the adapter without its tokens. */
  createDisabled(engine: Engine): ChannelAdapter;
}

/** Longer than Telegram's 64-byte callback_data, with Vietnamese text. */
export const LONG_PAYLOAD = `ask:kiểm tra hộ nghèo cho gia đình bốn người ở nông thôn, thu nhập ba triệu mỗi tháng`;
const PARAGRAPHS = Array.from({ length: 9 }, (_, i) =>
  `Đoạn ${i + 1}. ${'Hộ nghèo được vay vốn ưu đãi để sản xuất, kinh doanh. '.repeat(10)}`.trim(),
);

let kb: KnowledgeBase | undefined;
function knowledge(): KnowledgeBase {
  kb ??= KnowledgeBase.load(path.join(PROJECT_ROOT, 'knowledge', 'policies'));
  return kb;
}

/**
 * The real Engine with scripted answers for the contract's own messages (bursts, floods, long replies,
 * long payloads, and `/hopthu` from an admin, answered as the core's admin skill does); everything else
 * (greetings, `/xoadulieu`, `/hopthu` from anyone else) goes through the real core.
 */
export class ContractEngine extends Engine {
  readonly inputs: Incoming[] = [];
  readonly sessions: MemorySessionStore;

  constructor() {
    const sessions = new MemorySessionStore();
    super({ services: { knowledge: knowledge() }, sessions, flows: [], salt: 'contract' });
    this.sessions = sessions;
  }

  override async handle(incoming: Incoming): Promise<TurnResult> {
    this.inputs.push(incoming);
    const replies = await script(incoming);
    if (!replies) return super.handle(incoming);
    return { replies, topic: 'smalltalk', household: null, confidence: 1 };
  }

  /** Whether a session is stored for `user`'s conversation on `channel`. */
  async hasSession(channel: Incoming['channel'], user: string): Promise<boolean> {
    return (await this.sessions.get(this.sessionKey({ channel, conversationId: user }))) !== undefined;
  }
}

/** What the core's admin skill answers to `/hopthu` (the core trusts `isAdmin`, which only adapters set). */
export const INBOX_REPLY = 'Dạ, hộp thư trống: 30 ngày qua không có câu hỏi nào cần bổ sung.';

async function script(incoming: Incoming): Promise<Reply[] | undefined> {
  if (incoming.payload === LONG_PAYLOAD) return [{ text: 'Dạ, em đã nhận nút bấm.' }];
  const text = incoming.text ?? '';
  if (incoming.isAdmin && /^\/hopthu(@\w+)?$/.test(text)) return [{ text: INBOX_REPLY }];
  const burst = /^tin nhanh (\d+)$/.exec(text);
  if (burst) {
    // Earlier messages take longer: without per-chat order, later answers would overtake them.
    await new Promise((r) => setTimeout(r, (15 - Number(burst[1])) * 4));
    return [{ text: `Dạ, đã nhận ${text}` }];
  }
  if (/^(lũ|lặp lại) \d+$/.test(text)) return [{ text: `Dạ, đã nhận ${text}` }];
  if (text === 'trả lời dài') return [{ text: PARAGRAPHS.join('\n\n') }];
  if (text === 'nút dài') return [{ text: 'Dạ, mời anh/chị chọn:', buttons: [{ label: 'Kiểm tra nhanh', payload: LONG_PAYLOAD }] }];
  return undefined;
}

/** Polls `check` until it holds (fails with `what` after `timeoutMs`). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Registers the contract's cases for one adapter. */
export function runChannelContract(c: ChannelContract): void {
  describe(`${c.name}: the chat channel contract`, () => {
    let run: ChannelUnderTest | undefined;
    const start = async (env: Record<string, string> = {}) => {
      const engine = new ContractEngine();
      run = await c.start({ engine, env });
      expect(run.channel.status()).toMatchObject({ name: c.name, enabled: true, state: 'running' });
      return { engine, run };
    };

    afterEach(async () => {
      await run?.stop();
      run = undefined;
    });

    it("reports 'disabled' without tokens, and start/stop do nothing", async () => {
      const channel = c.createDisabled(new ContractEngine());
      expect(channel.status()).toMatchObject({ name: c.name, enabled: false, state: 'disabled' });
      await channel.start();
      await channel.stop();
      expect(channel.status().state).toBe('disabled');
    });

    it("keeps one chat's replies in order under a burst", async () => {
      const { run } = await start();
      const texts = Array.from({ length: 12 }, (_, i) => `tin nhanh ${i + 1}`);
      for (const text of texts) await run.sendUpdate({ user: '7001', text });
      await waitFor(() => run.sentMessages('7001').length >= texts.length, 'every reply of the burst');
      expect(run.sentMessages('7001')).toEqual(texts.map((t) => `Dạ, đã nhận ${t}`));
    });

    it('answers a re-delivered update once', async () => {
      const { engine, run } = await start();
      const delivery = await run.sendUpdate({ user: '7002', text: 'lặp lại 1' });
      await waitFor(() => run.sentMessages('7002').length === 1, 'the first answer');
      await run.redeliver(delivery);
      await run.redeliver(delivery);
      await run.sendUpdate({ user: '7002', text: 'lặp lại 2' });
      await waitFor(() => run.sentMessages('7002').length === 2, 'the next answer');
      await pause(150);
      expect(run.sentMessages('7002')).toEqual(['Dạ, đã nhận lặp lại 1', 'Dạ, đã nhận lặp lại 2']);
      expect(engine.inputs.filter((i) => i.text === 'lặp lại 1')).toHaveLength(1);
    });

    it('sends exactly one "please wait" under a flood', async () => {
      const { engine, run } = await start({ RATE_LIMIT_PER_MINUTE: '3' });
      for (let i = 1; i <= 10; i++) await run.sendUpdate({ user: '7003', text: `lũ ${i}` });
      const waits = () => run.sentMessages('7003').filter((t) => t === c.pleaseWait).length;
      await waitFor(() => engine.inputs.length === 3 && waits() === 1, 'three answers and one "please wait"');
      await pause(200);
      expect(waits()).toBe(1);
      expect(engine.inputs.map((i) => i.text)).toEqual(['lũ 1', 'lũ 2', 'lũ 3']);
      expect(run.sentMessages('7003')).toHaveLength(4);
    });

    it('/xoadulieu erases the conversation and confirms', async () => {
      const { engine, run } = await start();
      await run.sendUpdate({ user: '7004', text: 'xin chào' });
      await waitFor(() => run.sentMessages('7004').length > 0, 'the greeting');
      await waitFor(() => engine.hasSession(c.name, '7004'), 'the stored session');
      const before = run.sentMessages('7004').length;
      await run.sendUpdate({ user: '7004', text: '/xoadulieu' });
      await waitFor(() => run.sentMessages('7004').length > before, 'the confirmation');
      expect(await engine.hasSession(c.name, '7004')).toBe(false);
      expect(run.sentMessages('7004').at(-1)).toMatch(/^Dạ, em đã (xoá|xóa)/);
    });

    it("a button payload longer than Telegram's 64 bytes survives the round trip", async () => {
      expect(Buffer.byteLength(LONG_PAYLOAD)).toBeGreaterThan(64);
      const { engine, run } = await start();
      await run.sendUpdate({ user: '7005', text: 'nút dài' });
      await waitFor(() => run.sentMessages('7005').length > 0, 'the reply with a button');
      await run.pressButton('7005', 'Kiểm tra nhanh');
      await waitFor(() => run.sentMessages('7005').includes('Dạ, em đã nhận nút bấm.'), 'the answer to the button');
      expect(engine.inputs.at(-1)).toMatchObject({ channel: c.name, conversationId: '7005', payload: LONG_PAYLOAD });
    });

    it("splits long replies within the platform's limit, losing nothing", async () => {
      const { run } = await start();
      await run.sendUpdate({ user: '7006', text: 'trả lời dài' });
      await waitFor(() => run.sentMessages('7006').join('\n').includes('Đoạn 9.'), 'the whole long answer');
      const sent = run.sentMessages('7006');
      expect(sent.length).toBeGreaterThan(1);
      for (const m of sent) expect(m.length).toBeLessThanOrEqual(c.maxMessageLength);
      expect(sent.join('\n\n').replace(/\s+/g, ' ')).toBe(PARAGRAPHS.join('\n\n').replace(/\s+/g, ' '));
    });

    it('admin commands work in a private chat with a configured admin', async () => {
      const { engine, run } = await start(c.adminEnv('7007'));
      await run.sendUpdate({ user: '7007', text: '/hopthu' });
      await waitFor(() => run.sentMessages('7007').length > 0, 'the inbox');
      expect(engine.inputs.at(-1)).toMatchObject({ conversationId: '7007', text: '/hopthu', isAdmin: true });
      expect(run.sentMessages('7007').join('\n')).toMatch(/hộp thư/i);
    });

    it('a resident who is not an admin never gets admin functions', async () => {
      const { engine, run } = await start(c.adminEnv('7999'));
      await run.sendUpdate({ user: '7008', text: '/hopthu' });
      await waitFor(() => run.sentMessages('7008').length > 0, 'an answer');
      expect(engine.inputs.at(-1)?.isAdmin ?? false).toBe(false);
      expect(run.sentMessages('7008').join('\n')).not.toMatch(/hộp thư/i);
    });

    it.runIf(c.supportsGroups)('admin commands never work in a group, even from an admin', async () => {
      const { engine, run } = await start(c.adminEnv('7009'));
      await run.sendUpdate({ user: '7009', text: '/hopthu', group: true });
      await waitFor(() => run.sentMessages('7009', true).length > 0, 'an answer in the group');
      expect(engine.inputs.at(-1)?.isAdmin ?? false).toBe(false);
      expect(run.sentMessages('7009', true).join('\n')).not.toMatch(/hộp thư/i);
      expect(run.sentMessages('7009')).toHaveLength(0);
    });
  });
}
