import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

function runCheck(input: string, env: Record<string, string> = {}) {
  const res = spawnSync('npx', ['tsx', 'src/cli/check.ts', '--jsonl'], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, TODAY: '2026-11-27', ...env },
    timeout: 60_000,
  });
  return res;
}

describe('batch CLI (src/cli/check.ts --jsonl)', () => {
  it('writes exactly one JSON line per input line, bad lines included', () => {
    const lines = [
      JSON.stringify({
        id: 'a',
        date: '2026-12-31',
        area: 'rural',
        members: 4,
        monthly_income_vnd: 6000000,
        deprivations: ['water', 'sanitation', 'health_insurance'],
      }),
      'this is not json',
      JSON.stringify({
        id: 'b',
        date: '2027-01-01',
        area: 'rural',
        members: 4,
        monthly_income_vnd: 6000000,
        deprivations: ['water', 'sanitation', 'health_insurance'],
      }),
      JSON.stringify({ id: 'c', area: 'town', members: 4, monthly_income_vnd: 1 }),
      JSON.stringify({ id: 'd', area: 'rural', members: 0, monthly_income_vnd: 1 }),
      JSON.stringify({ id: 'e', area: 'urban', members: 2, monthly_income_vnd: -5 }),
      JSON.stringify({ id: 'f', area: 'urban', members: 2, monthly_income_vnd: 5, deprivations: ['nope'] }),
      JSON.stringify({ id: 'g', date: '2026-02-30', area: 'urban', members: 2, monthly_income_vnd: 5 }),
      '',
      JSON.stringify({
        id: 'h',
        area: 'urban',
        income_per_capita_vnd: 2000001,
        deprivations: ['water', 'sanitation', 'telecom', 'employment'],
      }),
    ];
    const res = runCheck(lines.join('\n') + '\n');
    expect(res.status, res.stderr).toBe(0);
    const out = res.stdout.split('\n').filter((l) => l !== '');
    expect(out).toHaveLength(lines.length);
    const parsed = out.map((l) => JSON.parse(l));
    expect(parsed[0]).toMatchObject({
      id: 'a',
      category: 'poor',
      standard: 'std-2022-2025',
      income_line_vnd: 1500000,
      income_per_capita_vnd: 1500000,
      deprivation_count: 3,
    });
    expect(parsed[0].legal_basis).toContain('07/2021/NĐ-CP');
    expect(parsed[0].legal_basis).toContain('351/2025/NĐ-CP');
    expect(parsed[0].reasons.length).toBeGreaterThan(2);
    expect(parsed[1]).toMatchObject({ id: null });
    expect(parsed[1].error).toMatch(/JSON/);
    expect(parsed[2]).toMatchObject({ id: 'b', category: 'poor', standard: 'std-2027-2030', income_line_vnd: 2200000 });
    expect(parsed[2].legal_basis).not.toContain('07/2021');
    for (const i of [3, 4, 5, 6, 7, 8]) {
      expect(parsed[i].error, JSON.stringify(parsed[i])).toBeTypeOf('string');
      expect(parsed[i]).not.toHaveProperty('category');
    }
    expect(parsed[3].error).toContain('area');
    expect(parsed[4].error).toContain('members');
    expect(parsed[6].error).toContain('nope');
    expect(parsed[9]).toMatchObject({ id: 'h', category: 'average', standard: 'std-2022-2025' });
  }, 60_000);

  it('uses TODAY when a line has no date', () => {
    const line = JSON.stringify({
      id: 'x',
      area: 'rural',
      income_per_capita_vnd: 2000000,
      deprivations: ['water', 'sanitation', 'telecom'],
    });
    const y2026 = JSON.parse(runCheck(line + '\n', { TODAY: '2026-12-31' }).stdout.trim());
    const y2027 = JSON.parse(runCheck(line + '\n', { TODAY: '2027-01-01' }).stdout.trim());
    expect(y2026).toMatchObject({ category: 'average', standard: 'std-2022-2025' });
    expect(y2027).toMatchObject({ category: 'poor', standard: 'std-2027-2030' });
  }, 60_000);
});
