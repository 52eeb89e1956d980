import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCtx, memoryLogger, openSkill, removeDir, tempDir } from './helpers.ts';

const HEADER = 'area_id,indicator,value,unit,qualifier,as_of,period_start,status,note,source,source_url';
const ROW_2024 = 'binh-thuan,poor_households,5400,households,,2024-12-31,,reported,,Báo cáo thử,';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe('stats store start-up', () => {
  it('creates the store from the CSV seed when there has never been one', async () => {
    const skill = await openSkill(dir);
    expect(skill.store.current().length).toBeGreaterThan(100);
    expect((await skill.health()).state).toBe('ok');
    const r = await skill.answer(makeCtx('Số hộ nghèo toàn tỉnh Bình Thuận cuối năm 2023 là bao nhiêu?'));
    expect(r?.replies[0].text).toContain('6.621 hộ');
  });

  it('keeps a good store as it is on the next start (no re-seeding)', async () => {
    const first = await openSkill(dir);
    await first.store.importCsv(`${HEADER}\n${ROW_2024}\n`);
    const second = await openSkill(dir);
    expect(second.store.figures('binh-thuan', 'poor_households').some((f) => f.value === 5400)).toBe(true);
    expect(existsSync(path.join(dir, 'stats.jsonl'))).toBe(true);
  });

  it('sets aside damaged records with their line and reason, keeps the rest, and reports it', async () => {
    const first = await openSkill(dir);
    await first.store.importCsv(`${HEADER}\n${ROW_2024}\n`);
    const file = path.join(dir, 'stats.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const total = lines.length - 1;
    lines.splice(3, 1, '{"area_id":"binh-thuan","value":"oops"}');
    lines.splice(5, 0, 'garbage');
    writeFileSync(file, lines.join('\n') + '\n');
    const { logger, lines: logged } = memoryLogger();
    const skill = await openSkill(dir, logger);
    expect(skill.store.current().length + skill.store.history('x', 'y').length).toBeGreaterThanOrEqual(total - 2);
    // The imported figure survived the damage.
    expect(skill.store.figures('binh-thuan', 'poor_households').some((f) => f.value === 5400)).toBe(true);
    const rejected = readFileSync(path.join(dir, 'stats.rejected.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected.map((r) => r.line).sort()).toEqual([4, 6]);
    expect(rejected.every((r) => typeof r.reason === 'string' && r.reason.length > 0)).toBe(true);
    expect((await skill.health()).state).toBe('degraded');
    expect(logged().some((l) => Number(l.level) >= 50)).toBe(true);
  });

  it('never silently replaces an unreadable store with the seed', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'stats.json'), '{"version":1,"figures":[{"area_id":"binh-th');
    const skill = await openSkill(dir, memoryLogger().logger);
    const aside = readdirSync(dir).filter((f) => f.startsWith('stats.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0]), 'utf8')).toContain('binh-th');
    expect(skill.store.current()).toHaveLength(0);
    expect((await skill.health()).state).toBe('degraded');
    // Still damaged on the next start: the damage is not forgotten by restarting.
    const again = await openSkill(dir, memoryLogger().logger);
    expect((await again.health()).state).toBe('degraded');
  });

  it('upgrades a good stats.json from version 0.1 without losing a figure', async () => {
    mkdirSync(dir, { recursive: true });
    const fig = {
      area_id: 'binh-thuan',
      indicator: 'poor_households',
      value: 5400,
      unit: 'households',
      qualifier: '',
      as_of: '2024-12-31',
      period_start: '',
      status: 'reported',
      note: '',
      source: 'Báo cáo thử',
      source_url: '',
      recorded_at: '2026-01-01T00:00:00.000Z',
      replaced_at: null,
    };
    writeFileSync(path.join(dir, 'stats.json'), JSON.stringify({ version: 1, figures: [fig] }));
    const skill = await openSkill(dir);
    expect(skill.store.current()).toHaveLength(1);
    expect(existsSync(path.join(dir, 'stats.json'))).toBe(false);
    expect((await skill.health()).state).toBe('ok');
  });
});

describe('stats store while running', () => {
  it('sees an import made by another process and keeps its figures when the file is damaged behind its back', async () => {
    const { logger } = memoryLogger();
    const skill = await openSkill(dir, logger);
    const other = await openSkill(dir);
    await other.store.importCsv(`${HEADER}\n${ROW_2024}\n`);
    const r = await skill.answer(makeCtx('số hộ nghèo Bình Thuận năm 2024'));
    expect(r?.replies[0].text).toContain('5.400 hộ');
    writeFileSync(path.join(dir, 'stats.jsonl'), 'garbage\n');
    const r2 = await skill.answer(makeCtx('số hộ nghèo Bình Thuận năm 2024'));
    expect(r2?.replies[0].text).toContain('5.400 hộ');
    expect((await skill.health()).state).toBe('degraded');
    // The file was repaired from memory: a fresh reader finds the figures again.
    const fresh = await openSkill(dir);
    expect(fresh.store.figures('binh-thuan', 'poor_households').some((f) => f.value === 5400)).toBe(true);
  });
});
