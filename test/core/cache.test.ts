import { describe, it, expect } from 'vitest';
import { testCore } from '../helpers/core.ts';

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
