import type { Understanding } from '../nlu/types.ts';
import type { ModelReading } from '../nlu/model/nlu-model.ts';
import type { DetailKind } from '../knowledge/schema.ts';

const FROM_MODEL: Record<string, DetailKind> = {
  procedure: 'procedure',
  documents: 'documents',
  where: 'where',
  contact: 'where',
  amount: 'amount',
  rate: 'amount',
  duration: 'amount',
  eligibility: 'eligibility',
};

/**
 * Which part of a policy answer the question asks for: the question's own words first (cues such as
 * "thủ tục", "giấy tờ", "ở đâu", "bao nhiêu"), then the learned question-type model when it is sure.
 * Null for a general question (the direct answer serves it).
 */
export function askedPart(nlu: Understanding, reading?: ModelReading): DetailKind | null {
  for (const part of ['documents', 'procedure', 'where', 'amount', 'eligibility'] as const) if (nlu.acts.asks.includes(part)) return part;
  const top = reading?.ask[0];
  if (top && top.p >= 0.6) return FROM_MODEL[top.label] ?? null;
  return null;
}
