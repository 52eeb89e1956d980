/** Moved to src/util/keyed-queue.ts (shared by storage and channels); kept as a re-export during the move. */
export { KeyedQueue } from '../util/keyed-queue.ts';
