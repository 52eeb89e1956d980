import type { ChannelStatus } from '../channel.ts';
import type { Logger } from '../../observability/logger.ts';
import { safeEqual } from '../../privacy/safe-equal.ts';
import { jsonError, parseJsonBody, type HttpHandler } from '../../http/http-app.ts';
import { extractUpdates, type BotUpdate } from './updates.ts';

/**
 * The `POST /webhooks/zalo-bot` route: the `X-Bot-Api-Secret-Token` header compared in constant time (401
 * missing, 403 wrong, nothing processed), both body shapes accepted (`{ok, result}` and bare), 200 at once.
 * Bodies that are not understood are acknowledged and dropped, so the platform does not retry them forever.
 */
export function zaloBotWebhook(opts: {
  secret: string;
  state: () => ChannelStatus['state'];
  accept: (update: BotUpdate) => Promise<void>;
  log: Logger;
}): HttpHandler {
  return async (req) => {
    const state = opts.state();
    if (state === 'stopped' || state === 'disabled') return jsonError(503, 'Kênh Zalo Bot chưa sẵn sàng.');
    const header = req.headers['x-bot-api-secret-token'];
    const given = Array.isArray(header) ? header[0] : header;
    if (!given) {
      opts.log.warn({ reqId: req.id }, 'Zalo Bot webhook without secret refused');
      return jsonError(401, 'Thiếu X-Bot-Api-Secret-Token.');
    }
    if (!opts.secret || !safeEqual(given, opts.secret)) {
      opts.log.warn({ reqId: req.id }, 'Zalo Bot webhook with a wrong secret refused');
      return jsonError(403, 'Secret token không đúng.');
    }
    // The token was refused (401): nothing can be answered until it is replaced.
    if (state === 'failed') return { status: 200, body: { ok: true, ignored: 'channel failed' } };
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return parsed.response;
    const { updates, invalid } = extractUpdates(parsed.value);
    if (invalid || updates.length === 0) {
      opts.log.warn({ reqId: req.id, invalid }, 'Zalo Bot webhook body not understood; ignored');
      return { status: 200, body: { ok: true, ignored: 'invalid' } };
    }
    for (const u of updates) await opts.accept(u);
    return { status: 200, body: { ok: true } };
  };
}
