import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { formulaRefs, ParameterTree, parseFormula, type SharedParameter } from '../../src/knowledge/parameters.ts';
import { KnowledgeError } from '../../src/util/data-file.ts';

const ROOT = path.resolve(__dirname, '../..');
const POLICIES = path.join(ROOT, 'knowledge/policies');
const PARAMETERS = path.join(ROOT, 'knowledge/parameters');
/** Noon in Vietnam on the given day: tests never read the real clock. */
const on = (iso: string) => new Date(`${iso}T05:00:00Z`);

const shared = (id: string, values: SharedParameter['values'], unit: SharedParameter['unit'] = 'percent_per_year'): SharedParameter => ({
  id,
  description: id,
  unit,
  reference: ['https://example.gov.vn/a'],
  values,
});

describe('formulas over dated parameters', () => {
  const tree = new ParameterTree([
    shared('rates.poor', [
      { value: 6.6, from: '2015-06-05' },
      { value: 6.24, from: '2025-12-01' },
    ]),
    shared('ratios.near_poor', [{ value: 120, from: '2013-10-09' }], 'percent'),
    shared('rates.near_poor', [{ formula: 'rates.poor * ratios.near_poor / 100', from: '2013-10-09', round: 4 }]),
  ]);

  it('parses numbers, dotted ids, operators, parentheses and min/max', () => {
    expect(formulaRefs('min(a.b * 2, (c - 1) / d.e_f)')).toEqual(['a.b', 'c', 'd.e_f']);
    expect(() => parseFormula('a +')).toThrow(/kết thúc/);
    expect(() => parseFormula('a $ b')).toThrow(/thừa|không hiểu/);
    expect(() => parseFormula('$')).toThrow(/không hiểu/);
  });

  it('evaluates on a day and dates the result from the latest input', () => {
    expect(tree.at('rates.near_poor', '2025-11-30')?.value).toBe(7.92);
    const now = tree.at('rates.near_poor', '2026-12-02');
    expect(now?.value).toBe(7.488);
    expect(now?.from).toBe('2025-12-01');
    expect(tree.at('rates.near_poor', '2015-01-01')).toBeNull();
  });

  it('turns formulas into constant stretches with their own start and end', () => {
    expect(tree.timelineOf('rates.near_poor').map((s) => [s.from, s.to, s.value])).toEqual([
      ['2015-06-05', '2025-11-30', 7.92],
      ['2025-12-01', undefined, 7.488],
    ]);
  });

  it('refuses unknown references and cycles', () => {
    const unknown = new ParameterTree([shared('a', [{ formula: 'b * 2', from: '2020-01-01' }])]);
    expect(unknown.check().join()).toMatch(/"b" không có/);
    const cycle = new ParameterTree([
      shared('a', [{ formula: 'b', from: '2020-01-01' }]),
      shared('b', [{ formula: 'a', from: '2020-01-01' }]),
    ]);
    expect(cycle.check().join()).toMatch(/vòng lặp/);
  });
});

describe('the shared tree in knowledge/parameters', () => {
  const tree = ParameterTree.load(PARAMETERS);

  it('derives the current VBSP rates from the poor-household rate', () => {
    expect(tree.at('vbsp.rates.poor_household', '2026-12-02')?.value).toBe(6.24);
    expect(tree.at('vbsp.rates.near_poor_household', '2026-12-02')?.value).toBe(7.488);
    expect(tree.at('vbsp.rates.escaped_household', '2026-12-02')?.value).toBe(7.8);
    expect(tree.at('vbsp.rates.job_creation', '2025-12-31')?.value).toBe(7.488);
    expect(tree.at('vbsp.rates.job_creation', '2026-01-01')?.value).toBe(7.9248);
    expect(tree.at('vbsp.rates.job_creation_priority', '2026-12-02')?.value).toBe(6.24);
  });

  it('derives the household health-insurance premium from the base salary', () => {
    expect(tree.at('bhyt.first_member_premium', '2026-06-30')?.value).toBe(105300);
    expect(tree.at('bhyt.first_member_premium', '2026-07-01')?.value).toBe(113850);
  });
});

/** Every dependent (entry, param) of a shared parameter, rendered on a day. */
function renderDependents(kb: KnowledgeBase, id: string, day: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of kb.dependents(id)) {
    const e = kb.get(d.entryId)!;
    out.set(`${d.entryId}.${d.param}`, kb.render(e, `{${d.param}}`, on(day)));
  }
  return out;
}

describe('moving a shared parameter moves every answer that depends on it', () => {
  const kb = KnowledgeBase.load(POLICIES);
  const tree = kb.parameters;

  it('poor-household rate cut moved from 01/12/2025 to 01/03/2026: near-poor 120%, newly-escaped 125%, job-creation 127% and overdue 130% move with it', () => {
    const poor = tree.get('vbsp.rates.poor_household')!;
    const moved = tree.with(
      'vbsp.rates.poor_household',
      poor.values.map((v) => (v.value === 6.24 ? { ...v, from: '2026-03-01' } : v)),
    );
    const before = kb.withParameters(moved);
    const deps = before.dependents('vbsp.rates.poor_household');
    const entries = new Set(deps.map((d) => d.entryId));
    for (const id of [
      'loan-poor-household',
      'loan-near-poor-household',
      'loan-escaped-household',
      'loan-job-creation',
      'loan-overseas-work',
      'loan-repayment',
      'loan-rates-overview',
      'benefits-poor',
      'benefits-near-poor',
      'benefits-escaped',
    ]) {
      expect(entries.has(id), id).toBe(true);
    }

    const lastOld = renderDependents(before, 'vbsp.rates.poor_household', '2026-02-28');
    const firstNew = renderDependents(before, 'vbsp.rates.poor_household', '2026-03-01');
    // With the real tree nothing changes on that day; with the moved value every dependent does.
    const realBefore = renderDependents(kb, 'vbsp.rates.poor_household', '2026-02-28');
    const realAfter = renderDependents(kb, 'vbsp.rates.poor_household', '2026-03-01');
    const rateLike = [...firstNew.keys()].filter((k) => /%\/năm/.test(firstNew.get(k)!));
    expect(rateLike.length).toBeGreaterThanOrEqual(15);
    for (const k of rateLike) {
      expect(realBefore.get(k), k).toBe(realAfter.get(k));
      expect(lastOld.get(k), k).not.toBe(firstNew.get(k));
    }

    const r = (id: string, t: string, day: string) => before.render(before.get(id)!, t, on(day));
    expect(r('loan-poor-household', '{rate}', '2026-02-28')).toBe('6,6%/năm');
    expect(r('loan-poor-household', '{rate}', '2026-03-01')).toBe('6,24%/năm');
    expect(r('loan-near-poor-household', '{rate} {rate.month}', '2026-02-28')).toBe('7,92%/năm 0,66%/tháng');
    expect(r('loan-near-poor-household', '{rate} {rate.month}', '2026-03-01')).toBe('7,488%/năm 0,624%/tháng');
    expect(r('loan-escaped-household', '{rate}', '2026-02-28')).toBe('8,25%/năm');
    expect(r('loan-escaped-household', '{rate}', '2026-03-01')).toBe('7,8%/năm');
    expect(r('loan-job-creation', '{rate}', '2026-02-28')).toBe('8,382%/năm');
    expect(r('loan-job-creation', '{rate} {rate.from}', '2026-03-01')).toBe('7,9248%/năm 01/03/2026');
    expect(r('loan-repayment', '{poor_overdue}', '2026-02-28')).toBe('8,58%/năm');
    expect(r('loan-repayment', '{poor_overdue}', '2026-03-01')).toBe('8,112%/năm');
    // The whole answer a resident reads changes on the day, not before.
    const job = before.get('loan-job-creation')!;
    expect(before.render(job, job.short_answer, on('2026-02-28'))).toContain('8,382%/năm');
    expect(before.render(job, job.short_answer, on('2026-03-01'))).toContain('7,9248%/năm');
  });

  it('a new poor-household rate from 01/03/2027 updates every derived rate from that day only', () => {
    const poor = tree.get('vbsp.rates.poor_household')!;
    const cut = kb.withParameters(tree.with('vbsp.rates.poor_household', [...poor.values, { value: 5.9, from: '2027-03-01' }]));
    const r = (id: string, t: string, day: string) => cut.render(cut.get(id)!, t, on(day));
    expect(r('loan-rates-overview', '{poor} {near_poor} {escaped} {job}', '2027-02-28')).toBe('6,24%/năm 7,488%/năm 7,8%/năm 7,9248%/năm');
    expect(r('loan-rates-overview', '{poor} {near_poor} {escaped} {job}', '2027-03-01')).toBe('5,9%/năm 7,08%/năm 7,375%/năm 7,493%/năm');
    expect(r('loan-near-poor-household', '{rate.prev} đến {rate.prev_to}', '2027-03-01')).toBe('7,488%/năm đến 28/02/2027');
    // The student rate is set by its own decisions, not as a ratio: it does not move by itself.
    expect(r('loan-student', '{rate}', '2027-03-01')).toBe('6,24%/năm');
  });

  it('base salary rise moved to 01/09/2026: the health-insurance premium and the young-worker training cap move with it', () => {
    const salary = tree.get('salary.base_salary')!;
    const moved = kb.withParameters(
      tree.with(
        'salary.base_salary',
        salary.values.map((v) => (v.value === 2530000 ? { ...v, from: '2026-09-01' } : v)),
      ),
    );
    const deps = moved.dependents('salary.base_salary').map((d) => d.entryId);
    for (const id of ['bhyt-household-premium', 'bhyt-average', 'bhyt-near-poor', 'vocational-training-support'])
      expect(deps, id).toContain(id);
    const before = renderDependents(moved, 'salary.base_salary', '2026-08-31');
    const after = renderDependents(moved, 'salary.base_salary', '2026-09-01');
    for (const [k, v] of after) expect(before.get(k), k).not.toBe(v);

    const r = (id: string, t: string, day: string) => moved.render(moved.get(id)!, t, on(day));
    expect(r('bhyt-household-premium', '{first.exact} {second.exact} {fifth.exact}', '2026-08-31')).toBe(
      '105.300 đồng 73.710 đồng 42.120 đồng',
    );
    expect(r('bhyt-household-premium', '{first.exact} {second.exact} {fifth.exact}', '2026-09-01')).toBe(
      '113.850 đồng 79.695 đồng 45.540 đồng',
    );
    expect(r('bhyt-near-poor', '{own_share.exact}', '2026-08-31')).toBe('31.590 đồng');
    expect(r('bhyt-near-poor', '{own_share.exact}', '2026-09-01')).toBe('34.155 đồng');
    expect(r('vocational-training-support', '{young_cap}', '2026-08-31')).toBe('28,08 triệu đồng');
    expect(r('vocational-training-support', '{young_cap}', '2026-09-01')).toBe('30,36 triệu đồng');
    // With the real tree the rise is on 01/07/2026.
    expect(kb.render(kb.get('bhyt-household-premium')!, '{first.exact}', on('2026-07-01'))).toBe('113.850 đồng');
    expect(kb.render(kb.get('bhyt-household-premium')!, '{first.exact}', on('2026-06-30'))).toBe('105.300 đồng');
  });

  it('one edit to a parameter file on disk changes every answer from its start date (end to end through YAML)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'params-'));
    cpSync(PARAMETERS, dir, { recursive: true });
    const file = path.join(dir, 'social_assistance/standard_level.yaml');
    writeFileSync(
      file,
      `${readFileSync(file, 'utf8')}  - value: 600000\n    from: 2027-07-01\n    basis: { instrument: Nghị định thử nghiệm, url: "https://example.gov.vn/a" }\n`,
    );
    const edited = KnowledgeBase.load(POLICIES, { parametersDir: dir });
    const r = (id: string, t: string, day: string) => edited.render(edited.get(id)!, t, on(day));
    expect(r('other-social-allowance', '{standard_level} {coef_15}', '2027-06-30')).toBe('500.000 đồng/tháng 750.000 đồng/tháng');
    expect(r('other-social-allowance', '{standard_level} {coef_15}', '2027-07-01')).toBe('600.000 đồng/tháng 900.000 đồng/tháng');
    expect(r('other-funeral', '{funeral_min_social}', '2027-07-01')).toBe('12 triệu đồng');
    expect(r('other-social-allowance-elderly', '{elderly_80}', '2027-07-01')).toBe('1,2 triệu đồng/tháng');
    // The social pension is its own parameter: it does not follow the standard level.
    expect(r('other-social-pension', '{social_pension}', '2027-07-01')).toBe('500.000 đồng/tháng');
  });

  it('names the entry and the missing parameter when a ref points nowhere', () => {
    const empty = new ParameterTree();
    expect(() => kb.withParameters(new ParameterTree([...empty.all()]))).toThrow(KnowledgeError);
    expect(() => kb.withParameters(new ParameterTree())).toThrow(/params\.\w+: tham số dùng chung "[a-z_.]+" không có/);
  });
});
