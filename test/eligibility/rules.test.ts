import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadStandards,
  loadEntitlementMap,
  standardFor,
  classify,
  entitlementsFor,
  NoStandardError,
  FactsError,
  StandardsError,
  INDICATOR_IDS,
} from '../../src/eligibility/index.ts';
import { STANDARDS_DIR, testKnowledge } from './helpers.ts';

const standards = loadStandards(STANDARDS_DIR);
const now = new Date('2026-11-27T03:00:00Z');

describe('standards data', () => {
  it('selects the standard by date with inclusive bounds', () => {
    expect(standardFor(standards, '2022-01-01')?.id).toBe('std-2022-2025');
    expect(standards.standardFor('2026-12-31')?.id).toBe('std-2022-2025');
    expect(standards.standardFor('2027-01-01')?.id).toBe('std-2027-2030');
    expect(standards.standardFor('2030-12-31')?.id).toBe('std-2027-2030');
    expect(standards.standardFor('2021-12-31')).toBeNull();
    expect(standards.standardFor('2031-01-01')).toBeNull();
  });

  it('encodes 12 indicators in 6 dimensions for 2022-2025, each with label, test and question', () => {
    const std = standards.get('std-2022-2025')!;
    expect(std.indicators.map((i) => i.id).sort()).toEqual(
      [
        'employment',
        'dependents',
        'nutrition',
        'health_insurance',
        'adult_education',
        'child_schooling',
        'housing_quality',
        'housing_area',
        'water',
        'sanitation',
        'telecom',
        'information_access',
      ].sort(),
    );
    expect(new Set(std.indicators.map((i) => i.dimension)).size).toBe(6);
    expect(std.income_line_vnd).toEqual({ rural: 1500000, urban: 2000000 });
    expect(std.average_band).toEqual({ rural: { above: 1500000, up_to: 2250000 }, urban: { above: 2000000, up_to: 3000000 } });
    expect(std.indicators.find((i) => i.id === 'health_insurance')!.test).toContain('từ 6 tuổi trở lên không có thẻ bảo hiểm y tế');
    for (const s of standards.list) for (const c of s.legal_basis) expect(c.url).toMatch(/^https:\/\//);
  });

  it('2027-2030: new lines, waste added, information_access dropped, no invented average band', () => {
    const std = standards.get('std-2027-2030')!;
    expect(std.income_line_vnd).toEqual({ rural: 2200000, urban: 2800000 });
    expect(std.average_band).toBeNull();
    expect(std.indicators_unconfirmed).toBe(true);
    const ids = std.indicators.map((i) => i.id);
    expect(ids).toContain('waste');
    expect(ids).toContain('telecom');
    expect(ids).not.toContain('information_access');
    for (const id of ids) expect(INDICATOR_IDS).toContain(id);
  });

  it('rejects a broken standards file naming the file and the field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'std-'));
    const text = readFileSync(path.join(STANDARDS_DIR, 'std-2022-2025.yaml'), 'utf8').replace('rural: 1500000', 'rural: -5');
    writeFileSync(path.join(dir, 'std-bad.yaml'), text);
    expect(() => loadStandards(dir)).toThrow(StandardsError);
    expect(() => loadStandards(dir)).toThrow(/std-bad\.yaml: income_line_vnd\.rural/);
  });

  it('rejects overlapping standards', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'std-'));
    const text = readFileSync(path.join(STANDARDS_DIR, 'std-2022-2025.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'std-a.yaml'), text);
    writeFileSync(path.join(dir, 'std-b.yaml'), text.replace('id: std-2022-2025', 'id: std-copy'));
    expect(() => loadStandards(dir)).toThrow(/trùng thời gian/);
  });
});

describe('classify', () => {
  it('asks for what is missing instead of saying "not eligible"', () => {
    const r = classify({ date: '2026-11-27', area: 'rural' }, standards);
    expect(r.category).toBe('need_more_info');
    expect(r.missing).toEqual(['income', 'deprivations']);
    const r2 = classify({ date: '2026-11-27', monthly_income_vnd: 5000000 }, standards);
    expect(r2.missing).toEqual(['area', 'members', 'deprivations']);
  });

  it('needs the deprivations only when income is at or below the line', () => {
    const below = classify({ date: '2026-11-27', area: 'rural', income_per_capita_vnd: 1400000 }, standards);
    expect(below.category).toBe('need_more_info');
    expect(below.missing).toEqual(['deprivations']);
    const above = classify({ date: '2026-11-27', area: 'rural', income_per_capita_vnd: 1600000 }, standards);
    expect(above.category).toBe('average');
  });

  it('explains itself: standard, basis, line, per-capita income, each deprivation, the rule, the disclaimer', () => {
    const r = classify(
      {
        date: '2026-11-27',
        area: 'rural',
        members: 4,
        monthly_income_vnd: 6000000,
        deprivations: ['water', 'sanitation', 'health_insurance'],
      },
      standards,
    );
    expect(r.category).toBe('poor');
    expect(r.legal_basis).toContain('07/2021/NĐ-CP');
    expect(r.legal_basis).toContain('351/2025/NĐ-CP');
    expect(r.citations.map((c) => c.instrument)).toEqual(['Nghị định 07/2021/NĐ-CP', 'Nghị định 351/2025/NĐ-CP']);
    expect(r.deprivations.map((d) => d.label)).toEqual(['nguồn nước sinh hoạt', 'nhà tiêu hợp vệ sinh', 'bảo hiểm y tế']);
    const text = r.reasons.join('\n');
    expect(text).toContain('6.000.000 đồng ÷ 4 người = 1.500.000 đồng');
    expect(text).toContain('1.500.000 đồng/người/tháng');
    expect(text).toContain('→ hộ nghèo');
    expect(r.disclaimer).toMatch(/sàng lọc.*UBND cấp xã.*rà soát hằng năm/);
  });

  it('2027-2030 results carry the unconfirmed cautions', () => {
    const r = classify({ date: '2027-03-01', area: 'urban', income_per_capita_vnd: 3500000, deprivations: [] }, standards);
    expect(r.category).toBe('not_poor');
    expect(r.cautions.join(' ')).toMatch(/mức sống trung bình.*chưa được xác nhận/);
    expect(r.cautions.join(' ')).toMatch(/chỉ số.*chưa/);
  });

  it('throws a clear error for a date without a standard and for impossible facts', () => {
    expect(() => classify({ date: '2021-06-01', area: 'rural', income_per_capita_vnd: 1 }, standards)).toThrow(NoStandardError);
    expect(() => classify({ date: '2025-06-01', area: 'rural', members: 0, monthly_income_vnd: 1 }, standards)).toThrow(FactsError);
    expect(() => classify({ date: '2025-06-01', area: 'rural', income_per_capita_vnd: -1 }, standards)).toThrow(FactsError);
    expect(() => classify({ date: '2025-06-01', area: 'rural', income_per_capita_vnd: 1, deprivations: ['wifi'] }, standards)).toThrow(
      /wifi/,
    );
  });
});

describe('entitlementsFor', () => {
  const map = loadEntitlementMap(STANDARDS_DIR);
  const kb = testKnowledge();

  it('draws supports from the knowledge base and skips entries that are absent or ended', () => {
    const list = entitlementsFor('poor', {}, kb, now, map);
    const ids = list.map((e) => e.id);
    expect(ids).toContain('benefits-poor');
    expect(ids).toContain('loan-poor-household');
    expect(ids).not.toContain('bhyt-poor'); // not in this knowledge base
    expect(ids).not.toContain('housing-now'); // ended
    const loan = list.find((e) => e.id === 'loan-poor-household')!;
    expect(loan.text).toContain('100 triệu đồng');
    expect(loan.text).toContain('6,24%/năm');
    expect(loan.citations.length).toBeGreaterThan(0);
  });

  it('applies conditions: unknown → listed with the condition, false → dropped', () => {
    const unknown = entitlementsFor('near_poor', {}, kb, now, map).find((e) => e.id === 'loan-student');
    expect(unknown?.condition).toMatch(/^nếu /);
    expect(entitlementsFor('near_poor', { has_students: false }, kb, now, map).map((e) => e.id)).not.toContain('loan-student');
    const yes = entitlementsFor('near_poor', { has_students: true }, kb, now, map).find((e) => e.id === 'loan-student');
    expect(yes?.condition).toBeUndefined();
  });

  it('gives nothing for not_poor and need_more_info', () => {
    expect(entitlementsFor('not_poor', {}, kb, now, map)).toEqual([]);
    expect(entitlementsFor('need_more_info', {}, kb, now, map)).toEqual([]);
  });

  it('every mapped id is a documented knowledge entry id', () => {
    const arch = readFileSync(path.resolve(STANDARDS_DIR, '../../docs/ARCHITECTURE.md'), 'utf8');
    for (const rules of Object.values(map.categories)) for (const r of rules) expect(arch).toContain(r.id);
  });
});
