import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadStandards } from '../../src/eligibility/standards.ts';
import { checkLine } from '../../src/eligibility/batch.ts';
import { STANDARDS_DIR } from './helpers.ts';

interface Case {
  name: string;
  input?: Record<string, unknown>;
  raw?: string;
  expect: {
    category?: string;
    standard?: string;
    income_line_vnd?: number;
    income_per_capita_vnd?: number;
    deprivation_count?: number;
    legal_basis_includes?: string[];
    legal_basis_excludes?: string[];
    error?: string;
  };
}

const table = YAML.parse(readFileSync(path.join(import.meta.dirname, 'cases.yaml'), 'utf8')) as { today: string; cases: Case[] };
const standards = loadStandards(STANDARDS_DIR);

describe('case table (cases.yaml)', () => {
  it('has at least 45 cases', () => {
    expect(table.cases.length).toBeGreaterThanOrEqual(45);
  });

  for (const c of table.cases) {
    it(c.name, () => {
      const line = c.raw ?? JSON.stringify(c.input);
      const out = checkLine(line, standards, table.today) as unknown as Record<string, unknown>;
      const e = c.expect;
      if (e.error !== undefined) {
        expect(out.error, JSON.stringify(out)).toBeTypeOf('string');
        expect(String(out.error)).toContain(e.error);
        expect(out).not.toHaveProperty('category');
        if (c.input && 'id' in c.input) expect(out.id).toBe(c.input.id);
        return;
      }
      expect(out.error, String(out.error)).toBeUndefined();
      expect(out.id).toBe(c.input?.id);
      if (e.category) expect(out.category).toBe(e.category);
      if (e.standard) expect(out.standard).toBe(e.standard);
      if (e.income_line_vnd !== undefined) expect(out.income_line_vnd).toBe(e.income_line_vnd);
      if (e.income_per_capita_vnd !== undefined) expect(out.income_per_capita_vnd).toBe(e.income_per_capita_vnd);
      if (e.deprivation_count !== undefined) expect(out.deprivation_count).toBe(e.deprivation_count);
      for (const s of e.legal_basis_includes ?? []) expect(out.legal_basis).toContain(s);
      for (const s of e.legal_basis_excludes ?? []) expect(out.legal_basis).not.toContain(s);
      // Every result explains itself.
      expect(Array.isArray(out.reasons) && (out.reasons as string[]).length).toBeGreaterThanOrEqual(3);
      expect((out.reasons as string[]).some((r) => r.startsWith('Quy tắc:'))).toBe(true);
      expect(String(out.disclaimer)).toContain('UBND cấp xã');
    });
  }
});
