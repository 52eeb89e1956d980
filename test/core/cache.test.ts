import { describe, it, expect } from 'vitest';
import { testCore } from '../helpers/core.ts';
import type { Session, TurnResult } from '../../src/domain/types.ts';

describe('answer cache', () => {
  it('replays the same answer and the same session changes for the same question and state', async () => {
    const { core, cleanup } = await testCore({ persist: false });
    try {
      const a1 = await core.engine.handle({ channel: 'web', conversationId: 'a', text: 'lãi suất vay hộ nghèo' });
      const b1 = await core.engine.handle({ channel: 'web', conversationId: 'b', text: 'lãi suất vay hộ nghèo' });
      expect(core.engine.cache.hits).toBeGreaterThanOrEqual(1);
      expect(b1).toEqual(a1);
      // The replayed session supports the follow-up exactly like the computed one.
      const a2 = await core.engine.handle({ channel: 'web', conversationId: 'a', text: 'còn hộ cận nghèo thì sao?' });
      const b2 = await core.engine.handle({ channel: 'web', conversationId: 'b', text: 'còn hộ cận nghèo thì sao?' });
      expect(b2).toEqual(a2);
      expect(b2.household).toBe('near_poor');
      // Mutating a returned result never changes what the cache gives next time.
      b2.replies[0].text = 'changed';
      const c2 = await core.engine.handle({ channel: 'web', conversationId: 'c', text: 'lãi suất vay hộ nghèo' });
      expect(c2.replies[0].text).toBe(a1.replies[0].text);
    } finally {
      await cleanup();
    }
  });

  it('replays across sessions that differ only in fields the answer never read, and never across fields it read', async () => {
    const { core, cleanup } = await testCore({ persist: false });
    try {
      const cache = core.engine.cache;
      const watchOf = (session: Session) => {
        const watch = cache.watch(session);
        void watch.view.topic; // the turn read the topic, nothing else
        return watch;
      };
      const reply = { replies: [{ text: 'một' }], topic: 'loan', household: null, confidence: 0.9, outcome: 'answered' } as TurnResult;
      const key = 'k';
      const first: Session = { id: 'a', updatedAt: '', topic: 'loan', year: 2024 };
      const watch = watchOf(first);
      first.entryId = 'loan-poor';
      cache.set(key, reply, first, watch);
      // Same topic, another year (never read): a hit, and the change (entryId) is replayed.
      const other: Session = { id: 'b', updatedAt: '', topic: 'loan', year: 2021 };
      expect(cache.get(key, other)?.replies[0].text).toBe('một');
      expect(other).toMatchObject({ id: 'b', topic: 'loan', year: 2021, entryId: 'loan-poor' });
      // Another topic (read): a miss.
      expect(cache.get(key, { id: 'c', updatedAt: '', topic: 'tuition' })).toBeNull();
      // A shared result is frozen; a private one can be changed without touching the cache.
      const shared = cache.get(key, { id: 'd', updatedAt: '', topic: 'loan' }, true);
      expect(Object.isFrozen(shared?.replies[0])).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('does not cache statistics or guided checks', async () => {
    const { core, cleanup } = await testCore({ persist: false });
    try {
      await core.engine.handle({ channel: 'web', conversationId: 'a', text: 'kiểm tra hộ nghèo' });
      await core.engine.handle({ channel: 'web', conversationId: 'b', text: 'kiểm tra hộ nghèo' });
      await core.engine.handle({ channel: 'web', conversationId: 'c', text: 'số hộ nghèo Bình Thuận cuối năm 2023' });
      await core.engine.handle({ channel: 'web', conversationId: 'd', text: 'số hộ nghèo Bình Thuận cuối năm 2023' });
      expect(core.engine.cache.hits).toBe(0);
      expect(core.engine.cache.size).toBe(0);
    } finally {
      await cleanup();
    }
  });
});
