import type { Incoming, TurnResult } from './types.ts';

/**
 * Called after every turn (inbox, usage figures). Receives no raw user id, only the channel.
 * `at` is real time (the clock's `now()`), whatever the answer day is.
 */
export type TurnObserver = (event: { incoming: Incoming; result: TurnResult; at: Date }) => void;
