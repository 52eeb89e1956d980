import { describe, expect, it } from 'vitest';
import type { Session } from '../../../src/domain/types.ts';
import type { SessionStore } from '../../../src/storage/types.ts';
import { ManualClock } from '../../../src/time/clock.ts';

/** One store under test, with what the contract needs around it. */
export interface SessionStoreHandle {
  store: SessionStore;
  /** A second store on the same backing, as a restarted process (files) or another instance (database) sees it. */
  reopen(): Promise<SessionStore>;
  cleanup(): Promise<void>;
}

/** Options of {@link runSessionStoreContract}. */
export interface SessionStoreContract {
  /** Opens a fresh, empty store on `clock` with a time-to-live in minutes. */
  make(clock: ManualClock, ttlMinutes: number): Promise<SessionStoreHandle>;
  /** Two stores on one backing serialise a conversation across them (several instances on a database). */
  shared?: boolean;
}

const session = (clock: ManualClock, extra: Partial<Session> = {}): Session =>
  ({ id: 'k', updatedAt: clock.now().toISOString(), ...extra }) as Session;

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What every SessionStore must do, whatever it keeps sessions in: the engine's only expectations of it.
 */
export function runSessionStoreContract(name: string, c: SessionStoreContract): void {
  describe(`SessionStore contract: ${name}`, () => {
    const clock = () => new ManualClock({ wall: '2026-11-27T01:00:00Z' });

    it('gets what was set, deletes it, and counts', async () => {
      const k = clock();
      const h = await c.make(k, 60);
      try {
        expect(await h.store.get('a')).toBeUndefined();
        await h.store.set('a', session(k, { topic: 'loan' } as Partial<Session>));
        await h.store.set('b', session(k));
        expect((await h.store.get('a'))?.topic).toBe('loan');
        expect(await h.store.size()).toBe(2);
        expect(await h.store.delete('a')).toBe(true);
        expect(await h.store.delete('a')).toBe(false);
        expect(await h.store.get('a')).toBeUndefined();
        expect(await h.store.size()).toBe(1);
      } finally {
        await h.cleanup();
      }
    });

    it('forgets a session after the time-to-live of real silence', async () => {
      const k = clock();
      const h = await c.make(k, 10);
      try {
        await h.store.set('a', session(k));
        k.advance(10 * 60_000 - 1000);
        expect(await h.store.get('a')).toBeDefined();
        k.advance(2000);
        expect(await h.store.get('a')).toBeUndefined();
      } finally {
        await h.cleanup();
      }
    });

    it('keeps what was set across a restart (durable once the turn ends)', async () => {
      const k = clock();
      const h = await c.make(k, 60);
      try {
        await h.store.withLock('a', async () => {
          await h.store.set('a', session(k, { lastArea: 'binh-thuan' } as Partial<Session>));
        });
        await h.store.set('b', session(k));
        await h.store.flush();
        await h.store.close();
        const again = await h.reopen();
        expect((await again.get('a')) as unknown).toMatchObject({ lastArea: 'binh-thuan' });
        expect(await again.get('b')).toBeDefined();
        await again.close();
      } finally {
        await h.cleanup();
      }
    });

    it('runs the turns of one conversation one at a time, in order, and others concurrently', async () => {
      const k = clock();
      const h = await c.make(k, 60);
      try {
        const order: string[] = [];
        let inside = 0;
        let most = 0;
        const turn = (key: string, i: number) =>
          h.store.withLock(key, async () => {
            inside++;
            most = Math.max(most, inside);
            const s = (await h.store.get(key)) ?? session(k);
            await wait(5);
            const seen = ((s as unknown as { n?: number }).n ?? 0) + 1;
            await h.store.set(key, { ...s, n: seen } as Session);
            order.push(`${key}${i}`);
            inside--;
            return seen;
          });
        const results = await Promise.all([...Array(6).keys()].flatMap((i) => [turn('x', i), turn('y', i)]));
        expect(order.filter((o) => o.startsWith('x'))).toEqual(['x0', 'x1', 'x2', 'x3', 'x4', 'x5']);
        expect(results.filter((_, i) => i % 2 === 0)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(most).toBe(2);
        expect(((await h.store.get('x')) as unknown as { n: number }).n).toBe(6);
      } finally {
        await h.cleanup();
      }
    });

    it('releases the lock when a turn fails, and keeps nothing of it', async () => {
      const k = clock();
      const h = await c.make(k, 60);
      try {
        await h.store.set('a', session(k, { topic: 'loan' } as Partial<Session>));
        await expect(
          h.store.withLock('a', async () => {
            await h.store.set('a', session(k, { topic: 'housing' } as Partial<Session>));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        const after = await h.store.withLock('a', async () => (await h.store.get('a'))?.topic);
        // The file store writes at once, the database at commit: either way the lock is free again.
        expect(['loan', 'housing']).toContain(after);
      } finally {
        await h.cleanup();
      }
    });

    it('erases inside a turn: the turn and later turns see nothing', async () => {
      const k = clock();
      const h = await c.make(k, 60);
      try {
        await h.store.set('a', session(k));
        const seen = await h.store.withLock('a', async () => {
          expect(await h.store.delete('a')).toBe(true);
          return h.store.get('a');
        });
        expect(seen).toBeUndefined();
        expect(await h.store.get('a')).toBeUndefined();
      } finally {
        await h.cleanup();
      }
    });

    if (c.shared) {
      it('serialises one conversation across two instances, and each sees the other’s context', async () => {
        const k = clock();
        const h = await c.make(k, 60);
        const other = await h.reopen();
        try {
          const turn = (store: SessionStore) =>
            store.withLock('shared', async () => {
              const s = (await store.get('shared')) ?? session(k);
              await wait(3);
              await store.set('shared', { ...s, n: ((s as unknown as { n?: number }).n ?? 0) + 1 } as Session);
            });
          await Promise.all([...Array(20).keys()].map((i) => turn(i % 2 ? h.store : other)));
          expect(((await other.get('shared')) as unknown as { n: number }).n).toBe(20);
          expect(((await h.store.get('shared')) as unknown as { n: number }).n).toBe(20);
        } finally {
          await other.close();
          await h.cleanup();
        }
      });
    }
  });
}
