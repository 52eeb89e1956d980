import { z } from 'zod';
import type { Engine } from '../../core/engine.ts';
import { parseJsonBody, jsonError, type HttpApp, type HttpRequest, type HttpResponse } from '../../server/http-app.ts';
import { RateLimiter } from '../../server/rate-limit.ts';
import { safeEqual } from '../../privacy/safe-equal.ts';

/**
 * The web adapter: `POST /api/chat` (JSON in, replies out) for the web page and integrators,
 * and `POST /api/erase` (the web equivalent of /xoadulieu). It only translates; policy lives in the core.
 */
export const chatRequestSchema = z
  .object({
    conversationId: z.string().trim().min(1, 'conversationId không được rỗng').max(128, 'conversationId quá dài (tối đa 128 ký tự)'),
    text: z.string().max(10_000, 'text quá dài (tối đa 10.000 ký tự)').optional(),
    payload: z.string().max(300, 'payload quá dài').optional(),
  })
  .refine((b) => b.text !== undefined || b.payload !== undefined, { message: 'Cần có "text" hoặc "payload".' });

export interface WebApiOptions {
  engine: Engine;
  /** Messages per minute for one conversation (twice the chat-channel per-user limit: buttons are quick). */
  ratePerMinute: number;
  /** Requests per minute for one IP address. */
  ratePerIpPerMinute?: number;
  adminToken?: string;
}

export function registerWebApi(app: HttpApp, opts: WebApiOptions): void {
  const perConversation = new RateLimiter(opts.ratePerMinute * 2, 60_000);
  const perIp = new RateLimiter(opts.ratePerIpPerMinute ?? 6000, 60_000);
  app.route('POST', '/api/chat', async (req) => {
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return parsed.response;
    if (!parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
      return jsonError(400, 'Nội dung phải là một đối tượng JSON {"conversationId", "text"}.');
    }
    const body = chatRequestSchema.safeParse(parsed.value);
    if (!body.success) {
      const issue = body.error.issues[0];
      return jsonError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const key = `${req.ip}|${body.data.conversationId}`;
    if (!perIp.allow(req.ip) || !perConversation.allow(key)) {
      return {
        status: 429,
        headers: { 'retry-after': '60' },
        body: { error: 'Dạ, anh/chị gửi nhanh quá. Vui lòng chờ một chút rồi hỏi tiếp ạ.' },
      };
    }
    const result = await opts.engine.handle({
      channel: 'web',
      conversationId: body.data.conversationId,
      text: body.data.text,
      payload: body.data.payload,
      isAdmin: isAdminRequest(req, opts.adminToken),
    });
    return {
      status: 200,
      body: {
        replies: result.replies,
        topic: result.topic,
        household: result.household,
        confidence: Number(result.confidence.toFixed(3)),
      },
    };
  });

  app.route('POST', '/api/erase', (req): HttpResponse => {
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return parsed.response;
    const body = z.object({ conversationId: z.string().min(1).max(128) }).safeParse(parsed.value);
    if (!body.success) return jsonError(400, 'Cần có "conversationId".');
    const erased = opts.engine.erase({ channel: 'web', conversationId: body.data.conversationId });
    return { status: 200, body: { erased, message: 'Dạ, em đã xóa dữ liệu cuộc trò chuyện của anh/chị.' } };
  });
}

/** True when the request carries the configured admin bearer token (compared in constant time). */
export function isAdminRequest(req: HttpRequest, token?: string): boolean {
  if (!token) return false;
  const h = req.headers.authorization;
  if (typeof h !== 'string' || !h.startsWith('Bearer ')) return false;
  return safeEqual(h.slice(7), token);
}
