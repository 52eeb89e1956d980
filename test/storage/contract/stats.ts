import { describe, expect, it } from 'vitest';
import { ImportRejected, type StatsStore } from '../../../src/stats/store.ts';
import { ManualClock } from '../../../src/time/clock.ts';

/** The statistics store under test, and a second one on the same backing (the command, or another instance). */
export interface StatsHandle {
  store: StatsStore;
  reopen(): Promise<StatsStore>;
  cleanup(): Promise<void>;
}

const HEADER = 'area_id,indicator,value,unit,qualifier,as_of,period_start,status,note,source,source_url';
const ROW = (value: number) => `binh-thuan,poor_households,${value},households,,2024-12-31,,reported,,Báo cáo tỉnh,`;

/** What the answers and `npm run stats` expect of a statistics store, on either backend. */
export function runStatsStoreContract(name: string, c: { make(clock: ManualClock): Promise<StatsHandle> }): void {
  describe(`StatsStore contract: ${name}`, () => {
    it('is seeded once, imports all or nothing, keeps history with replaced_at, and exports what it imports', async () => {
      const k = new ManualClock({ wall: '2026-11-27T03:00:00Z' });
      const h = await c.make(k);
      try {
        const seeded = h.store.current().length;
        expect(seeded).toBeGreaterThan(100);
        expect(h.store.figures('binh-thuan', 'poor_households').map((f) => f.value)).toContain(6621);

        await expect(
          h.store.importCsv(`${HEADER}\n${ROW(5400)}\nxa-khong-co,poor_households,1,households,,2024-12-31,,reported,,x,\n`),
        ).rejects.toBeInstanceOf(ImportRejected);
        expect(h.store.current()).toHaveLength(seeded);

        expect(await h.store.importCsv(`${HEADER}\n${ROW(5400)}\n`, new Date('2026-11-27T04:00:00Z'))).toEqual({
          added: 1,
          revised: 0,
          unchanged: 0,
        });
        expect(await h.store.importCsv(`${HEADER}\n${ROW(5400)}\n`)).toEqual({ added: 0, revised: 0, unchanged: 1 });
        expect(await h.store.importCsv(`${HEADER}\n${ROW(5300)}\n`, new Date('2026-11-27T05:00:00Z'))).toEqual({
          added: 0,
          revised: 1,
          unchanged: 0,
        });
        const hist = h.store.history('binh-thuan', 'poor_households').filter((f) => f.as_of === '2024-12-31');
        expect(hist.map((f) => [f.value, f.replaced_at])).toEqual([
          [5400, '2026-11-27T05:00:00.000Z'],
          [5300, null],
        ]);
        expect(h.store.exportCsv()).toContain('binh-thuan,poor_households,5300,');
        expect(h.store.current()).toHaveLength(seeded + 1);
        expect((await h.store.health()).state).toBe('ok');
      } finally {
        await h.cleanup();
      }
    });

    it('shows another process’s import after refreshIfChanged, and serialises concurrent imports', async () => {
      const k = new ManualClock({ wall: '2026-11-27T03:00:00Z' });
      const h = await c.make(k);
      const other = await h.reopen();
      try {
        await Promise.all([
          other.importCsv(`${HEADER}\n${ROW(5000)}\n`, new Date('2026-11-27T04:00:00Z')),
          h.store.importCsv(`${HEADER}\n${ROW(5100)}\n`, new Date('2026-11-27T04:00:01Z')),
        ]);
        await h.store.refreshIfChanged();
        await other.refreshIfChanged();
        for (const s of [h.store, other]) {
          const hist = s.history('binh-thuan', 'poor_households').filter((f) => f.as_of === '2024-12-31');
          expect(hist).toHaveLength(2);
          expect(hist.filter((f) => f.replaced_at === null)).toHaveLength(1);
        }
        const seen = h.store.figures('binh-thuan', 'poor_households').find((f) => f.as_of === '2024-12-31')?.value;
        expect(other.figures('binh-thuan', 'poor_households').find((f) => f.as_of === '2024-12-31')?.value).toBe(seen);
      } finally {
        await other.close();
        await h.cleanup();
      }
    });
  });
}
