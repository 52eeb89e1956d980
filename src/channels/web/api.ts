import { z } from 'zod';
import { MAX_TEXT_LENGTH, type Engine } from '../../core/engine.ts';
import type { TurnResult } from '../../domain/types.ts';
import { addressBucket } from '../../http/client-address.ts';
import { jsonError, parseJsonBody, type AdmissionCheck, type HttpApp, type HttpRequest, type HttpResponse } from '../../http/http-app.ts';
import { safeEqual } from '../../privacy/safe-equal.ts';
import type { RateCounter } from '../../storage/types.ts';
import { MemoryRateCounter } from '../../storage/memory/rate-counter.ts';
import { RecentSet } from './recent-set.ts';

/**
 * The web adapter: `POST /api/chat` (JSON in, replies out) for the web page and integrators,
 * and `POST /api/erase` (the web equivalent of /xoadulieu). It only translates; policy lives in the core.
 *
 * Abuse limits, all counted in the shared {@link RateCounter} so they hold across instances:
 * - per client address (or IPv6 /64), every request to either route, counted before the body is read;
 * - per conversation, so one chat cannot flood;
 * - per client address, the number of new conversation ids, so a client cannot escape the
 *   per-conversation limit (or fill the session store) by minting a fresh id for every message.
 * Carrier NAT puts many residents behind one address, hence the loose per-address defaults.
 */
export const chatRequestSchema = z
  .object({
    conversationId: z.string().trim().min(1, 'conversationId không được rỗng').max(128, 'conversationId quá dài (tối đa 128 ký tự)'),
    // Longer text never reaches this check: it is cut first (see cutText).
    text: z
      .string()
      .max(MAX_TEXT_LENGTH + 1)
      .optional(),
    payload: z.string().max(300, 'payload quá dài').optional(),
  })
  .refine((b) => b.text !== undefined || b.payload !== undefined, { message: 'Cần có "text" hoặc "payload".' });

/**
 * The common case of {@link chatRequestSchema} checked by hand: a well-formed request yields exactly what the
 * schema would (trimmed id, text, payload, nothing else), anything else `null`, and the schema then runs to
 * word the refusal. Why: the schema's general machinery cost more per request than the rest of the HTTP layer.
 */
function quickChatRequest(fields: Record<string, unknown>): { success: true; data: ChatRequest } | null {
  const { conversationId, text, payload } = fields;
  if (typeof conversationId !== 'string') return null;
  const id = conversationId.trim();
  if (id.length === 0 || id.length > 128) return null;
  if (text !== undefined && (typeof text !== 'string' || text.length > MAX_TEXT_LENGTH + 1)) return null;
  if (payload !== undefined && (typeof payload !== 'string' || payload.length > 300)) return null;
  if (text === undefined && payload === undefined) return null;
  return { success: true, data: { conversationId: id, text, payload } };
}

type ChatRequest = z.infer<typeof chatRequestSchema>;

/** Length of every rate window, and the `Retry-After` sent with a refusal. */
const RATE_WINDOW_MS = 60_000;
/** How long an admitted conversation stays "known" after its last message (it is new again afterwards). */
const KNOWN_CONVERSATION_TTL_MS = 30 * 60_000;

/** Default per-address budgets; see `.env.example` for why they are loose. */
export const DEFAULT_RATE_PER_IP_PER_MINUTE = 6000;
export const DEFAULT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE = 600;

const TOO_FAST_CONVERSATION = 'Dạ, anh/chị gửi nhanh quá. Vui lòng chờ một chút rồi hỏi tiếp ạ.';
const TOO_MANY_FROM_ADDRESS =
  'Dạ, hệ thống đang nhận quá nhiều yêu cầu từ mạng của anh/chị. Anh/chị vui lòng chờ khoảng một phút rồi hỏi tiếp ạ.';
const TOO_MANY_NEW_CONVERSATIONS =
  'Dạ, có quá nhiều cuộc trò chuyện mới được mở từ mạng của anh/chị. Anh/chị vui lòng chờ khoảng một phút rồi thử lại ạ.';

export interface WebApiOptions {
  engine: Engine;
  /** Messages per minute for one conversation (twice the chat-channel per-user limit: buttons are quick). */
  ratePerMinute: number;
  /** Requests per minute from one client address, all requests counted (`RATE_LIMIT_PER_IP_PER_MINUTE`). */
  ratePerIpPerMinute?: number;
  /** New conversation ids per minute from one client address (`RATE_LIMIT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE`). */
  newConversationsPerIpPerMinute?: number;
  /**
   * Where the counts live. Defaults to this process's memory; a shared store (PostgreSQL) makes the
   * limits hold across instances.
   */
  rates?: RateCounter;
  adminToken?: string;
}

/** A 429 in the shape every route uses, with the window length as `Retry-After`. */
function tooMany(message: string): HttpResponse {
  return { status: 429, headers: { 'retry-after': String(RATE_WINDOW_MS / 1000) }, body: { error: message } };
}

/**
 * Cuts a message to what the core reads, before anything else (validation, hashing, the core) touches
 * it, so a 64 KB body costs the same as a 2,000-character one. One character beyond the core's limit is
 * kept so the core still sees that the message was longer; a surrogate pair is never split.
 */
export function cutText(text: string): string {
  if (text.length <= MAX_TEXT_LENGTH + 1) return text;
  let end = MAX_TEXT_LENGTH + 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/**
 * The serialised answers of results replayed from the answer cache, by result object. Why: after a
 * broadcast the same few cached results are sent thousands of times, and serialising one costs more than
 * the rest of the request; a fresh (uncached) result is serialised once and its entry goes with it.
 */
const serialised = new WeakMap<TurnResult, string>();

/** The JSON body of `POST /api/chat` for a turn's result (see the README's stable interface). */
export function chatResponseBody(result: TurnResult): string {
  const known = serialised.get(result);
  if (known !== undefined) return known;
  const text = JSON.stringify({
    replies: result.replies,
    topic: result.topic,
    household: result.household,
    confidence: Number(result.confidence.toFixed(3)),
    entry: result.entry ?? null,
  });
  if (Object.isFrozen(result)) serialised.set(result, text);
  return text;
}

/** Registers `POST /api/chat` and `POST /api/erase`, both JSON-only and rate-limited per client address. */
export function registerWebApi(app: HttpApp, opts: WebApiOptions): void {
  const rates = opts.rates ?? new MemoryRateCounter();
  const perConversation = opts.ratePerMinute * 2;
  const perIp = opts.ratePerIpPerMinute ?? DEFAULT_RATE_PER_IP_PER_MINUTE;
  const newPerIp = opts.newConversationsPerIpPerMinute ?? DEFAULT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE;
  const known = new RecentSet(KNOWN_CONVERSATION_TTL_MS);
  // Keys are salted hashes (the engine's session key), never raw addresses or conversation ids,
  // because a shared counter store is a database that outlives the request.
  const conversationKey = (conversationId: string) => opts.engine.sessionKey({ channel: 'web', conversationId });
  const addressKey = (ip: string) => opts.engine.sessionKey({ channel: 'web', conversationId: `\u0000address:${addressBucket(ip)}` });

  const admitAddress: AdmissionCheck = async (req) => {
    const decision = await rates.hit(`web:ip:${addressKey(req.ip)}`, perIp, RATE_WINDOW_MS);
    return decision === 'ok' ? undefined : tooMany(TOO_MANY_FROM_ADDRESS);
  };

  app.route(
    'POST',
    '/api/chat',
    async (req) => {
      const parsed = parseJsonBody(req);
      if (!parsed.ok) return parsed.response;
      const value = parsed.value;
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        return jsonError(400, 'Nội dung phải là một đối tượng JSON {"conversationId", "text"}.');
      }
      const fields = value as Record<string, unknown>;
      if (typeof fields.text === 'string') fields.text = cutText(fields.text);
      const body = quickChatRequest(fields) ?? chatRequestSchema.safeParse(fields);
      if (!body.success) {
        const issue = body.error.issues[0];
        return jsonError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
      }
      const key = conversationKey(body.data.conversationId);
      if (!known.has(key)) {
        const decision = await rates.hit(`web:new:${addressKey(req.ip)}`, newPerIp, RATE_WINDOW_MS);
        if (decision !== 'ok') return tooMany(TOO_MANY_NEW_CONVERSATIONS);
      }
      if ((await rates.hit(`web:conv:${key}`, perConversation, RATE_WINDOW_MS)) !== 'ok') return tooMany(TOO_FAST_CONVERSATION);
      known.touch(key);
      const result = await opts.engine.handle(
        {
          channel: 'web',
          conversationId: body.data.conversationId,
          text: body.data.text,
          payload: body.data.payload,
          isAdmin: isAdminRequest(req, opts.adminToken),
        },
        { sharedResult: true },
      );
      return { status: 200, headers: JSON_HEADERS, body: chatResponseBody(result) };
    },
    { json: true, admit: admitAddress },
  );

  app.route(
    'POST',
    '/api/erase',
    async (req): Promise<HttpResponse> => {
      const parsed = parseJsonBody(req);
      if (!parsed.ok) return parsed.response;
      const body = z.object({ conversationId: z.string().trim().min(1).max(128) }).safeParse(parsed.value);
      if (!body.success) return jsonError(400, 'Cần có "conversationId".');
      known.delete(conversationKey(body.data.conversationId));
      const erased = await opts.engine.erase({ channel: 'web', conversationId: body.data.conversationId });
      return { status: 200, body: { erased, message: 'Dạ, em đã xóa dữ liệu cuộc trò chuyện của anh/chị.' } };
    },
    { json: true, admit: admitAddress },
  );
}

/** True when the request carries the configured admin bearer token (compared in constant time). */
export function isAdminRequest(req: HttpRequest, token?: string): boolean {
  if (!token) return false;
  const h = req.headers.authorization;
  if (typeof h !== 'string' || !h.startsWith('Bearer ')) return false;
  return safeEqual(h.slice(7), token);
}
