import type { TurnResult } from '../domain/types.ts';
import type { Flow, Services, TurnContext } from './context.ts';
import type { LanguageKit } from '../knowledge/language-kit.ts';

/** What every step of a turn can read, and the few facts steps leave for the ones after them. */
export interface Turn {
  ctx: TurnContext;
  services: Services;
  flows: Flow[];
  kit: LanguageKit;
  /** A pressed button's payload (`ask:` payloads are read as text instead). */
  payload?: string;
  /** A flow the person left this turn: it is not started again in the same turn. */
  leftFlow?: string;
  /** Name of the step that answered (for debugging aids and tests). */
  route?: string;
}

/**
 * One step of the route: it answers the turn, or returns null to let the next step try. Steps run in
 * a fixed order (see `STEPS` in respond.ts), so where a message goes is decided in one visible place.
 */
export interface TurnStep {
  readonly name: string;
  run(turn: Turn): Promise<TurnResult | null> | TurnResult | null;
}

/** Runs the steps in order until one answers; the last step always answers. */
export async function runSteps(steps: readonly TurnStep[], turn: Turn): Promise<TurnResult> {
  for (const step of steps) {
    const result = await step.run(turn);
    if (result) {
      turn.route = step.name;
      return result;
    }
  }
  throw new Error('no step answered the turn');
}
