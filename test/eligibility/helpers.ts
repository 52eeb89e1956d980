import path from 'node:path';
import type { TurnContext } from '../../src/core/context.ts';
import type { Session, TurnResult } from '../../src/domain/types.ts';
import type { Understanding } from '../../src/nlu/types.ts';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { policyEntrySchema, type PolicyEntry } from '../../src/knowledge/schema.ts';
import type { Flow } from '../../src/core/context.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { understand } from '../helpers/nlu.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const STANDARDS_DIR = path.join(ROOT, 'knowledge/standards');

/** The engine's own reading of `text`. */
export function understanding(text: string): Understanding {
  return understand(text);
}

function entry(
  id: string,
  title: string,
  households: PolicyEntry['households'],
  short: string,
  extra: Partial<PolicyEntry> = {},
): PolicyEntry {
  return policyEntrySchema.parse({
    id,
    topic: 'benefits_overview',
    title,
    households,
    short_answer: short,
    legal_basis: [{ instrument: `Văn bản thử ${id}`, url: 'https://example.gov.vn/a' }],
    status: 'in_force',
    last_verified: '2026-11-27',
    sources: ['https://example.gov.vn/a'],
    phrasings: [`${id} một`, `${id} hai`, `${id} ba`],
    ...extra,
  });
}

/** A hand-built knowledge base with a few of the entitlement entries (others deliberately absent). */
export function testKnowledge(): KnowledgeBase {
  return new KnowledgeBase([
    entry(
      'benefits-poor',
      'Quyền lợi của hộ nghèo',
      ['poor'],
      'Dạ, hộ nghèo được vay vốn ưu đãi, cấp thẻ BHYT miễn phí và nhiều hỗ trợ khác. Chi tiết xem từng mục.',
    ),
    entry('loan-poor-household', 'Vay vốn hộ nghèo', ['poor'], 'Dạ, hộ nghèo được vay tối đa {max_amount}/hộ, lãi suất {rate}.', {
      topic: 'loan',
      params: {
        max_amount: { label: 'Mức vay', unit: 'vnd', history: [{ value: 100000000, from: '2019-03-01' }] },
        rate: {
          label: 'Lãi suất',
          unit: 'percent_per_year',
          history: [
            { value: 6.6, from: '2013-01-01', to: '2025-11-30' },
            { value: 6.24, from: '2025-12-01' },
          ],
        },
      },
    }),
    entry(
      'bhyt-near-poor',
      'BHYT cho hộ cận nghèo',
      ['near_poor'],
      'Dạ, người thuộc hộ cận nghèo được Nhà nước hỗ trợ ít nhất 70% mức đóng BHYT.',
      { topic: 'health_insurance' },
    ),
    entry(
      'loan-student',
      'Vay vốn học sinh, sinh viên',
      ['poor', 'near_poor', 'average'],
      'Dạ, sinh viên thuộc hộ nghèo, cận nghèo, mức sống trung bình được vay vốn để học.',
      { topic: 'loan' },
    ),
    entry(
      'benefits-average',
      'Quyền lợi hộ có mức sống trung bình',
      ['average'],
      'Dạ, hộ có mức sống trung bình được hỗ trợ một phần tiền mua BHYT và vay vốn sinh viên.',
    ),
    entry('housing-now', 'Hỗ trợ nhà ở (cũ)', ['poor'], 'Dạ, mục này đã hết hiệu lực và không được liệt kê.', {
      topic: 'housing',
      status: 'ended',
    }),
  ]);
}

export function makeCtx(session: Session, text: string | undefined, now: Date, payload?: string): TurnContext {
  return {
    incoming: { channel: 'test', conversationId: session.id, text, payload },
    nlu: understanding(text ?? ''),
    session,
    now,
    clock: new ManualClock({ wall: now }),
    services: { knowledge: testKnowledge() },
  };
}

/** Sends one message the way the core does: continue an active flow, else try to start. */
export function send(flow: Flow, session: Session, text: string | undefined, now: Date, payload?: string): TurnResult | null {
  const ctx = makeCtx(session, text, now, payload);
  if (session.flow?.name === flow.name) return flow.continue(ctx);
  return flow.tryStart(ctx);
}

export function newSession(): Session {
  return { id: 'test-1', updatedAt: new Date().toISOString() };
}

/** Sessions are stored as JSON: round-trip to prove the state survives a restart. */
export function persist(session: Session): Session {
  return JSON.parse(JSON.stringify(session)) as Session;
}

/** Plays a conversation with a flow, persisting the session as JSON between turns (as after a restart). */
export function talker(flow: Flow, defaultNow: Date) {
  return (turns: (string | { payload: string })[], now = defaultNow, start: Session = newSession()) => {
    let session = start;
    const results: (TurnResult | null)[] = [];
    for (const t of turns) {
      const r = typeof t === 'string' ? send(flow, session, t, now) : send(flow, session, undefined, now, t.payload);
      results.push(r);
      session = persist(session);
    }
    return { session, results, last: results[results.length - 1] };
  };
}

/** All reply texts of a turn, joined. */
export function textOf(r: TurnResult | null): string {
  return (r?.replies ?? []).map((x) => x.text).join('\n');
}
