import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { foldVi, freshnessWarnings, isForeignEdition, isHttpsUrl, validateKnowledge } from '../../src/knowledge/validate.ts';
import { ParameterTree } from '../../src/knowledge/parameters.ts';
import { goodEntry } from './helpers.ts';

const TODAY = '2026-12-02';
const POLICIES = path.resolve(__dirname, '../../knowledge/policies');

const problemsFor = (...entries: ReturnType<typeof goodEntry>[]) => validateKnowledge(new KnowledgeBase(entries), TODAY);

describe('the real knowledge base', () => {
  const kb = KnowledgeBase.load(POLICIES);

  it('validates with no problems', () => {
    expect(validateKnowledge(kb, TODAY)).toEqual([]);
  });

  it('has every entry id the product and the training corpus rely on', () => {
    const ids = [
      'loan-poor-household',
      'loan-near-poor-household',
      'loan-escaped-household',
      'loan-student',
      'loan-stem-student',
      'loan-job-creation',
      'loan-overseas-work',
      'loan-production-difficult-area',
      'loan-repayment',
      'loan-how-to-apply',
      'loan-rates-overview',
      'loan-social-housing',
      'loan-clean-water',
      'loan-housing',
      'loan-ethnic-minority-1719',
      'bhyt-poor',
      'bhyt-near-poor',
      'bhyt-escaped',
      'bhyt-average',
      'bhyt-card',
      'bhyt-household-premium',
      'bhyt-children-under-6',
      'bhyt-elderly',
      'bhyt-other-province',
      'health-poor-patient-support',
      'tuition-general-free',
      'tuition-higher-vocational',
      'tuition-study-cost-support',
      'tuition-boarding-rice',
      'tuition-border-school-meals',
      'tuition-kinh-near-poor-student',
      'legal-aid-eligibility',
      'legal-aid-services',
      'vocational-training-support',
      'vocational-low-income-workers',
      'housing-programme-2021-2025',
      'housing-temporary-house-campaign',
      'housing-now',
      'poverty-standard-2022-2025',
      'poverty-standard-2027-2030',
      'poverty-review-annual',
      'poverty-review-request',
      'poverty-certification',
      'poverty-escaped-duration',
      'poverty-reorganisation-2025',
      'benefits-poor',
      'benefits-near-poor',
      'benefits-escaped',
      'benefits-average',
      'other-electricity',
      'other-social-allowance',
      'other-social-allowance-elderly',
      'other-social-allowance-disability',
      'other-social-allowance-children',
      'other-social-allowance-single-parent',
      'other-social-pension',
      'other-funeral',
      'other-clean-water',
      'other-disaster-fund-exemption',
      'other-provincial-topups',
      'other-tet-support',
      'other-production-support',
      'other-digital-devices',
      'social-insurance-voluntary-support',
      'contacts-offices',
      'contacts-hotlines',
      'ntp-2026-2035',
    ];
    for (const id of ids) expect(kb.get(id), id).toBeDefined();
    expect(new Set(kb.entries.map((e) => e.id))).toEqual(new Set(ids));
  });

  it('gives every detail section a kind, and the planned topics to the new entries', () => {
    for (const e of kb.entries) for (const d of e.details) expect(d.kind, `${e.id}: ${d.heading}`).toBeDefined();
    expect(kb.get('health-poor-patient-support')?.topic).toBe('health_insurance');
    expect(kb.get('social-insurance-voluntary-support')?.topic).toBe('other_policy');
    expect(kb.get('other-disaster-fund-exemption')?.topic).toBe('other_policy');
  });

  it('never presents an ended programme as current', () => {
    for (const id of ['housing-temporary-house-campaign', 'housing-programme-2021-2025']) {
      const e = kb.get(id)!;
      expect(e.status).toBe('ended');
      expect(kb.isCurrent(e, new Date('2026-11-27T03:00:00Z'))).toBe(false);
    }
  });

  it('starts every short answer with "Dạ," and keeps 6-15 phrasings', () => {
    for (const e of kb.entries) {
      expect(e.short_answer.startsWith('Dạ,'), e.id).toBe(true);
      expect(e.phrasings.length, e.id).toBeGreaterThanOrEqual(6);
      expect(e.phrasings.length, e.id).toBeLessThanOrEqual(15);
    }
  });
});

describe('validateKnowledge rules', () => {
  it('accepts the good entry', () => {
    expect(problemsFor(goodEntry())).toEqual([]);
  });

  it('flags an entry past its effective_to that is still in force', () => {
    const p = problemsFor(goodEntry({ effective_to: '2025-12-31', status: 'in_force' }));
    expect(p.join('\n')).toMatch(/hết hiệu lực từ 2025-12-31/);
  });

  it('flags "superseded" without a past effective_to', () => {
    expect(problemsFor(goodEntry({ status: 'superseded' })).join('\n')).toMatch(/superseded/);
    expect(problemsFor(goodEntry({ status: 'superseded', effective_to: '2027-01-01' })).join('\n')).toMatch(/superseded/);
    expect(problemsFor(goodEntry({ status: 'superseded', effective_to: '2025-11-30' }))).toEqual([]);
  });

  it('flags duplicate ids', () => {
    expect(problemsFor(goodEntry(), goodEntry()).join('\n')).toMatch(/id bị trùng/);
  });

  it('flags a phrasing claimed by two entries, ignoring case and diacritics', () => {
    const a = goodEntry();
    const b = goodEntry({
      id: 'other-entry',
      phrasings: ['CÂU HỎI MỘT', 'khac 2', 'khac 3', 'khac 4', 'khac 5', 'khac 6'],
    });
    const p = problemsFor(a, b);
    expect(p.join('\n')).toMatch(/trùng với mục "test-entry"/);
  });

  it('flags a link that is not a well-formed https URL', () => {
    // The schema already rejects http links at load; the validator checks entries built in code too.
    const e = goodEntry();
    (e as { sources: string[] }).sources = ['http://example.gov.vn/a'];
    const p = problemsFor(e);
    expect(p.join('\n')).toMatch(/sources\[0\] không phải liên kết https/);
    const q = problemsFor(goodEntry({ legal_basis: [{ instrument: 'Quyết định 2553/QĐ-TTg', url: 'https://example.gov.vn/a' }] }));
    expect(q).toEqual([]);
    expect(isHttpsUrl('https://x')).toBe(false);
    expect(isHttpsUrl('https://vbsp.org.vn/a b')).toBe(false);
    expect(isHttpsUrl('https://eng.vbsp.org.vn/poor-households-lending.html')).toBe(true);
  });

  it('flags status unconfirmed without a caution, and without a caution word in the short answer', () => {
    const p = problemsFor(goodEntry({ status: 'unconfirmed' }));
    expect(p.join('\n')).toMatch(/thiếu caution/);
    expect(p.join('\n')).toMatch(/lời lưu ý/);
    const ok = goodEntry({
      status: 'unconfirmed',
      caution: 'Chưa được xác nhận.',
      short_answer: 'Dạ, mức {rate} chưa được xác nhận, vui lòng hỏi lại UBND xã.',
    });
    expect(problemsFor(ok)).toEqual([]);
  });

  it('flags an unconfirmed value without a caution', () => {
    const e = goodEntry({
      params: { rate: { label: 'x', unit: 'percent', history: [{ value: 1, from: '2020-01-01', unconfirmed: true }] } },
    });
    expect(problemsFor(e).join('\n')).toMatch(/unconfirmed: true/);
  });

  it('flags a related id that does not exist', () => {
    expect(problemsFor(goodEntry({ related: ['no-such-entry'] })).join('\n')).toMatch(/related "no-such-entry" không tồn tại/);
  });

  it('flags a placeholder naming a missing param or an unknown modifier', () => {
    const p = problemsFor(goodEntry({ short_answer: 'Dạ, có. Mức vay là {max_amount}, lãi {rate.yearly}.' }));
    expect(p.join('\n')).toMatch(/\{max_amount\}.*"max_amount"/);
    expect(p.join('\n')).toMatch(/hậu tố "yearly"/);
  });

  it('flags overlapping date ranges in a param history', () => {
    const overlapping = goodEntry({
      params: {
        rate: {
          label: 'x',
          unit: 'percent_per_year',
          history: [
            { value: 6.6, from: '2013-01-01', to: '2025-12-01' },
            { value: 6.24, from: '2025-12-01' },
          ],
        },
      },
    });
    expect(problemsFor(overlapping).join('\n')).toMatch(/chồng lấn/);
    const open = goodEntry({
      params: {
        rate: {
          label: 'x',
          unit: 'percent_per_year',
          history: [
            { value: 6.6, from: '2013-01-01' },
            { value: 6.24, from: '2025-12-01' },
          ],
        },
      },
    });
    expect(problemsFor(open).join('\n')).toMatch(/chồng lấn/);
  });

  it('flags a missing citation', () => {
    const e = goodEntry();
    (e as { sources: string[] }).sources = [];
    (e as { legal_basis: unknown[] }).legal_basis = [];
    const p = problemsFor(e).join('\n');
    expect(p).toMatch(/thiếu căn cứ pháp lý/);
    expect(p).toMatch(/thiếu nguồn/);
  });

  it('flags an article repeated in the instrument name, or the same citation twice', () => {
    const repeated = goodEntry({
      legal_basis: [{ instrument: 'Luật Trợ giúp pháp lý 11/2017/QH14, Điều 7', article: 'Điều 7', url: 'https://example.gov.vn/a' }],
    });
    expect(problemsFor(repeated).join('\n')).toMatch(/"Điều 7" đã có trong tên văn bản/);
    const twice = goodEntry({
      legal_basis: [
        { instrument: 'Quyết định 2553/QĐ-TTg', url: 'https://example.gov.vn/a' },
        { instrument: 'Quyết định 2553/QĐ-TTg', url: 'https://example.gov.vn/b' },
      ],
    });
    expect(problemsFor(twice).join('\n')).toMatch(/ghi hai lần/);
  });

  it('flags a legal basis that does not start with the instrument name', () => {
    const p = problemsFor(goodEntry({ legal_basis: [{ instrument: 'Báo Dân trí: giảm lãi suất', url: 'https://example.gov.vn/a' }] }));
    expect(p.join('\n')).toMatch(/tên văn bản phải đứng đầu/);
    expect(problemsFor(goodEntry({ legal_basis: [{ instrument: 'Thông tư 01/2025/TT-BYT', url: 'https://example.gov.vn/a' }] }))).toEqual(
      [],
    );
  });

  it('flags a short answer too long for a phone screen', () => {
    const long = goodEntry({ short_answer: `Dạ, có. ${'Một câu dài thêm để vượt giới hạn. '.repeat(14)}` });
    expect(problemsFor(long).join('\n')).toMatch(/short_answer dài \d+ ký tự/);
  });

  it('flags a current entry whose template has no value on the day checked', () => {
    const e = goodEntry({
      params: { rate: { label: 'x', unit: 'percent_per_year', history: [{ value: 6.6, from: '2013-01-01', to: '2025-11-30' }] } },
      details: [],
    });
    expect(problemsFor(e).join('\n')).toMatch(/\(chưa có mức áp dụng\)/);
  });

  it('flags a unit written twice after a placeholder ("/tháng/tháng")', () => {
    const e = goodEntry({
      params: { amount: { label: 'x', unit: 'vnd_per_month', history: [{ value: 500000, from: '2024-07-01' }] } },
      short_answer: 'Dạ, có. Mức trợ cấp là {amount}/tháng.',
      details: [],
    });
    expect(problemsFor(e).join('\n')).toMatch(/đơn vị lặp "\/tháng\/tháng"/);
  });

  it('recognises foreign-language editions of Vietnamese pages', () => {
    expect(isForeignEdition('https://news.laodong.vn/thoi-su/a-1.ldo')).toBe(true);
    expect(isForeignEdition('https://english.luatvietnam.vn/a.html')).toBe(true);
    expect(isForeignEdition('https://www.vietnam.vn/en/a')).toBe(true);
    expect(isForeignEdition('https://eng.vbsp.org.vn/a.html')).toBe(true);
    expect(isForeignEdition('https://laodong.vn/thoi-su/a-1.ldo')).toBe(false);
    expect(isForeignEdition('https://dantri.com.vn/lao-dong-viec-lam/a.htm')).toBe(false);
  });

  it('folds Vietnamese text (case, NFC/NFD, diacritics, đ)', () => {
    expect(foldVi('  Đường   DÂY nóng ')).toBe('duong day nong');
    expect(foldVi('hộ nghèo'.normalize('NFD'))).toBe(foldVi('HỘ NGHÈO'));
  });
});

describe('freshness report (fixed day, never the real clock)', () => {
  const DAY = '2026-12-02';
  const warningsFor = (entries: ReturnType<typeof goodEntry>[], tree?: ParameterTree) =>
    freshnessWarnings(new KnowledgeBase(entries, tree), DAY);

  it('reports an entry last verified more than 180 days ago, and not one verified 180 days ago', () => {
    expect(warningsFor([goodEntry({ last_verified: '2026-06-04' })]).join('\n')).toMatch(/quá 180 ngày/);
    expect(warningsFor([goodEntry({ last_verified: '2026-06-05' })]).join('\n')).not.toMatch(/quá 180 ngày/);
  });

  it('reports a dated value that ends within 60 days with no successor', () => {
    const ending = (to: string) =>
      goodEntry({
        params: {
          rate: {
            label: 'x',
            unit: 'percent_per_year',
            history: [
              { value: 6.6, from: '2013-01-01', to: '2025-11-30' },
              { value: 6.24, from: '2025-12-01', to },
            ],
          },
        },
      });
    expect(warningsFor([ending('2027-01-31')]).join('\n')).toMatch(/params\.rate \(6\.24\) hết áp dụng 2027-01-31, chưa có mức kế tiếp/);
    expect(warningsFor([ending('2027-02-01')]).join('\n')).toBe('');
    // A successor value silences it.
    const followed = goodEntry({
      params: {
        rate: {
          label: 'x',
          unit: 'percent_per_year',
          history: [
            { value: 6.24, from: '2025-12-01', to: '2026-12-31' },
            { value: 6.0, from: '2027-01-01' },
          ],
        },
      },
    });
    expect(warningsFor([followed])).toEqual([]);
  });

  it('reports a shared parameter whose last value ends within 60 days', () => {
    const tree = new ParameterTree([
      {
        id: 'vbsp.rates.poor_household',
        description: 'Lãi suất cho vay hộ nghèo',
        unit: 'percent_per_year',
        reference: ['https://example.gov.vn/a'],
        values: [{ value: 6.24, from: '2025-12-01', to: '2026-12-31' }],
      },
    ]);
    expect(warningsFor([goodEntry()], tree).join('\n')).toMatch(
      /parameters\/vbsp\.rates\.poor_household: giá trị 6\.24 hết áp dụng 2026-12-31/,
    );
  });

  it('in the real knowledge base today, only flags the 2022-2025 standard that ends on 31/12/2026', () => {
    const kb = KnowledgeBase.load(POLICIES);
    const stale = freshnessWarnings(kb, DAY).filter((w) => !/tiếng nước ngoài/.test(w));
    expect(stale).toEqual([
      'poverty-standard-2022-2025: hết hiệu lực 2026-12-31; sau ngày đó đổi status thành "superseded" hoặc "ended" (thay bằng poverty-standard-2027-2030)',
    ]);
  });
});
