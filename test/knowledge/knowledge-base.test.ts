import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { KnowledgeBase, KnowledgeError } from '../../src/knowledge/knowledge-base.ts';
import { tempDir } from './helpers.ts';

const POLICIES = path.resolve(__dirname, '../../knowledge/policies');
/** Noon in Vietnam on the given day. */
const on = (iso: string) => new Date(`${iso}T05:00:00Z`);

describe('rendering by date', () => {
  const kb = KnowledgeBase.load(POLICIES);

  it('gives the poor-household loan rate 6,6% on 2025-11-30 and 6,24% on 2026-11-27', () => {
    const e = kb.get('loan-poor-household')!;
    expect(kb.render(e, '{rate}', on('2025-11-30'))).toBe('6,6%/năm');
    expect(kb.render(e, '{rate}', on('2026-11-27'))).toBe('6,24%/năm');
    expect(kb.render(e, '{rate.month}', on('2026-11-27'))).toBe('0,52%/tháng');
    expect(kb.render(e, '{rate.from}', on('2026-11-27'))).toBe('01/12/2025');
    expect(kb.render(e, '{rate.prev} đến {rate.prev_to}', on('2026-11-27'))).toBe('6,6%/năm đến 30/11/2025');
    const answer = kb.render(e, e.short_answer, on('2026-11-27'));
    expect(answer).toContain('6,24%/năm');
    expect(answer).toContain('100 triệu đồng');
    expect(answer).not.toMatch(/\{|\(chưa có mức/);
  });

  it('gives the near-poor BHYT benefit 95% on 2025-12-31 and 100% on 2026-01-01', () => {
    const e = kb.get('bhyt-near-poor')!;
    expect(kb.render(e, '{benefit}', on('2025-12-31'))).toBe('95%');
    expect(kb.render(e, '{benefit}', on('2026-01-01'))).toBe('100%');
  });

  it('gives the near-poor and newly-escaped loan rates from 01/12/2025', () => {
    expect(kb.render(kb.get('loan-near-poor-household')!, '{rate} {rate.month}', on('2026-11-27'))).toBe('7,488%/năm 0,624%/tháng');
    expect(kb.render(kb.get('loan-escaped-household')!, '{rate} {rate.month}', on('2026-11-27'))).toBe('7,8%/năm 0,65%/tháng');
    expect(kb.render(kb.get('loan-escaped-household')!, '{rate}', on('2025-11-30'))).toBe('8,25%/năm');
  });

  it('renders every answer, detail line and caution on 2026-11-27 without leftover placeholders', () => {
    for (const e of kb.entries) {
      for (const t of [e.short_answer, ...e.details.flatMap((d) => d.lines), e.caution ?? '']) {
        const text = kb.render(e, t, on('2026-11-27'));
        expect(text, e.id).not.toMatch(/\{[a-z0-9_.]+\}|\(chưa có mức áp dụng\)|\(không có mức trước\)/);
      }
    }
  });

  it('applies the 2027-2030 poverty thresholds only from 2027', () => {
    const e = kb.get('poverty-standard-2027-2030')!;
    expect(kb.valueAt(e, 'rural_income', on('2026-11-27'))).toBeNull();
    expect(kb.render(e, '{rural_income}', on('2027-01-01'))).toBe('2,2 triệu đồng/người/tháng');
    const old = kb.get('poverty-standard-2022-2025')!;
    expect(kb.render(old, '{rural_income}', on('2026-12-31'))).toBe('1,5 triệu đồng/người/tháng');
    expect(kb.valueAt(old, 'rural_income', on('2027-01-01'))).toBeNull();
  });
});

describe('KnowledgeBase.load on broken files', () => {
  it('names the file, the entry and the field when a field is wrong', () => {
    const dir = tempDir({
      'bad-entry.yaml': [
        'id: bad-entry',
        'topic: loan',
        'title: Mục hỏng',
        'short_answer: Dạ, đây là một câu trả lời đủ dài để qua kiểm tra.',
        'legal_basis: [{ instrument: Quyết định 2553/QĐ-TTg }]',
        'status: in_force',
        'last_verified: 2026-13-45',
        'sources: [https://example.gov.vn/a]',
        'phrasings: [a1 hỏi, a2 hỏi, a3 hỏi]',
      ].join('\n'),
    });
    let err: unknown;
    try {
      KnowledgeBase.load(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KnowledgeError);
    const msg = (err as Error).message;
    expect(msg).toContain('bad-entry.yaml');
    expect(msg).toContain('mục "bad-entry"');
    expect(msg).toContain('last_verified');
  });

  it('names the file when the YAML itself does not parse', () => {
    const dir = tempDir({ 'broken.yaml': 'id: x\ntitle: [unclosed\n  - : :\n' });
    expect(() => KnowledgeBase.load(dir)).toThrow(/broken\.yaml/);
  });

  it('names the field when an http link is used', () => {
    const dir = tempDir({
      'http-link.yaml': [
        'id: http-link',
        'topic: loan',
        'title: Mục có liên kết http',
        'short_answer: Dạ, đây là một câu trả lời đủ dài để qua kiểm tra.',
        'legal_basis: [{ instrument: Quyết định 2553/QĐ-TTg }]',
        'status: in_force',
        'last_verified: 2026-11-27',
        'sources: [http://example.gov.vn/a]',
        'phrasings: [a1 hỏi, a2 hỏi, a3 hỏi]',
      ].join('\n'),
    });
    expect(() => KnowledgeBase.load(dir)).toThrow(/http-link\.yaml.*mục "http-link".*sources\.0/);
  });
});
