import { describe, expect, it } from 'vitest';
import { createEligibilityFlow } from '../../src/eligibility/index.ts';
import { dateForYear } from '../../src/eligibility/rerun.ts';
import { ROOT, talker, testKnowledge, textOf } from './helpers.ts';

/**
 * A question about the household just checked re-runs the check on the stored facts with the one thing
 * changed (a year or date, the income, the household size, the area), instead of asking everything again,
 * and says what changed.
 */
const flow = createEligibilityFlow({ knowledgeDir: `${ROOT}/knowledge`, knowledge: testKnowledge() });
const NOW = new Date('2026-11-27T03:00:00Z');
const talk = talker(flow, NOW);
const FORM = 'kiểm tra: nông thôn, 4 người, thu nhập 5 triệu/tháng, thiếu: nước sạch, nhà tiêu';
const NO = { payload: 'elig:no' };

describe('questions about the household just checked', () => {
  it('"năm 2027 thì sao": the same facts under the 2027-2030 standard', () => {
    const { last, session } = talk([FORM, 'năm 2027 thì sao']);
    const t = textOf(last);
    expect(t).toContain('em tính lại hộ vừa kiểm tra với năm 2027');
    expect(t).toContain('giai đoạn 2027-2030');
    expect(t).toContain('2.200.000 đồng');
    expect(t).toContain('HỘ CẬN NGHÈO (như trước)');
    // The list came in one line: the new indicator is named as not counted, nothing is asked.
    expect(t).toContain('Chỉ số mới (thu gom, xử lý rác thải sinh hoạt) chưa có trong danh sách');
    expect(last!.household).toBe('near_poor');
    expect(session.flow).toBeUndefined();
  });

  it('"vậy hộ này năm 2027 có còn là hộ nghèo không" re-runs instead of starting a new check', () => {
    const { last, session } = talk([
      'kiểm tra: nông thôn, 4 người, thu nhập 6 triệu, thiếu: nước sạch, nhà tiêu, BHYT',
      'vậy hộ này năm 2027 có còn là hộ nghèo không',
    ]);
    const t = textOf(last);
    expect(t).toContain('năm 2027');
    expect(t).toContain('HỘ NGHÈO (như trước)');
    expect(t).not.toContain('nông thôn hay thành thị');
    expect(session.flow).toBeUndefined();
  });

  it('"nếu thu nhập 7 triệu thì sao" changes the income and says from what', () => {
    const { last } = talk(['kiểm tra: nông thôn, 4 người, thu nhập 5 triệu, thiếu: không', 'nếu thu nhập 7 triệu thì sao']);
    const t = textOf(last);
    expect(t).toContain('thu nhập 7 triệu đồng/tháng (trước: 5 triệu đồng/tháng)');
    expect(t).toContain('7.000.000 đồng ÷ 4 người = 1.750.000 đồng');
    expect(t).toContain('HỘ CÓ MỨC SỐNG TRUNG BÌNH (trước: hộ cận nghèo)');
    expect(last!.household).toBe('average');
  });

  it('"nếu có thêm 1 người thì sao" adds a member; "bớt 1 người" removes one', () => {
    const more = talk(['kiểm tra: nông thôn, 4 người, thu nhập 7 triệu, thiếu: không', 'nếu có thêm 1 người thì sao']);
    expect(textOf(more.last)).toContain('5 người (trước: 4)');
    expect(textOf(more.last)).toContain('7.000.000 đồng ÷ 5 người = 1.400.000 đồng');
    expect(more.last!.household).toBe('near_poor');
    const fewer = talk(['kiểm tra: nông thôn, 4 người, thu nhập 5 triệu, thiếu: không', 'nếu bớt 1 người thì sao']);
    expect(textOf(fewer.last)).toContain('3 người (trước: 4)');
  });

  it('keeps the change for the next question ("năm 2027" then "nếu thu nhập 9 triệu")', () => {
    const { last } = talk([FORM, 'năm 2027 thì sao', 'nếu thu nhập 9 triệu thì sao']);
    expect(textOf(last)).toContain('giai đoạn 2027-2030');
    expect(textOf(last)).toContain('9.000.000 đồng ÷ 4 người');
  });

  it('after a guided check, asks only the new indicator of the new standard when it could change the result', () => {
    const guided = ['kiểm tra hộ nghèo', 'nông thôn', '4', '5 triệu', { payload: 'elig:yes' }, ...Array(11).fill(NO)];
    const { last, session } = talk([...guided, 'năm 2027 thì sao']);
    expect(session.flow?.step).toBe('ind:waste');
    expect(textOf(last)).toContain('Em hỏi thêm 1 câu');
    const done = talk([...guided, 'năm 2027 thì sao', 'không']);
    expect(done.last!.household).toBe('near_poor');
    expect(textOf(done.last)).toContain('giai đoạn 2027-2030');
  });

  it('after a guided check with three deprivations, the new indicator cannot change the result and is not asked', () => {
    const yes = { payload: 'elig:yes' };
    const guided = ['kiểm tra hộ nghèo', 'nông thôn', '4', '5 triệu', yes, yes, yes, ...Array(9).fill(NO)];
    const { last, session } = talk([...guided, 'năm 2027 thì sao']);
    expect(session.flow).toBeUndefined();
    expect(last!.household).toBe('poor');
    expect(textOf(last)).toContain('không cần hỏi thêm chỉ số mới');
  });

  it('"… có còn là hộ nghèo không" without a reference re-runs only for another year; with new facts it is a new household', () => {
    const year = talk([FORM, 'năm 2027 có còn là hộ cận nghèo không']);
    expect(textOf(year.last)).toContain('em tính lại hộ vừa kiểm tra với năm 2027');
    const other = talk([FORM, 'nhà tôi 5 người thu nhập 4 triệu có còn là hộ nghèo không']);
    expect(textOf(other.last)).not.toContain('em tính lại');
    expect(other.session.flow?.data).toMatchObject({ members: 5, monthly: 4_000_000 });
    expect(other.session.flow?.data).not.toHaveProperty('area');
  });

  it('leaves other questions alone: another household, another policy, or no check done', () => {
    expect(talk([FORM, 'còn hộ khác 5 người thì sao']).last).toBeNull();
    expect(talk([FORM, 'nếu thu nhập 7 triệu thì có được vay vốn không']).last).toBeNull();
    expect(talk(['năm 2027 thì sao']).last).toBeNull();
    expect(talk(['nếu thu nhập 7 triệu thì sao']).last).toBeNull();
  });

  it('forgets the household after two hours of real time', () => {
    const first = talk([FORM]);
    const later = new Date(NOW.getTime() + 3 * 3600 * 1000);
    expect(talk(['năm 2027 thì sao'], later, first.session).last).toBeNull();
  });

  it('cannot add a member to a household known only by its income per person', () => {
    const { last } = talk(['kiểm tra: nông thôn, thu nhập 1,2 triệu/người, thiếu: không', 'nếu có thêm 1 người thì sao']);
    expect(textOf(last)).toContain('chưa có số người trong hộ');
  });

  it('a year stands for today in this year, 1 January of a later one, 31 December of an earlier one', () => {
    expect(dateForYear(2026, '2026-11-27')).toBe('2026-11-27');
    expect(dateForYear(2027, '2026-11-27')).toBe('2027-01-01');
    expect(dateForYear(2025, '2026-11-27')).toBe('2025-12-31');
  });
});
