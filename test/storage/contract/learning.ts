import { describe, expect, it } from 'vitest';
import type { LearningStore } from '../../../src/learning/types.ts';
import type { Incoming, TurnResult } from '../../../src/domain/types.ts';
import { ManualClock } from '../../../src/time/clock.ts';

/** The learning store under test, and the same store reopened (a restart, or another instance). */
export interface LearningHandle {
  store: LearningStore;
  reopen(): Promise<LearningStore>;
  cleanup(): Promise<void>;
}

const turn = (text: string, outcome: TurnResult['outcome'], topic = 'loan', channel: Incoming['channel'] = 'web') => ({
  incoming: { channel, conversationId: `c-${text}`, text } as Incoming,
  result: { replies: [], topic, household: null, confidence: outcome === 'answered' ? 0.9 : 0.2, outcome } as TurnResult,
});

/** What the admin commands expect of a learning store: usage counted, weak answers filed, both kept. */
export function runLearningStoreContract(name: string, c: { make(clock: ManualClock): Promise<LearningHandle> }): void {
  describe(`LearningStore contract: ${name}`, () => {
    it('counts usage per day, topic and channel, files declined questions (masked), and keeps them', async () => {
      const k = new ManualClock({ wall: '2026-11-27T03:00:00Z' });
      const h = await c.make(k);
      try {
        const at = k.now();
        h.store.observer({ ...turn('vay vốn hộ nghèo', 'answered'), at });
        h.store.observer({ ...turn('xổ số hôm nay gọi 0912345678', 'declined', 'out_of_scope', 'telegram'), at });
        h.store.observer({ ...turn('học phí', 'answered', 'tuition'), at });
        await h.store.flush();
        const u = await h.store.usageBetween('2026-11-27', '2026-11-27');
        expect(u).toMatchObject({ total: 3, answered: 2, days: 1 });
        expect(u.byTopic).toMatchObject({ loan: 1, out_of_scope: 1, tuition: 1 });
        expect(u.byChannel).toMatchObject({ web: 2, telegram: 1 });
        // A confident answer may also be picked for the daily sample: only the declined one is certain.
        const all = await h.store.inbox();
        const items = all.filter((i) => i.kind !== 'sample');
        expect(items).toHaveLength(1);
        expect(items[0]).toMatchObject({ kind: 'declined', channel: 'telegram', topic: 'out_of_scope' });
        expect(items[0].text).not.toContain('0912345678');
        expect(await h.store.inbox('2026-11-28')).toHaveLength(0);
        expect((await h.store.usageBetween('2026-11-28', '2026-11-30')).total).toBe(0);
        await h.store.close();
        const again = await h.reopen();
        expect((await again.usageBetween('2026-11-01', '2026-11-30')).total).toBe(3);
        expect(await again.inbox()).toHaveLength(all.length);
        await again.close();
      } finally {
        await h.cleanup();
      }
    });
  });
}
