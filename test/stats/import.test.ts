import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.ts';
import { loadAreas } from '../../src/stats/areas.ts';
import { loadCatalog, standardByDate } from '../../src/stats/catalog.ts';
import { parseCsv, toCsv } from '../../src/stats/csv.ts';
import { ImportRejected, StatsStore } from '../../src/stats/store.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { HEADER, KNOWLEDGE_DIR, ROOT, SEED_DIR, removeDir, runCli, tempDir } from './helpers.ts';

const catalog = loadCatalog(KNOWLEDGE_DIR);
const areas = loadAreas(SEED_DIR);
const open = (dir: string, now?: Date) =>
  StatsStore.open({
    dataDir: dir,
    seedDir: SEED_DIR,
    catalog,
    areas,
    logger: silentLogger(),
    clock: now ? new ManualClock({ wall: now }) : undefined,
  });

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe('stats store: seed, import, history, export', () => {
  it('is created from data/stats.csv on first start', async () => {
    const store = await open(dir);
    const seedRows = readFileSync(path.join(SEED_DIR, 'stats.csv'), 'utf8').trim().split('\n').length - 1;
    expect(store.current().length).toBe(seedRows);
    expect(store.figures('binh-thuan', 'poor_households').map((f) => f.value)).toContain(6621);
    expect(existsSync(path.join(dir, 'stats.jsonl'))).toBe(true);
  });

  it('refuses a bad CSV whole, with every bad line numbered, and leaves the store byte-identical', async () => {
    await open(dir);
    const before = readFileSync(path.join(dir, 'stats.jsonl'));
    const bad = [
      HEADER,
      'binh-thuan,poor_households,7000,households,,2024-12-31,,reported,,Báo cáo tỉnh,', // line 2: good
      'xa-ham-thanh,poor_households,100,households,,2024-12-31,,reported,,Báo cáo,', // line 3: unknown area (a commune)
      'binh-thuan,poor_household_rate_pct,hai phẩy một,percent,,2024-12-31,,reported,,Báo cáo,', // line 4: text in number column
      'binh-thuan,poor_households,7000,households,,2024-12-31,,reported,,Báo cáo tỉnh,', // line 5: duplicate of line 2
      'binh-thuan,near_poor_households,12000,percent,,2024-12-31,,reported,,Báo cáo,', // line 6: wrong unit
      'binh-thuan,no_such_indicator,1,households,,2024-12-31,,reported,,Báo cáo,', // line 7: unknown indicator
      'binh-thuan,poor_households,1,households,,2024-02-30,,reported,,Báo cáo,', // line 8: date that does not exist
      'binh-thuan,poor_households,1,households,,2024-06-30,,guess,,Báo cáo,', // line 9: bad status
      'binh-thuan,poor_households,1,households,maybe,2024-05-31,,reported,,Báo cáo,', // line 10: bad qualifier
      'binh-thuan,near_poor_households,12.203,households,,2024-03-31,,reported,,Báo cáo,', // line 11: thousands dot in a count
      '"binh-thuan","poor_households","6621,5",households,,2024-04-30,,reported,,Báo cáo,', // line 12: decimal comma
    ].join('\n');
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, bad);
    const r = runCli(['import', file], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/:3: dòng 3 \(line 3\): .*xa-ham-thanh/);
    expect(r.stderr).toMatch(/:4: dòng 4 \(line 4\): .*không phải là số/);
    expect(r.stderr).toMatch(/:5: dòng 5 \(line 5\): .*trùng lặp với dòng 2/);
    expect(r.stderr).toMatch(/:6: dòng 6 \(line 6\): .*đơn vị "percent" không khớp/);
    expect(r.stderr).toMatch(/:7: dòng 7 \(line 7\): .*no_such_indicator/);
    expect(r.stderr).toMatch(/:8: dòng 8 \(line 8\): .*as_of/);
    expect(r.stderr).toMatch(/:9: dòng 9 \(line 9\): .*status/);
    expect(r.stderr).toMatch(/:10: dòng 10 \(line 10\): .*qualifier/);
    expect(r.stderr).toMatch(/:11: dòng 11 \(line 11\): .*số nguyên/);
    expect(r.stderr).toMatch(/:12: dòng 12 \(line 12\): .*không phải là số/);
    expect(r.stderr).not.toMatch(/:2: dòng 2/);
    expect(r.stderr).toMatch(/Không nhập dòng nào/);
    expect(readFileSync(path.join(dir, 'stats.jsonl')).equals(before)).toBe(true);
  });

  it('rejects in-process too (ImportRejected) without touching memory or file', async () => {
    const store = await open(dir);
    const before = readFileSync(path.join(dir, 'stats.jsonl'));
    const n = store.current().length;
    await expect(
      store.importCsv(`${HEADER}\nbinh-thuan,poor_households,abc,households,,2024-12-31,,reported,,X,\n`),
    ).rejects.toBeInstanceOf(ImportRejected);
    expect(store.current().length).toBe(n);
    expect(readFileSync(path.join(dir, 'stats.jsonl')).equals(before)).toBe(true);
  });

  it('imports a good CSV with a revision; history keeps the old value with its replaced date', async () => {
    await open(dir);
    const good = [
      HEADER,
      'binh-thuan,poor_households,6600,households,,2023-12-31,,reported,revised figure,"Sở Nông nghiệp và Môi trường, báo cáo điều chỉnh",https://example.gov.vn/bc', // revision
      'binh-thuan,poor_households,5400,households,,2024-12-31,,reported,,"Báo cáo tỉnh, 2025",', // new
      'viet-nam,poor_household_rate_pct,1.93,percent,,2024-12-31,,reported,,tuyenquangtv.vn,https://tuyenquangtv.vn/xa-hoi-79B63F1E6/6-tinh-thanh-pho-khong-con-ho-ngheo-B1DA7F197.html', // unchanged
    ].join('\r\n');
    const file = path.join(dir, 'good.csv');
    writeFileSync(file, good);
    const r = runCli(['import', file], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/thêm mới 1, sửa đổi 1, không đổi 1/);

    const h = runCli(['history', 'binh-thuan', 'poor_households'], dir);
    expect(h.code).toBe(0);
    const line2023 = h.stdout.split('\n').filter((l) => l.startsWith('31/12/2023'));
    expect(line2023).toHaveLength(2);
    expect(line2023.find((l) => l.includes('6.621'))).toMatch(/đã thay thế ngày \d{2}\/\d{2}\/\d{4}/);
    expect(line2023.find((l) => l.includes('6.600'))).toMatch(/hiện hành/);

    const store = await open(dir);
    const hist = store.history('binh-thuan', 'poor_households').filter((f) => f.as_of === '2023-12-31');
    expect(hist.map((f) => [f.value, f.replaced_at === null])).toEqual([
      [6621, false],
      [6600, true],
    ]);
  });

  it('export → import round trip changes nothing', async () => {
    const store = await open(dir);
    const csv = store.exportCsv();
    const file = path.join(dir, 'export.csv');
    writeFileSync(file, csv);
    const before = readFileSync(path.join(dir, 'stats.jsonl'));
    const r = runCli(['import', file], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`thêm mới 0, sửa đổi 0, không đổi ${store.current().length}`));
    expect(readFileSync(path.join(dir, 'stats.jsonl')).equals(before)).toBe(true);
    // The CLI export is the same text.
    const e = runCli(['export'], dir);
    expect(e.code).toBe(0);
    expect(e.stdout).toBe(csv);
  });

  it('a kill -9 during imports leaves stats.jsonl readable line by line (old or new, never half)', async () => {
    await open(dir);
    const rows = [HEADER];
    for (let y = 2000; y < 2026; y++)
      for (const a of ['binh-thuan', 'phan-thiet', 'la-gi', 'bac-binh', 'ham-tan', 'tuy-phong'])
        rows.push(`${a},houses_built,${y},houses,,${y}-12-31,${y}-01-01,reported,,"Nguồn thử, ${y}",`);
    const files = [0, 1, 2].map((k) => {
      const f = path.join(dir, `big${k}.csv`);
      writeFileSync(
        f,
        rows
          .map((r, i) => (i === 0 ? r : r.replace(/houses,,/, `houses,,`).replace(/,(\d{4}),houses/, (_, v) => `,${Number(v) + k},houses`)))
          .join('\n'),
      );
      return f;
    });
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    for (let round = 0; round < 6; round++) {
      const child = spawn(tsx, [path.join(ROOT, 'src/cli/stats.ts'), 'import', files[round % 3]], {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'silent' },
        stdio: 'ignore',
        detached: true,
      });
      const exited = new Promise((r) => child.once('exit', r));
      await new Promise((r) => setTimeout(r, 400 + round * 150));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already finished
      }
      await exited;
      const text = readFileSync(path.join(dir, 'stats.jsonl'), 'utf8');
      const lines = text.trim().split('\n');
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(lines.length).toBeGreaterThan(100);
    }
    // And the store still opens cleanly.
    const store = await open(dir);
    expect(store.current().length).toBeGreaterThan(100);
  }, 60_000);

  it('keeps every acknowledged import when the CLI and the running server import at the same time', async () => {
    const server = await open(dir);
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const cliRuns = Array.from({ length: 6 }, (_, k) => {
      const f = path.join(dir, `cli${k}.csv`);
      writeFileSync(f, `${HEADER}\nbinh-thuan,houses_built,${100 + k},houses,,20${10 + k}-12-31,,reported,,CLI ${k},\n`);
      return new Promise<{ k: number; code: number | null }>((resolve) => {
        const child = spawn(tsx, [path.join(ROOT, 'src/cli/stats.ts'), 'import', f], {
          cwd: ROOT,
          env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'silent' },
          stdio: 'ignore',
        });
        child.once('exit', (code) => resolve({ k, code }));
      });
    });
    const chatRuns = Array.from({ length: 30 }, (_, k) =>
      server.importCsv(`${HEADER}\nphan-thiet,houses_built,${200 + k},houses,,${1990 + k}-12-31,,reported,,Chat ${k},\n`).then(() => k),
    );
    const [cli, chat] = await Promise.all([Promise.all(cliRuns), Promise.all(chatRuns)]);
    const acknowledgedCli = cli.filter((r) => r.code === 0).map((r) => r.k);
    expect(acknowledgedCli).toHaveLength(6);
    const after = await open(dir);
    const values = new Set(
      [...after.history('binh-thuan', 'houses_built'), ...after.history('phan-thiet', 'houses_built')].map((f) => f.value),
    );
    for (const k of acknowledgedCli) expect(values.has(100 + k), `CLI import ${k}`).toBe(true);
    for (const k of chat) expect(values.has(200 + k), `chat import ${k}`).toBe(true);
  }, 60_000);
});

describe('measure and standard columns', () => {
  it('imports a file exported by the previous version (11 columns): each row takes its measure and the standard of its date', async () => {
    const store = await open(dir);
    // What the previous version exported: the figures it could hold, without the two new columns.
    const recs = parseCsv(store.exportCsv());
    const head = recs[0].fields;
    const iStd = head.indexOf('standard');
    const old = recs
      .slice(1)
      .filter((r) => r.fields[iStd] === '' || r.fields[iStd] === standardByDate(catalog, r.fields[head.indexOf('as_of')]))
      .map((r) => r.fields.slice(0, 11));
    expect(head.slice(0, 11).join(',')).toBe(HEADER);
    const summary = await store.importCsv(toCsv([head.slice(0, 11), ...old]));
    expect(summary).toEqual({ added: 0, revised: 0, unchanged: old.length });
  });

  it('reads a store written before the columns existed, and the same figures imported again change nothing', async () => {
    mkdirSync(dir, { recursive: true });
    const rec = (value: number, as_of: string) =>
      JSON.stringify({
        area_id: 'viet-nam',
        indicator: 'poor_households',
        value,
        unit: 'households',
        qualifier: '',
        as_of,
        period_start: '',
        status: 'reported',
        note: '',
        source: 'Nguồn cũ',
        source_url: '',
        recorded_at: '2026-01-01T00:00:00.000Z',
        replaced_at: null,
      });
    writeFileSync(
      path.join(dir, 'stats.jsonl'),
      `${JSON.stringify({ kind: 'stats-store', version: 2 })}\n${rec(1057374, '2022-12-31')}\n${rec(6323, '2019-12-31')}\n`,
    );
    const store = await open(dir);
    expect((await store.health()).state).toBe('ok');
    expect(store.figures('viet-nam', 'poor_households').map((f) => [f.as_of, f.measure, f.standard])).toEqual([
      ['2019-12-31', 'review', '2016-2020'],
      ['2022-12-31', 'review', '2022-2025'],
    ]);
    const again = `${HEADER}\nviet-nam,poor_households,1057374,households,,2022-12-31,,reported,,Nguồn cũ,\n`;
    expect(await store.importCsv(again)).toEqual({ added: 0, revised: 0, unchanged: 1 });
  });

  it('keys a figure by its standard: a 2016-2020 figure and the 2022-2025 baseline share a date; local never replaces national', async () => {
    const store = await open(dir);
    const end2021 = store.figures('viet-nam', 'poor_household_rate_pct').filter((f) => f.as_of === '2021-12-31');
    expect(end2021.map((f) => [f.value, f.standard]).sort()).toEqual([
      [2.23, '2016-2020'],
      [4.4, '2022-2025'],
    ]);
    const csv = (rows: string[]) => `${HEADER},measure,standard\n${rows.join('\n')}\n`;
    await expect(
      store.importCsv(csv(['ha-noi,poor_household_rate_pct,0.5,percent,,2024-12-31,,reported,,Báo cáo thành phố,,review,local'])),
    ).rejects.toMatchObject({ errors: [{ line: 2, message: expect.stringMatching(/standard "local"/) }] });
    await expect(
      store.importCsv(csv(['ha-noi,gso_multidimensional_poverty_rate_pct,0.5,percent,,2024-12-31,,reported,,X,,review,'])),
    ).rejects.toMatchObject({ errors: [{ line: 2, message: expect.stringMatching(/measure "review" không khớp/) }] });
    const added = await store.importCsv(
      csv(['ha-noi,poor_household_rate_local_standard_pct,0.5,percent,,2024-12-31,,reported,,Báo cáo thành phố,,,']),
    );
    expect(added.added).toBe(1);
    expect(store.figures('ha-noi', 'poor_households').find((f) => f.as_of === '2024-12-31')?.value).toBe(0);
    expect(store.figures('ha-noi', 'poor_household_rate_local_standard_pct')[0].standard).toBe('local');
  });

  it('accepts "preliminary" as a status', async () => {
    const store = await open(dir);
    const r = await store.importCsv(`${HEADER}\nbinh-thuan,poor_households,6000,households,,2024-12-31,,preliminary,,Báo cáo sơ bộ,\n`);
    expect(r.added).toBe(1);
  });
});
