import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCtx, memoryLogger, openSkill, removeDir, tempDir } from './helpers.ts';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe('stats store start-up', () => {
  it('moves a corrupt stats.json aside, warns, and rebuilds from the CSV seed without crashing', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'stats.json'), '{"version":1,"figures":[{"area_id":"binh-th');
    const { logger, lines } = memoryLogger();
    const skill = await openSkill(dir, logger);
    const aside = readdirSync(dir).filter((f) => f.startsWith('stats.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0]), 'utf8')).toContain('binh-th');
    const warns = lines().filter((l) => l.level === 40);
    expect(warns.some((w) => String(w.msg).includes('corrupt'))).toBe(true);
    // Rebuilt from the seed and answering.
    expect(JSON.parse(readFileSync(path.join(dir, 'stats.json'), 'utf8')).figures.length).toBeGreaterThan(100);
    const r = await skill.answer(makeCtx('Số hộ nghèo toàn tỉnh Bình Thuận cuối năm 2023 là bao nhiêu?'));
    expect(r?.replies[0].text).toContain('6.621 hộ');
    await skill.close();
  });

  it('also sets aside a file that is valid JSON but not a stats store', async () => {
    writeFileSync(path.join(dir, 'stats.json'), JSON.stringify({ hello: 'world' }));
    const { logger, lines } = memoryLogger();
    const skill = await openSkill(dir, logger);
    expect(readdirSync(dir).some((f) => f.startsWith('stats.json.corrupt-'))).toBe(true);
    expect(lines().some((l) => l.level === 40)).toBe(true);
    expect(skill.store.current().length).toBeGreaterThan(100);
  });

  it('keeps a good store as it is on the next start (no re-seeding)', async () => {
    const first = await openSkill(dir);
    await first.store.importCsv(
      'area_id,indicator,value,unit,qualifier,as_of,period_start,status,note,source,source_url\nbinh-thuan,poor_households,5400,households,,2024-12-31,,reported,,Báo cáo thử,\n',
    );
    const second = await openSkill(dir);
    expect(second.store.figures('binh-thuan', 'poor_households').some((f) => f.value === 5400)).toBe(true);
    expect(existsSync(path.join(dir, 'stats.json'))).toBe(true);
  });
});

describe('stats store while running', () => {
  it('sees an import made by another process (the CLI) and survives a file corrupted behind its back', async () => {
    const { logger } = memoryLogger();
    const skill = await openSkill(dir, logger);
    const other = await openSkill(dir);
    await other.store.importCsv(
      'area_id,indicator,value,unit,qualifier,as_of,period_start,status,note,source,source_url\nbinh-thuan,poor_households,5400,households,,2024-12-31,,reported,,Báo cáo thử,\n',
    );
    // mtime resolution: make sure the stamp differs
    const r = await skill.answer(makeCtx('số hộ nghèo Bình Thuận năm 2024'));
    expect(r?.replies[0].text).toContain('5.400 hộ');
    writeFileSync(path.join(dir, 'stats.json'), 'garbage');
    const r2 = await skill.answer(makeCtx('số hộ nghèo Bình Thuận năm 2024'));
    expect(r2?.replies[0].text).toContain('5.400 hộ');
    expect(JSON.parse(readFileSync(path.join(dir, 'stats.json'), 'utf8')).figures.length).toBeGreaterThan(100);
  });
});
