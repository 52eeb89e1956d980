import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { tempDir } from './helpers.ts';

const ROOT = path.resolve(__dirname, '../..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/validate.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run validate', () => {
  it('prints "OK: N mục" and exits 0 on the real knowledge base', () => {
    const r = run('--today', '2026-11-27');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^OK: \d+ mục/);
    expect(Number(/^OK: (\d+)/.exec(r.stdout)?.[1])).toBeGreaterThanOrEqual(43);
    expect(r.status).toBe(0);
  });

  it('prints the problems and exits 1 on a bad folder', () => {
    const text = readFileSync(path.join(ROOT, 'knowledge/policies/loan-poor-household.yaml'), 'utf8');
    const dir = tempDir({ 'loan-poor-household.yaml': text });
    const r = run(dir, '--today', '2026-11-27');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/related "loan-near-poor-household" không tồn tại/);
  });
});
