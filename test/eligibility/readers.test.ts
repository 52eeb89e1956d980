import { describe, expect, it } from 'vitest';
import { deprivationList, yesNo } from '../../src/eligibility/answers.ts';
import { createEligibilityFlow } from '../../src/eligibility/index.ts';
import { loadEligLexicon } from '../../src/eligibility/lexicon.ts';
import { ROOT, talker, testKnowledge, textOf, understanding } from './helpers.ts';

/**
 * Typed answers, read as the check reads them: the NLU's extractors in lenient mode for the question
 * just asked, and this domain's readers for yes/no and indicator names. Each row: what the person types
 * at that question → what the check records (or that it asks again).
 */
const flow = createEligibilityFlow({ knowledgeDir: `${ROOT}/knowledge`, knowledge: testKnowledge() });
const talk = talker(flow, new Date('2026-11-27T03:00:00Z'));
const lex = loadEligLexicon(`${ROOT}/knowledge`);

const AT = {
  area: ['kiểm tra hộ nghèo'],
  members: ['kiểm tra hộ nghèo', 'nông thôn'],
  income: ['kiểm tra hộ nghèo', 'nông thôn', '4'],
  indicator: ['kiểm tra hộ nghèo', 'nông thôn', '4', '5 triệu'],
};

describe('typed answers to the question just asked', () => {
  it.each([
    ['nông thôn', 'rural'],
    ['thanh thi', 'urban'],
    ['phường', 'urban'],
    ['ở phường 3', 'urban'],
    ['xã', 'rural'],
    ['thị trấn', 'urban'],
    ['thị xã', 'urban'],
    ['tp', 'urban'],
    ['quê', 'rural'],
    ['ấp 2', 'rural'],
  ])('area: "%s" → %s', (answer, area) => {
    expect(talk([...AT.area, answer]).session.flow?.data).toMatchObject({ area });
  });

  it.each(['ở xã nhưng làm ở thành phố', 'ubnd xã/phường', 'không biết'])('area: "%s" is asked again', (answer) => {
    const { session, last } = talk([...AT.area, answer]);
    expect(session.flow?.step).toBe('area');
    expect(textOf(last)).toContain('nông thôn (xã) hay thành thị');
  });

  it.each([
    ['6', 6],
    ['4 người', 4],
    ['nhà 5 khẩu', 5],
    ['sáu', 6],
    ['mười', 10],
    ['mười hai', 12],
    ['hai mươi', 20],
    ['một', 1],
    ['6 ng', 6],
    ['30', 30],
  ])('members: "%s" → %i', (answer, members) => {
    expect(talk([...AT.members, answer]).session.flow?.data).toMatchObject({ members });
  });

  it.each([
    ['0', 'ít nhất 1 người'],
    ['0 người', 'ít nhất 1 người'],
    ['35', 'từ 1 đến 30 người'],
    ['abc', 'bằng con số'],
    ['1,5', 'bằng con số'],
  ])('members: "%s" is asked again (%s)', (answer, says) => {
    const { session, last } = talk([...AT.members, answer]);
    expect(session.flow?.step).toBe('members');
    expect(textOf(last)).toContain(says);
  });

  it.each([
    ['6', { monthly: 6_000_000, assumed: true }],
    ['6tr', { monthly: 6_000_000 }],
    ['1tr5', { monthly: 1_500_000 }],
    ['1,5', { monthly: 1_500_000, assumed: true }],
    ['1500', { monthly: 1_500_000, assumed: true }],
    ['1tr8 moi nguoi', { perCapita: 1_800_000 }],
    ['1tr5/người', { perCapita: 1_500_000 }],
    ['1.5tr/ng', { perCapita: 1_500_000 }],
    ['6 triệu rưỡi', { monthly: 6_500_000 }],
    ['1 triệu 2', { monthly: 1_200_000 }],
    ['1tr500k', { monthly: 1_500_000 }],
    ['4tr1 tháng', { monthly: 4_000_000 }],
    ['72tr/năm', { monthly: 6_000_000, yearly: true }],
    ['6 củ', { monthly: 6_000_000 }],
    ['không có thu nhập', { monthly: 0 }],
  ])('income: "%s" → %o', (answer, want) => {
    const { session, results } = talk([...AT.income, answer]);
    const after = results.at(-1);
    // Below the line the check goes on to the indicators, above it gives the result: read the facts either way.
    const data = (session.flow?.data ?? session.memo?.elig) as Record<string, unknown> & { data?: Record<string, unknown> };
    expect(data.data ?? data, answer).toMatchObject(want);
    expect(after).not.toBeNull();
  });

  it('income: a yearly amount is turned into a monthly one, and said so', () => {
    expect(textOf(talk([...AT.income, '72 triệu một năm']).last)).toContain('em đổi thu nhập cả năm ra mỗi tháng: 6.000.000 đồng');
  });

  it.each([
    ['có', 'yes'],
    ['co', 'yes'],
    ['dạ có', 'yes'],
    ['dạ', 'yes'],
    ['vâng', 'yes'],
    ['ừ', 'yes'],
    ['co, ba noi chua co the', 'yes'],
    ['không', 'no'],
    ['ko', 'no'],
    ['k', 'no'],
    ['khum', 'no'],
    ['hông', 'no'],
    ['dạ không ạ', 'no'],
    ['không rõ', 'unknown'],
    ['ko biết', 'unknown'],
    ['khong chac', 'unknown'],
  ])('indicator: "%s" → %s', (answer, yn) => {
    expect(talk([...AT.indicator, answer]).session.flow?.data).toMatchObject({ answers: { employment: yn } });
  });
});

describe('domain readers on the Understanding', () => {
  it('reads yes/no without the flow', () => {
    expect(yesNo(lex, understanding('dạ có ạ'))).toBe('yes');
    expect(yesNo(lex, understanding('hmm'))).toBeNull();
  });

  it('reads the deprivation list of the one-line form, in the order written', () => {
    expect(deprivationList(lex, understanding('kiểm tra: nông thôn, 4 người, thiếu: nước sạch, nhà tiêu, BHYT'))).toEqual([
      'water',
      'sanitation',
      'health_insurance',
    ]);
    expect(deprivationList(lex, understanding('kiểm tra: nông thôn, 4 người, thu nhập 5 triệu, thiếu bhyt, nhà tạm'))).toEqual([
      'health_insurance',
      'housing_quality',
    ]);
    expect(deprivationList(lex, understanding('thiếu: không'))).toEqual([]);
    expect(deprivationList(lex, understanding('không thiếu chỉ số nào'))).toEqual([]);
    expect(deprivationList(lex, understanding('nhà 4 người thu nhập 5 triệu'))).toBeNull();
    expect(deprivationList(lex, understanding('giới thiệu việc làm'))).toBeNull();
  });
});
