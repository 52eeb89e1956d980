import { describe, expect, it } from 'vitest';
import { type Answer, detailLines, scoreSet } from '../../src/eval/score.ts';

/** The scorer behind `npm run eval`: topic and entry accuracy as an editor reads them. */
describe('scoreSet', () => {
  const lines = [
    { id: 'q1', question: 'ho ngheo vay bao nhieu', topic: 'loan', entry: 'loan-poor-household' },
    { id: 'q2', question: 'sinh vien vay bao nhieu', topic: 'loan', entry: 'loan-student' },
    { id: 'q3', question: 'tro giup phap ly la gi', topic: 'legal_aid', entry: 'legal-aid-services', also: ['legal-aid-eligibility'] },
    { id: 'q4', question: 'ho can ngheo la gi', topic: 'poverty_standard', entry: 'poverty-standard-2022-2025' },
  ];
  const answer = (id: string, topic: string, entry: string | null, confidence: number): [string, Answer] => [
    id,
    { id, topic, household: null, entry, confidence, answer: 'Dạ, …' },
  ];

  it('counts an entry right when it is the labelled one or an accepted alternative, and confident wrong entries apart', () => {
    const byId = new Map([
      answer('q1', 'loan', 'loan-poor-household', 0.9),
      answer('q2', 'loan', 'loan-poor-household', 0.9), // right topic, wrong entry, confident
      answer('q3', 'legal_aid', 'legal-aid-eligibility', 0.8), // an accepted alternative
      answer('q4', 'poverty_standard', 'poverty-certification', 0.3), // wrong entry, but unsure
    ]);
    const s = scoreSet(lines, byId, 0.5);
    expect(s.correct).toBe(4);
    expect(s.entries).toEqual({ lines: 4, ok: 2, confidentWrong: 1 });
    const report = detailLines('test', s, 0.5, 1).join('\n');
    expect(report).toContain('Answered from the right entry: 50.0% (2/4)');
    expect(report).toContain('Confidently answered from a wrong entry: 25.0% (1)');
    expect(s.rows.find((r) => r.id === 'q2')).toMatchObject({
      expectedEntry: 'loan-student',
      entry: 'loan-poor-household',
      entryOk: false,
    });
  });

  it('leaves sets without entry labels out of the entry figure', () => {
    const s = scoreSet([{ id: 'x', question: 'chao', topic: 'smalltalk' }], new Map([answer('x', 'smalltalk', null, 0.9)]), 0.5);
    expect(s.entries.lines).toBe(0);
    expect(detailLines('t', s, 0.5, 1).join('\n')).not.toContain('right entry');
  });
});
