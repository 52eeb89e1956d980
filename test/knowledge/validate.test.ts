import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { foldVi, isHttpsUrl, validateKnowledge } from '../../src/knowledge/validate.ts';
import { goodEntry } from './helpers.ts';

const TODAY = '2026-11-27';
const POLICIES = path.resolve(__dirname, '../../knowledge/policies');

const problemsFor = (...entries: ReturnType<typeof goodEntry>[]) => validateKnowledge(new KnowledgeBase(entries), TODAY);

describe('the real knowledge base', () => {
  const kb = KnowledgeBase.load(POLICIES);

  it('validates with no problems', () => {
    expect(validateKnowledge(kb, TODAY)).toEqual([]);
  });

  it('has every entry id listed in docs/ARCHITECTURE.md', () => {
    const ids = [
      'loan-poor-household',
      'loan-near-poor-household',
      'loan-escaped-household',
      'loan-student',
      'loan-job-creation',
      'loan-clean-water',
      'loan-housing',
      'loan-ethnic-minority-1719',
      'bhyt-poor',
      'bhyt-near-poor',
      'bhyt-escaped',
      'bhyt-average',
      'bhyt-card',
      'tuition-general-free',
      'tuition-higher-vocational',
      'tuition-study-cost-support',
      'tuition-boarding-rice',
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
      'other-funeral',
      'other-clean-water',
      'contacts-offices',
      'contacts-hotlines',
      'ntp-2026-2035',
    ];
    for (const id of ids) expect(kb.get(id), id).toBeDefined();
    expect(kb.entries).toHaveLength(ids.length);
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

  it('folds Vietnamese text (case, NFC/NFD, diacritics, đ)', () => {
    expect(foldVi('  Đường   DÂY nóng ')).toBe('duong day nong');
    expect(foldVi('hộ nghèo'.normalize('NFD'))).toBe(foldVi('HỘ NGHÈO'));
  });
});
