import { describe, expect, it } from 'vitest';
import type { DedupStore, Leadership, PayloadStore, RateCounter, SecretStore } from '../../../src/storage/types.ts';
import { ManualClock } from '../../../src/time/clock.ts';

const HOUR = 3600_000;
const clock = () => new ManualClock({ wall: '2026-11-27T01:00:00Z' });

/** A store under test and a second one on the same backing (a restart, or another instance). */
export interface Handle<S> {
  store: S;
  reopen(): Promise<S>;
  cleanup(): Promise<void>;
}

/** De-duplication: a handled event is answered once, for its window, whatever else happens. */
export function runDedupStoreContract(name: string, c: { make(clock: ManualClock): Promise<Handle<DedupStore>>; shared?: boolean }): void {
  describe(`DedupStore contract: ${name}`, () => {
    it('marks an id once per window, per scope, and forgets on request', async () => {
      const k = clock();
      const h = await c.make(k);
      try {
        expect(await h.store.markNew('telegram', '1:42', HOUR)).toBe(true);
        expect(await h.store.markNew('telegram', '1:42', HOUR)).toBe(false);
        expect(await h.store.markNew('zalo-bot', '1:42', HOUR)).toBe(true);
        k.advance(HOUR - 1);
        expect(await h.store.markNew('telegram', '1:42', HOUR)).toBe(false);
        k.advance(2);
        expect(await h.store.markNew('telegram', '1:42', HOUR)).toBe(true);
        await h.store.forget('telegram', '1:42');
        expect(await h.store.markNew('telegram', '1:42', HOUR)).toBe(true);
      } finally {
        await h.cleanup();
      }
    });

    it('answers one of many simultaneous deliveries of the same id', async () => {
      const k = clock();
      const h = await c.make(k);
      const other = c.shared ? await h.reopen() : h.store;
      try {
        const results = await Promise.all([...Array(16).keys()].map((i) => (i % 2 ? h.store : other).markNew('zalo-oa', 'evt-7', HOUR)));
        expect(results.filter(Boolean)).toHaveLength(1);
      } finally {
        if (other !== h.store) await other.close();
        await h.cleanup();
      }
    });

    it('remembers marks across a restart', async () => {
      const k = clock();
      const h = await c.make(k);
      try {
        await h.store.markNew('zalo-oa', 'user_send_text:m1', HOUR);
        await h.store.close();
        const again = await h.reopen();
        expect(await again.markNew('zalo-oa', 'user_send_text:m1', HOUR)).toBe(false);
        await again.close();
      } finally {
        await h.cleanup();
      }
    });
  });
}

/** Long button payloads: stable short ids that still work after a restart (or on another instance). */
export function runPayloadStoreContract(name: string, c: { make(clock: ManualClock): Promise<Handle<PayloadStore>> }): void {
  describe(`PayloadStore contract: ${name}`, () => {
    it('gives the same short id for the same payload and reads it back after a restart', async () => {
      const h = await c.make(clock());
      try {
        const long = `stats:trend:poor_household_rate_pct:${'binh-thuan-'.repeat(8)}`;
        const id = await h.store.put(long);
        expect(id.length).toBeLessThanOrEqual(30);
        expect(await h.store.put(long)).toBe(id);
        expect(await h.store.get(id)).toBe(long);
        expect(await h.store.get('nope')).toBeUndefined();
        await h.store.flush();
        await h.store.close();
        const again = await h.reopen();
        expect(await again.get(id)).toBe(long);
        await again.close();
      } finally {
        await h.cleanup();
      }
    });
  });
}

/** Rotated secrets: durable saves with a previous good copy, and one rotation at a time. */
export function runSecretStoreContract(
  name: string,
  c: {
    make(clock: ManualClock): Promise<Handle<SecretStore<{ v: number }>> & { damageCurrent(): Promise<void> }>;
    shared?: boolean;
  },
): void {
  describe(`SecretStore contract: ${name}`, () => {
    it('loads absent, then what was saved, and falls back to the previous copy when the current is damaged', async () => {
      const h = await c.make(clock());
      try {
        expect((await h.store.load()).status).toBe('absent');
        await h.store.save({ v: 1 });
        expect(await h.store.load()).toEqual({ status: 'ok', value: { v: 1 }, fromBackup: false });
        await h.store.save({ v: 2 });
        await h.damageCurrent();
        expect(await h.store.load()).toEqual({ status: 'ok', value: { v: 1 }, fromBackup: true });
        // A damaged current copy never replaces the good previous one.
        await h.store.save({ v: 3 });
        await h.damageCurrent();
        expect(await h.store.load()).toEqual({ status: 'ok', value: { v: 1 }, fromBackup: true });
      } finally {
        await h.cleanup();
      }
    });

    it('runs one rotation at a time, and the next holder sees the rotated value', async () => {
      const h = await c.make(clock());
      const other = c.shared ? await h.reopen() : h.store;
      try {
        await h.store.save({ v: 0 });
        let inside = 0;
        let most = 0;
        const rotate = (s: SecretStore<{ v: number }>) =>
          s.withLock(async () => {
            inside++;
            most = Math.max(most, inside);
            const cur = await s.load();
            await new Promise((r) => setTimeout(r, 10));
            if (cur.status === 'ok') await s.save({ v: cur.value.v + 1 });
            inside--;
          });
        await Promise.all([rotate(h.store), rotate(other), rotate(h.store), rotate(other)]);
        expect(most).toBe(1);
        expect(await other.load()).toMatchObject({ status: 'ok', value: { v: 4 } });
      } finally {
        await h.cleanup();
      }
    });
  });
}

/** Rate limits in fixed windows: ok up to the limit, one 'first-over', then 'over', and a new window later. */
export function runRateCounterContract(
  name: string,
  c: { make(clock: ManualClock): Promise<Handle<RateCounter>>; shared?: boolean },
): void {
  describe(`RateCounter contract: ${name}`, () => {
    it('counts in windows per key', async () => {
      const k = clock();
      const h = await c.make(k);
      const other = c.shared ? await h.reopen() : h.store;
      try {
        const got = [];
        for (let i = 0; i < 5; i++) got.push(await (i % 2 ? other : h.store).hit('web:conv:a', 3, 60_000));
        expect(got).toEqual(['ok', 'ok', 'ok', 'first-over', 'over']);
        expect(await h.store.hit('web:conv:b', 3, 60_000)).toBe('ok');
        k.advance(60_001);
        expect(await other.hit('web:conv:a', 3, 60_000)).toBe('ok');
      } finally {
        await h.cleanup();
      }
    });
  });
}

/** Polling leadership: a lease is granted; with `exclusive`, one holder at a time and the next after a release. */
export function runLeadershipContract(name: string, c: { make(): Promise<Handle<Leadership>>; exclusive: boolean }): void {
  describe(`Leadership contract: ${name}`, () => {
    it(c.exclusive ? 'grants one instance at a time, and the next when it releases' : 'grants every caller at once', async () => {
      const h = await c.make();
      const other = await h.reopen();
      const stop = new AbortController();
      try {
        const first = await h.store.acquire('telegram', stop.signal);
        expect(first.lost.aborted).toBe(false);
        let second: Awaited<ReturnType<Leadership['acquire']>> | undefined;
        const pending = other.acquire('telegram', stop.signal).then((l) => {
          second = l;
          return l;
        });
        await new Promise((r) => setTimeout(r, 300));
        if (c.exclusive) {
          expect(second).toBeUndefined();
          await first.release();
          expect(first.lost.aborted).toBe(true);
          await pending;
          expect(second?.lost.aborted).toBe(false);
        } else {
          expect(second).toBeDefined();
          await first.release();
        }
        await (await pending).release();
      } finally {
        stop.abort();
        await h.cleanup();
      }
    });
  });
}
