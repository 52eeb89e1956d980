import type { Incoming, Session, TurnResult } from '../domain/types.ts';
import type { Services, Flow, TurnContext } from './context.ts';
import { languageKitFor } from '../knowledge/language-kit.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import { runSteps, type Turn, type TurnStep } from './pipeline.ts';
import { buttonsStep } from './steps/buttons.ts';
import { adminCommandStep, usageReportStep } from './steps/admin.ts';
import { activeFlowStep, cancelStep, emptyMessageStep } from './steps/conversation.ts';
import { topicStep } from './steps/topic.ts';
import { conversationActsStep } from './steps/acts.ts';

export interface RespondDeps {
  services: Services;
  flows: Flow[];
  /** The instant answers are computed for. */
  now: Date;
  /** The program's clock (real time for stamps and expiry); the system clock when omitted. */
  clock?: Clock;
}

export { ANSWER_THRESHOLD, CLARIFY_THRESHOLD } from './steps/topic.ts';
export { pickEntry } from './pick-entry.ts';

/**
 * The route of a turn, in one visible place: each step answers or passes to the next.
 * Buttons first, then administrators' commands, an empty message, a cancel word, an active flow,
 * a message made only of conversation acts (thanks, ok, goodbye), the usage report, and finally the topic decision (which may lead to the guided check through
 * household facts, or to a topic's skill).
 */
export const STEPS: readonly TurnStep[] = [
  buttonsStep,
  adminCommandStep,
  emptyMessageStep,
  cancelStep,
  activeFlowStep,
  conversationActsStep,
  usageReportStep,
  topicStep,
];

/**
 * The channel-neutral core: understand → decide → reply. The message is read once (`nlu/`), then
 * the steps above decide, once, who answers. Never throws for any text: unknown input gets a polite reply.
 */
export async function respond(incoming: Incoming, session: Session, deps: RespondDeps): Promise<TurnResult> {
  const kit = languageKitFor(deps.services.knowledge, deps.services.language);
  const payload = typeof incoming.payload === 'string' ? incoming.payload.slice(0, 300) : undefined;
  let text = typeof incoming.text === 'string' ? incoming.text : '';
  if (payload?.startsWith('ask:')) text = payload.slice(4);
  const nlu = kit.nlu.understand(text);
  const ctx: TurnContext = { incoming, nlu, session, now: deps.now, clock: deps.clock ?? systemClock, services: deps.services };
  const turn: Turn = {
    ctx,
    services: deps.services,
    flows: deps.flows,
    kit,
    payload: payload && !payload.startsWith('ask:') ? payload : undefined,
  };
  return runSteps(STEPS, turn);
}
