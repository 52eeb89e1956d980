import { GrammyError, HttpError } from 'grammy';
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../time/clock.ts';

/**
 * The Telegram adapter's logging: every error is described without the bot token (grammY errors may echo
 * the request URL, which contains it), and failures of non-essential calls are throttled so a flood of
 * them cannot flood the logs.
 */
export class TelegramLog {
  private readonly warnedAt = new Map<string, number>();

  constructor(
    readonly log: Logger,
    private readonly token: string | undefined,
    private readonly clock: Clock,
  ) {}

  /** `text` with the token replaced. */
  scrub(text: string): string {
    return this.token ? text.split(this.token).join('[token]') : text;
  }

  /** Loggable description of an error, never containing the token. */
  errInfo(err: unknown): Record<string, unknown> {
    if (err instanceof GrammyError)
      return { method: err.method, code: err.error_code, description: this.scrub(String(err.description ?? '')) };
    if (err instanceof HttpError || err instanceof Error) return { err: this.scrub(err.message) };
    return { err: this.scrub(String(err)) };
  }

  /** A failed non-essential call (setMyCommands, sendChatAction, answerCallbackQuery, sendPhoto): logged, ignored. */
  softFail(method: string, err: unknown): void {
    this.throttledWarn(method, { method, ...this.errInfo(err) }, 'non-essential Telegram call failed (ignored)');
  }

  /** A warning at most once per key every 10 minutes (debug in between). */
  throttledWarn(key: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.clock.monotonicMs();
    const last = this.warnedAt.get(key) ?? Number.NEGATIVE_INFINITY;
    if (now - last > 600_000) {
      this.warnedAt.set(key, now);
      this.log.warn(fields, msg);
    } else {
      this.log.debug(fields, msg);
    }
  }
}
