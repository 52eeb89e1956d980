import type { Logger } from '../../observability/logger.ts';
import { jsonError, parseJsonBody, type HttpRequest, type HttpResponse } from '../../http/http-app.ts';
import { parseEvent, type FollowEvent, type NonTextEvent, type TextEvent } from './events.ts';
import { verifySignature } from './signature.ts';

/** How far ahead of our clock a signed timestamp may be (clock skew); further ahead is a forged or replayed event. */
export const MAX_FUTURE_SKEW_MS = 15 * 60_000;

/** An event the adapter answers, with the resident it comes from and the id it is de-duplicated by. */
export type OaDelivery = { user: string; id: string } & (
  | { kind: 'text'; event: TextEvent }
  | { kind: 'non-text'; event: NonTextEvent }
  | { kind: 'follow'; event: FollowEvent }
);

/** 'stale' or 'future' when a signed timestamp (ms, or seconds) is outside [now − maxAge, now + 15 min]; null inside. */
export function outsideWindow(rawTs: number, now: number, maxAgeMs: number): 'stale' | 'future' | null {
  // Zalo sends epoch milliseconds; tolerate seconds rather than dropping every event.
  const ts = rawTs < 1e12 ? rawTs * 1000 : rawTs;
  if (now - ts > maxAgeMs) return 'stale';
  if (ts - now > MAX_FUTURE_SKEW_MS) return 'future';
  return null;
}

/**
 * Reads one OA webhook delivery: the `X-ZEvent-Signature` MAC over the raw bytes (401 missing, 403 wrong),
 * the event, and its signed timestamp against the window. Everything refused after the signature check is
 * acknowledged with 200 and dropped: Zalo retries failed deliveries for hours, and a replay never becomes
 * fresh. Returns the response to send, or the delivery to answer.
 */
export function readDelivery(
  req: HttpRequest,
  opts: { oaSecretKey: string; appId: string | undefined; now: number; maxAgeMs: number; log: Logger },
): { response: HttpResponse } | { delivery: OaDelivery } {
  const { log } = opts;
  const header = req.headers['x-zevent-signature'];
  const signature = Array.isArray(header) ? header[0] : header;
  if (!signature) {
    log.warn({ reqId: req.id }, 'OA webhook without signature refused');
    return { response: jsonError(401, 'Thiếu chữ ký X-ZEvent-Signature.') };
  }
  const parsed = parseJsonBody(req);
  if (!parsed.ok) {
    log.warn({ reqId: req.id }, 'OA webhook with an unreadable body refused');
    return { response: parsed.response };
  }
  const verdict = verifySignature(req.rawBody, parsed.value, signature, opts.oaSecretKey);
  if (!verdict.ok) {
    log.warn({ reqId: req.id, reason: verdict.reason }, 'OA webhook signature refused');
    return { response: jsonError(403, 'Chữ ký không hợp lệ.') };
  }
  if (verdict.appId !== opts.appId) log.warn({ reqId: req.id }, 'OA webhook signed for another app_id (accepted: the OA secret matched)');
  const event = parseEvent(parsed.value);
  const ignored = (why: string) => ({ response: { status: 200, body: { ok: true, ignored: why } } });
  if (event.kind === 'invalid') {
    log.warn({ reqId: req.id, event: event.eventName, issues: event.issues }, 'OA webhook event not understood; ignored');
    return ignored('invalid');
  }
  const outside = outsideWindow(event.kind === 'other' ? event.timestamp : event.event.timestamp, opts.now, opts.maxAgeMs);
  if (outside) {
    log.info({ reqId: req.id, reason: outside }, 'OA webhook event outside the time window; ignored');
    return ignored(outside);
  }
  if (event.kind === 'other') {
    log.info({ reqId: req.id, event: event.eventName }, 'OA webhook event not handled; ignored');
    return ignored('event');
  }
  if (event.kind === 'follow') {
    const user = event.event.follower.id;
    return { delivery: { ...event, user, id: `follow:${user}:${event.event.timestamp}` } };
  }
  const id = `${event.event.event_name}:${event.event.message.msg_id}`;
  return { delivery: { ...event, user: event.event.sender.id, id } };
}
