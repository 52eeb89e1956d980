import { describe, it, expect } from 'vitest';
import { startTestServer, post } from '../helpers/server.ts';
import { FileSessionStore } from '../../src/storage/file/session-store.ts';
import { testCore } from '../helpers/core.ts';

/** A burst of 2,000 messages over 200 conversations: nothing lost, order kept, store valid. */
describe('load: bursts', () => {
  it('the engine keeps each conversation in order under a concurrent burst', async () => {
    const seen = new Map<string, number[]>();
    const { core, cleanup } = await testCore({ persist: true });
    try {
      // Wrap handle to record processing order per conversation via an observer-like hook.
      const promises: Array<Promise<unknown>> = [];
      for (let i = 0; i < 10; i++) {
        for (let c = 0; c < 200; c++) {
          const conv = `conv-${c}`;
          promises.push(
            core.engine.handle({ channel: 'test', conversationId: conv, text: `hộ nghèo vay vốn lần ${i}` }).then(() => {
              const list = seen.get(conv) ?? [];
              list.push(i);
              seen.set(conv, list);
            }),
          );
        }
      }
      await Promise.all(promises);
      expect(seen.size).toBe(200);
      for (const list of seen.values()) expect(list).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      await core.engine.drain();
      expect(await core.sessions.size()).toBe(200);
    } finally {
      await cleanup();
    }
  }, 120_000);

  it('/api/chat answers 2,000 requests from 200 concurrent conversations, none lost, store valid', async () => {
    const s = await startTestServer({ RATE_LIMIT_PER_MINUTE: '1000000' });
    try {
      const statuses: number[] = [];
      const topics = new Map<string, string[]>();
      await Promise.all(
        Array.from({ length: 200 }, async (_, c) => {
          for (let i = 0; i < 10; i++) {
            const text = i % 2 === 0 ? 'lãi suất vay hộ nghèo bao nhiêu' : 'còn hộ cận nghèo thì sao?';
            const r = await post(`${s.url}/api/chat`, { conversationId: `load-${c}`, text });
            statuses.push(r.status);
            const list = topics.get(`load-${c}`) ?? [];
            list.push(`${r.json?.topic}:${r.json?.household}`);
            topics.set(`load-${c}`, list);
          }
        }),
      );
      expect(statuses.length).toBe(2000);
      expect(statuses.every((x) => x === 200)).toBe(true);
      // Context followed each conversation's own order: every follow-up was read as near-poor loans.
      for (const list of topics.values()) {
        expect(list.filter((_, i) => i % 2 === 1).every((t) => t === 'loan:near_poor')).toBe(true);
      }
      await s.server.core.sessions.flush();
      // The store on disk reads back with every conversation.
      const reopened = await FileSessionStore.open({ dataDir: s.dataDir, ttlMinutes: 60, maxSessions: 10_000 });
      expect(await reopened.size()).toBe(200);
      await reopened.close();
    } finally {
      await s.close();
    }
  }, 180_000);
});
