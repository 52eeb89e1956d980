import type { Session, TurnResult } from '../domain/types.ts';
import type { TurnContext } from './context.ts';

/**
 * The conversation memory kept for follow-ups: the topic and household of the last real answer
 * (small talk, declines, clarifications and fallbacks leave it as it was) and the last year named.
 */
export function remember(session: Session, r: TurnResult, ctx?: TurnContext): TurnResult {
  if (r.topic !== 'smalltalk' && r.topic !== 'out_of_scope' && r.outcome !== 'fallback' && r.outcome !== 'clarify') {
    session.topic = r.topic;
    if (r.household) session.household = r.household;
  }
  if (ctx?.nlu.entities.year) session.year = ctx.nlu.entities.year;
  return r;
}
