import { describe, expect, it } from 'vitest';
import { createEligibilityFlow } from '../../src/eligibility/index.ts';
import type { Session, TurnResult } from '../../src/domain/types.ts';
import { ROOT, makeCtx, newSession, persist, send, testKnowledge } from './helpers.ts';

const flow = createEligibilityFlow({ knowledgeDir: `${ROOT}/knowledge`, knowledge: testKnowledge() });
const NOW = new Date('2026-11-27T03:00:00Z');

/** Runs a conversation, persisting the session as JSON between turns (as after a restart). */
function talk(turns: (string | { payload: string })[], now = NOW, start: Session = newSession()) {
  let session = start;
  const results: (TurnResult | null)[] = [];
  for (const t of turns) {
    const r = typeof t === 'string' ? send(flow, session, t, now) : send(flow, session, undefined, now, t.payload);
    results.push(r);
    session = persist(session);
  }
  return { session, results, last: results[results.length - 1] };
}

function text(r: TurnResult | null): string {
  return (r?.replies ?? []).map((x) => x.text).join('\n');
}

function expectFlowResult(r: TurnResult | null) {
  expect(r).not.toBeNull();
  expect(r!.topic).toBe('poverty_standard');
  expect(r!.confidence).toBeGreaterThanOrEqual(0.9);
  expect(r!.outcome).toBe('flow');
  for (const rep of r!.replies) {
    expect(rep.text.startsWith('Dạ')).toBe(true);
    expect(rep.text).not.toMatch(/[<>*_`]/);
  }
}

const NO = { payload: 'elig:no' };
const YES = { payload: 'elig:yes' };

describe('eligibility flow: guided check', () => {
  it('asks area, members, income, then each indicator with buttons, then gives the result', () => {
    const { results, session, last } = talk([
      'kiểm tra hộ nghèo',
      { payload: 'elig:area:rural' },
      '4 người',
      '6tr',
      YES,
      YES,
      YES,
      NO,
      NO,
      NO,
      NO,
      NO,
      NO,
      NO,
      NO,
      NO,
    ]);
    const [start, members, income, firstIndicator] = results;
    expectFlowResult(start);
    expect(start!.replies[0].buttons?.map((b) => b.payload)).toEqual(['elig:area:rural', 'elig:area:urban', 'elig:cancel']);
    expect(text(members)).toContain('bao nhiêu người');
    expect(text(income)).toContain('thu nhập');
    expect(text(firstIndicator)).toContain('1,5 triệu đồng/người/tháng');
    expect(text(firstIndicator)).toContain('Câu 1/12');
    expect(firstIndicator!.replies[0].buttons?.map((b) => b.payload)).toEqual(['elig:yes', 'elig:no', 'elig:unknown', 'elig:cancel']);
    expectFlowResult(last);
    expect(last!.household).toBe('poor');
    expect(text(last)).toContain('HỘ NGHÈO');
    expect(text(last)).toContain('Nghị định 07/2021/NĐ-CP');
    expect(text(last)).toContain('việc làm; người phụ thuộc trong hộ gia đình; dinh dưỡng');
    expect(text(last)).toContain('UBND cấp xã');
    expect(last!.replies[0].citations?.length).toBeGreaterThan(0);
    // Entitlements drawn from the knowledge base, as a compact list of names; the details (such as the
    // "100 triệu đồng" loan ceiling, shown here before the result was shortened) sit behind kb: buttons.
    expect(text(last)).toContain('Vay vốn hộ nghèo');
    expect(last!.replies.flatMap((r) => r.buttons ?? []).map((b) => b.payload)).toContain('kb:loan-poor-household');
    expect(session.flow).toBeUndefined();
  });

  it('keeps its state as plain JSON across a restart', () => {
    const s = newSession();
    send(flow, s, 'kiểm tra hộ nghèo', NOW);
    send(flow, s, 'thành thị', NOW);
    const restored = persist(s);
    expect(restored.flow).toMatchObject({ name: 'elig', step: 'members', data: { area: 'urban' } });
    const r = send(flow, restored, '3', NOW);
    expect(text(r)).toContain('thu nhập');
    expect(restored.flow?.step).toBe('income');
  });

  it('accepts the income forms people type', () => {
    const cases: [string, Record<string, number>][] = [
      ['6 triệu', { monthly: 6000000 }],
      ['6tr', { monthly: 6000000 }],
      ['1tr5', { monthly: 1500000 }],
      ['6.000.000đ', { monthly: 6000000 }],
      ['1,5 triệu/người', { perCapita: 1500000 }],
      ['72 triệu một năm', { monthly: 6000000 }],
    ];
    for (const [answer, want] of cases) {
      const { session } = talk(['kiểm tra hộ nghèo', 'nông thôn', '4', answer]);
      expect(session.flow?.data, answer).toMatchObject(want);
    }
  });

  it('skips the indicator questions when income is above the line', () => {
    const { last, session } = talk(['kiểm tra hộ nghèo', 'nông thôn', '4', '8 triệu']);
    expectFlowResult(last);
    expect(last!.household).toBe('average');
    expect(text(last)).toContain('2.000.000 đồng');
    expect(session.flow).toBeUndefined();
  });

  it('re-asks politely when the answer is not understood', () => {
    const { results, session } = talk(['kiểm tra hộ nghèo', 'nông thôn', 'abc', '0', 'xyz']);
    expect(text(results[2])).toContain('số người');
    expect(text(results[3])).toContain('ít nhất 1 người');
    expect(session.flow?.step).toBe('members');
    const r = talk(['kiểm tra hộ nghèo', 'nông thôn', '4', '6tr', 'hmm']);
    expect(text(r.last)).toMatch(/"Có", "Không" hoặc "Không rõ"/);
    expect(r.session.flow?.step).toBe('ind:employment');
  });

  it('can be cancelled with "hủy", "thôi" or the button', () => {
    for (const cancel of ['hủy', 'thôi', 'huy', { payload: 'elig:cancel' }]) {
      const { last, session } = talk(['kiểm tra hộ nghèo', 'nông thôn', cancel]);
      expectFlowResult(last);
      expect(text(last)).toContain('dừng');
      expect(session.flow).toBeUndefined();
    }
  });

  it('jumps back on "sửa thu nhập" / "sua so nguoi" / "sửa khu vực"', () => {
    const a = talk(['kiểm tra hộ nghèo', 'nông thôn', '4', '6tr', YES, 'sửa thu nhập']);
    expect(a.session.flow?.step).toBe('income');
    expect(a.session.flow?.data).toMatchObject({ answers: { employment: 'yes' } });
    const b = talk(['kiểm tra hộ nghèo', 'nông thôn', '4', 'sua so nguoi']);
    expect(b.session.flow?.step).toBe('members');
    const c = talk(['kiểm tra hộ nghèo', 'nông thôn', '4', 'sửa khu vực']);
    expect(c.session.flow?.step).toBe('area');
    // A correction with the new value in the same message.
    const d = talk(['kiểm tra hộ nghèo', 'nông thôn', '4', '6tr', 'sửa thu nhập 8 triệu']);
    expect(d.last!.household).toBe('average');
  });

  it('can correct a finished check', () => {
    const { last, session } = talk([
      'kiểm tra: nông thôn, 4 người, thu nhập 5 triệu/tháng, thiếu: nước sạch, nhà tiêu, BHYT',
      'sửa thu nhập',
      '7 triệu',
    ]);
    expect(last!.household).toBe('average');
    expect(session.flow).toBeUndefined();
  });

  it('steps aside for an unrelated question and resumes with "tiếp tục"', () => {
    const s = newSession();
    send(flow, s, 'kiểm tra hộ nghèo', NOW);
    send(flow, s, 'nông thôn', NOW);
    const away = send(flow, s, 'cho tôi hỏi lãi suất vay vốn hộ nghèo ở ngân hàng chính sách hiện nay là bao nhiêu?', NOW);
    expect(away).toBeNull();
    expect(s.flow).toMatchObject({ name: 'elig', step: 'members' });
    const back = send(flow, persist(s), 'tiếp tục', NOW);
    expect(text(back)).toContain('tiếp tục');
    expect(text(back)).toContain('bao nhiêu người');
  });
});

describe('eligibility flow: starting', () => {
  it('starts on the ways people ask, and on the button', () => {
    for (const q of [
      'kiểm tra hộ nghèo',
      'kiem tra ho ngheo',
      'nhà tôi có được xếp hộ cận nghèo không',
      'xét hộ nghèo',
      'tôi có thuộc hộ nghèo không',
    ]) {
      const s = newSession();
      const r = send(flow, s, q, NOW);
      expect(r, q).not.toBeNull();
      expect(s.flow?.step, q).toBe('area');
    }
    const s = newSession();
    expect(send(flow, s, undefined, NOW, 'elig:start')).not.toBeNull();
    expect(s.flow?.name).toBe('elig');
  });

  it('leaves policy questions to the core', () => {
    for (const q of [
      'hộ nghèo được vay bao nhiêu',
      'thủ tục xét hộ nghèo',
      'tôi có được vay vốn hộ nghèo không',
      'nhà tôi 4 người, thu nhập 5 triệu, có được vay vốn hộ nghèo không',
      'hộ cận nghèo có được hỗ trợ BHYT không',
      'chuẩn nghèo 2026 là bao nhiêu',
      'xin chào',
    ]) {
      const s = newSession();
      expect(send(flow, s, q, NOW), q).toBeNull();
      expect(s.flow).toBeUndefined();
    }
  });

  it('answers the one-line staff form at once', () => {
    const { last, session } = talk(['kiểm tra: nông thôn, 4 người, thu nhập 5 triệu/tháng, thiếu: nước sạch, nhà tiêu, BHYT']);
    expectFlowResult(last);
    expect(last!.household).toBe('poor');
    const t = text(last);
    expect(t).toContain('5.000.000 đồng ÷ 4 người = 1.250.000 đồng');
    expect(t).toContain('nguồn nước sinh hoạt; nhà tiêu hợp vệ sinh; bảo hiểm y tế');
    expect(t).toContain('Nghị định 351/2025/NĐ-CP');
    expect(session.flow).toBeUndefined();
  });

  it('one-line form: above the line with many deprivations is not poor', () => {
    const { last } = talk(['kiểm tra: thành thị, 2 người, thu nhập 6,5 triệu, thiếu: nước sạch, nhà tiêu, BHYT, việc làm']);
    expect(last!.household).toBeNull();
    expect(text(last)).toContain('KHÔNG thuộc diện');
  });

  it('a free-text question with facts asks only for what is missing', () => {
    const { last, session } = talk(['nhà tôi 5 người ở nông thôn, tổng thu nhập 6 triệu 1 tháng, có được là hộ nghèo không']);
    expect(session.flow?.data).toMatchObject({ area: 'rural', members: 5, monthly: 6000000 });
    expect(session.flow?.step).toBe('ind:employment');
    expect(text(last)).toContain('1,2 triệu đồng/người/tháng');
    const partial = talk(['tôi có thuộc hộ nghèo không, thu nhập 1,5 triệu/người']);
    expect(partial.session.flow?.step).toBe('area');
    expect(partial.session.flow?.data).toMatchObject({ perCapita: 1500000 });
  });

  it('uses the standard in force on the day: 31/12/2026 vs 01/01/2027', () => {
    const form = 'kiểm tra: nông thôn, 4 người, thu nhập 8 triệu/tháng, thiếu: nước sạch, nhà tiêu, BHYT';
    const dec31 = talk([form], new Date('2026-12-31T10:00:00Z')); // 17:00 in Vietnam, still 31/12
    expect(dec31.last!.household).toBe('average');
    expect(text(dec31.last)).toContain('giai đoạn 2022-2025');
    const jan1 = talk([form], new Date('2026-12-31T18:00:00Z')); // 01:00 on 01/01/2027 in Vietnam
    expect(jan1.last!.household).toBe('poor');
    expect(text(jan1.last)).toContain('giai đoạn 2027-2030');
    expect(text(jan1.last)).not.toContain('07/2021');
    expect(text(jan1.last)).toMatch(/chưa/); // unconfirmed cautions
  });

  it('accepts a date in the form', () => {
    const { last } = talk(['kiểm tra ngày 01/01/2027: nông thôn, 4 người, thu nhập 8 triệu, thiếu: nước sạch, nhà tiêu, rác thải']);
    expect(last!.household).toBe('poor');
    expect(text(last)).toContain('01/01/2027');
  });
});

describe('eligibility flow: robustness', () => {
  it('reads amounts from the original text even if the NLU strips punctuation', () => {
    const s = newSession();
    const msg = 'kiểm tra: thành thị, 3 người, thu nhập 1,5 triệu/người, thiếu: nước sạch, BHYT, nhà tiêu';
    const ctx = makeCtx(s, msg, NOW);
    ctx.nlu = { ...ctx.nlu, folded: ctx.nlu.folded.replace(/[^a-z0-9 ]+/g, ' ').replace(/\s+/g, ' ') };
    const r = flow.tryStart(ctx);
    expect(r!.household).toBe('poor');
    expect(text(r)).toContain('1.500.000 đồng/tháng');
  });

  it('an unclear answer about the indicator just asked is re-asked, not treated as leaving', () => {
    const s = newSession();
    for (const m of ['kiểm tra hộ nghèo', 'nông thôn', '4', '6tr', 'không', 'không', 'không']) send(flow, s, m, NOW);
    expect(s.flow?.step).toBe('ind:health_insurance');
    const r = send(flow, s, 'mấy đứa nhỏ có bảo hiểm y tế rồi còn ông bà thì chưa làm thẻ', NOW);
    expect(r).not.toBeNull();
    expect(s.flow?.step).toBe('ind:health_insurance');
  });

  it('forgets a finished check after a while (no personal data kept beyond the session need)', () => {
    const s = newSession();
    send(flow, s, 'kiểm tra: nông thôn, 4 người, thu nhập 5 triệu, thiếu: không', NOW);
    expect(s.memo?.elig).toBeDefined();
    const later = new Date(NOW.getTime() + 3 * 3600 * 1000);
    const r = send(flow, s, 'sửa thu nhập', later);
    expect(r).toBeNull();
    expect(s.memo?.elig).toBeUndefined();
  });

  it('restarts cleanly when the stored state is damaged', () => {
    const s: Session = { ...newSession(), flow: { name: 'elig', step: 'income', data: { members: 'four' }, startedAt: NOW.toISOString() } };
    const r = send(flow, s, '6 triệu', NOW);
    expect(text(r)).toContain('làm lại từ đầu');
    expect(s.flow?.step).toBe('area');
  });

  it('asking to start again in the middle continues, offering a restart', () => {
    const { last, session } = talk(['kiểm tra hộ nghèo', 'nông thôn', 'kiểm tra hộ nghèo']);
    expect(text(last)).toContain('đang kiểm tra dở');
    expect(last!.replies[0].buttons?.[0].payload).toBe('elig:restart');
    expect(session.flow?.step).toBe('members');
    const restarted = talk(['kiểm tra hộ nghèo', 'nông thôn', { payload: 'elig:restart' }]);
    expect(restarted.session.flow?.step).toBe('area');
    expect(restarted.session.flow?.data).not.toHaveProperty('area');
  });

  it("does not swallow another module's button", () => {
    const s = newSession();
    send(flow, s, 'kiểm tra hộ nghèo', NOW);
    expect(send(flow, s, undefined, NOW, 'kb:loan-poor-household')).toBeNull();
    expect(s.flow?.name).toBe('elig');
  });
});
