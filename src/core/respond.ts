import type { Incoming, Session, TurnResult } from './types.ts';
import type { Services, Flow } from './context.ts';

export interface RespondDeps {
  services: Services;
  flows: Flow[];
  now: Date;
}

/** Placeholder: replaced by the real understand → decide → reply pipeline. */
export async function respond(incoming: Incoming, _session: Session, _deps: RespondDeps): Promise<TurnResult> {
  return { replies: [{ text: `Dạ, em đã nhận: ${incoming.text ?? incoming.payload ?? ''}` }], topic: 'smalltalk', household: null, confidence: 0.5 };
}
