import { describe, expect, it } from 'vitest';
import { Triage } from '../../src/learning/triage.ts';
import type { Incoming, TurnResult } from '../../src/domain/types.ts';

const at = (min: number) => new Date(Date.UTC(2026, 11, 2, 3, min));
const msg = (text: string, conversationId = 'c'): Incoming => ({ channel: 'test', conversationId, text });
const answer = (topic: TurnResult['topic'], confidence: number, extra: Partial<TurnResult> = {}): TurnResult => ({
  replies: [{ text: 'x' }],
  topic,
  household: null,
  confidence,
  outcome: 'answered',
  ...extra,
});

describe('the learning loop files what editors need to see', () => {
  it('files a confident answer that the person follows at once with a rephrasing of the same question', () => {
    const t = new Triage();
    expect(t.record(msg('hộ nghèo vay vốn được bao nhiêu tiền'), answer('loan', 0.9), at(0)).items).toEqual([]);
    const next = t.record(msg('tôi hỏi hộ nghèo được vay vốn tối đa bao nhiêu tiền cơ'), answer('loan', 0.9), at(1));
    expect(next.items.map((i) => [i.kind, i.text])).toEqual([['rephrased', 'hộ nghèo vay vốn được bao nhiêu tiền']]);
  });

  it('does not take a short follow-up for a rephrasing', () => {
    const t = new Triage();
    t.record(msg('hộ nghèo vay vốn được bao nhiêu tiền'), answer('loan', 0.9), at(0));
    expect(t.record(msg('còn hộ cận nghèo thì sao'), answer('loan', 0.9), at(1)).items).toEqual([]);
  });

  it('files the previous question on a complaint ("sai rồi") and on 👎', () => {
    const t = new Triage();
    t.record(msg('hộ nghèo có được miễn học phí đại học không'), answer('tuition', 0.8), at(0));
    const r = t.record(msg('sai rồi'), answer('smalltalk', 0.95, { signals: { complaint: true } }), at(1));
    expect(r.items.map((i) => [i.kind, i.topic, i.text])).toEqual([
      ['unhelpful', 'tuition', 'hộ nghèo có được miễn học phí đại học không'],
    ]);
    t.record(msg('thẻ bhyt cận nghèo được mấy phần trăm', 'd'), answer('health_insurance', 0.8), at(2));
    const down = t.record({ channel: 'test', conversationId: 'd', payload: 'fb:down:bhyt-near-poor' }, answer('smalltalk', 1), at(3));
    expect(down.items.map((i) => i.kind)).toEqual(['unhelpful']);
  });

  it('samples a few confident answers a day for review, reproducibly, never more than the quota', () => {
    const run = () => {
      const t = new Triage();
      let n = 0;
      for (let i = 0; i < 2000; i++) n += t.record(msg(`câu hỏi số ${i} về vay vốn`, `s${i}`), answer('loan', 0.9), at(0)).items.length;
      return n;
    };
    const n = run();
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(20);
    expect(run()).toBe(n);
  });

  it('masks personal data in every filed question', () => {
    const t = new Triage();
    const r = t.record(
      msg('tôi cccd 079203001234 sdt 0912345678 hỏi cái này'),
      answer('out_of_scope', 0.9, { outcome: 'declined' }),
      at(0),
    );
    expect(JSON.stringify(r.items)).not.toMatch(/079203001234|0912345678/);
  });
});
