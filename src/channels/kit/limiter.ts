import type { RateCounter, RateDecision } from '../../storage/types.ts';
import { shortHash } from './util.ts';

/** Messages per person and minute, unless configured otherwise. */
export const CHAT_WINDOW_MS = 60_000;

/**
 * The one rate limit of the chat channels, on top of a shared {@link RateCounter} (memory for one instance,
 * the database for several). `hit` answers `'ok'`, `'first-over'` for the first refused message of a
 * flood (the adapter sends exactly one polite "please wait") and `'over'` afterwards (silence). Keys are
 * the channel name and a hash of the platform user id, so a shared counter never holds raw ids.
 */
export class ChatLimiter {
  constructor(
    private readonly counter: RateCounter,
    private readonly channel: string,
    private readonly limit: number,
    private readonly windowMs = CHAT_WINDOW_MS,
    /** Told when the counter fails; the message is then allowed (a limit must not silence everyone). */
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  async hit(userId: string): Promise<RateDecision> {
    try {
      return await this.counter.hit(`${this.channel}:${shortHash(userId)}`, this.limit, this.windowMs);
    } catch (err) {
      this.onError(err);
      return 'ok';
    }
  }
}
