import type { DedupStore } from '../../storage/types.ts';

/**
 * How long handled event ids are remembered: 24 hours, the longest a platform keeps retrying a delivery
 * (Telegram keeps undelivered updates for a day; Zalo retries for hours). By time, never by count, so a
 * replay is refused however many other events arrived meanwhile.
 */
export const REPLAY_WINDOW_MS = 24 * 3600_000;

/**
 * One channel's view of the shared {@link DedupStore}: its scope (which is also the file name with the file
 * store) and its window. Platforms retry deliveries; a handled event is answered once.
 */
export class SeenEvents {
  constructor(
    private readonly store: DedupStore,
    readonly scope: string,
    private readonly windowMs = REPLAY_WINDOW_MS,
    /** Told when the store fails; the event is then handled (answering twice beats not answering). */
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** True the first time `id` is seen within the window; false for a replay. */
  async markNew(id: string): Promise<boolean> {
    try {
      return await this.store.markNew(this.scope, id, this.windowMs);
    } catch (err) {
      this.onError(err);
      return true;
    }
  }

  /** Forgets `id`, so a delivery that could not be handled is processed when the platform retries it. */
  forget(id: string): Promise<void> {
    return this.store.forget(this.scope, id);
  }

  flush(): Promise<void> {
    return this.store.flush();
  }
}
