import type { Update } from 'grammy/types';
import { safeEqual } from '../../privacy/safe-equal.ts';
import { parseJsonBody, type HttpHandler, type HttpRequest } from '../../http/http-app.ts';

/** Compares the webhook secret header in constant time (hashes make the buffers equal in length). */
export function secretMatches(header: string | string[] | undefined, secret: string): boolean {
  return typeof header === 'string' && Boolean(secret) && safeEqual(header, secret);
}

/**
 * The `POST /webhooks/telegram` route. Our own small function rather than grammY's `webhookCallback`, because
 * the answer must come at once (200 before the turn runs: the update goes through the same per-chat queue
 * and de-duplication as polling) and 503 while the channel is not running, so Telegram retries later.
 * A wrong or missing secret is refused with 401 and nothing is processed.
 */
export function telegramWebhook(opts: {
  secret: string;
  accepting: () => boolean;
  dispatch: (update: Update) => void;
  onWrongSecret: (req: HttpRequest) => void;
}): HttpHandler {
  return (req) => {
    if (!secretMatches(req.headers['x-telegram-bot-api-secret-token'], opts.secret)) {
      opts.onWrongSecret(req);
      return { status: 401, body: { error: 'unauthorized' } };
    }
    if (!opts.accepting()) return { status: 503, headers: { 'retry-after': '5' }, body: { error: 'Kênh Telegram chưa sẵn sàng.' } };
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return parsed.response;
    const update = parsed.value as Update;
    if (!update || typeof update !== 'object' || Array.isArray(update) || !Number.isSafeInteger(update.update_id)) {
      return { status: 400, body: { error: 'Không phải một update của Telegram.' } };
    }
    opts.dispatch(update);
    return { status: 200, body: { ok: true } };
  };
}
