import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { tempDir } from './helpers.ts';

const ROOT = path.resolve(__dirname, '../..');
const PARAMETERS = path.join(ROOT, 'knowledge/parameters');
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/validate.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run validate', () => {
  it('prints "OK: N mục, M tham số" and exits 0 on the real knowledge base', () => {
    const r = run('--today', '2026-12-02');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^OK: \d+ mục, \d+ tham số dùng chung/);
    expect(Number(/^OK: (\d+)/.exec(r.stdout)?.[1])).toBeGreaterThanOrEqual(60);
    expect(r.status).toBe(0);
  });

  it('prints the problems and exits 1 on a bad folder', () => {
    const text = readFileSync(path.join(ROOT, 'knowledge/policies/loan-poor-household.yaml'), 'utf8');
    const dir = tempDir({ 'loan-poor-household.yaml': text });
    const r = run(dir, '--today', '2026-12-02', '--parameters', PARAMETERS);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/related "loan-near-poor-household" không tồn tại/);
  });

  it('refuses an entry that refers to a shared parameter that does not exist', () => {
    const text = readFileSync(path.join(ROOT, 'knowledge/policies/loan-poor-household.yaml'), 'utf8');
    const dir = tempDir({ 'loan-poor-household.yaml': text });
    const r = run(dir, '--today', '2026-12-02', '--parameters', path.join(dir, 'no-such-folder'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tham số dùng chung "vbsp\.limits\.poor_household" không có/);
  });

  it('reports freshness but still exits 0, and exits 1 with --strict', () => {
    const dir = tempDir({
      'old-entry.yaml': [
        'id: old-entry',
        'topic: loan',
        'title: Mục kiểm tra đã lâu',
        'short_answer: Dạ, đây là một câu trả lời đủ dài để qua kiểm tra.',
        'legal_basis: [{ instrument: Quyết định 2553/QĐ-TTg, url: "https://example.gov.vn/a" }]',
        'status: in_force',
        'last_verified: 2026-01-01',
        'sources: [https://example.gov.vn/a]',
        'phrasings: [một hỏi, hai hỏi, ba hỏi, bốn hỏi, năm hỏi, sáu hỏi]',
      ].join('\n'),
    });
    const r = run(dir, '--today', '2026-12-02', '--parameters', PARAMETERS);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Cần xem lại/);
    expect(r.stdout).toMatch(/old-entry: kiểm tra lần cuối 2026-01-01, quá 180 ngày/);
    expect(run(dir, '--today', '2026-12-02', '--parameters', PARAMETERS, '--strict').status).toBe(1);
  });

  it('also checks the lexicon, the guided check words, the standards and their entitlements', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'validate-'));
    try {
      cpSync(path.join(ROOT, 'knowledge'), path.join(tmp, 'knowledge'), { recursive: true });
      const elig = path.join(tmp, 'knowledge/lexicon/eligibility.yaml');
      writeFileSync(elig, readFileSync(elig, 'utf8').replace(/^procedure:/m, 'procedur:'));
      const ent = path.join(tmp, 'knowledge/standards/entitlements.yaml');
      writeFileSync(ent, readFileSync(ent, 'utf8').replace('loan-poor-household', 'loan-no-such-entry'));
      const r = run(path.join(tmp, 'knowledge/policies'), '--today', '2026-12-02', '--parameters', path.join(tmp, 'knowledge/parameters'));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/eligibility\.yaml: .*procedur/);
      expect(r.stderr).toMatch(/entitlements\.yaml: .*loan-no-such-entry/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
