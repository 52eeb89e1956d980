import { z } from 'zod';
import type { Logger } from '../../observability/logger.ts';
import { backoffDelay, redactSecrets } from '../kit/util.ts';
import { sleep } from '../../util/sleep.ts';
import { TokenError, type TokenManager } from './tokens.ts';

/**
 * Customer-service ("tư vấn") messages through the OA Open API v3:
 * POST {apiBase}/v3.0/oa/message/cs, header `access_token`, body { recipient, message: { text } }.
 * Replying with `recipient.message_id` (the resident's message) uses the free reply quota.
 */

export const ERR_TOKEN_INVALID = -216;
/** Codes that mean "this access token is no longer accepted": refresh once and retry. */
const TOKEN_REJECTED = new Set([ERR_TOKEN_INVALID, -124]);
/** The resident has not written for 7 days: consultation messages are blocked (never retried). */
export const ERR_NO_INTERACTION = -230;

const sendResponseSchema = z.looseObject({
  error: z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number),
  message: z.string().optional(),
  data: z
    .looseObject({
      message_id: z.union([z.string(), z.number()]).optional(),
      user_id: z.union([z.string(), z.number()]).optional(),
      quota: z.looseObject({ quota_type: z.string().optional(), remain: z.unknown().optional() }).optional(),
    })
    .optional()
    .nullable(),
});

/** Reply to a message (free quota) or to a user (proactive). */
export type Recipient = { message_id: string } | { user_id: string };

/** A message the OA API did not accept, with its error code. */
export class OaSendError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    /** HTTP status when the failure was at the HTTP level. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Where and how the client calls the OA API. */
export interface OaClientOptions {
  apiBase: string;
  tokens: TokenManager;
  logger: Logger;
  fetch?: typeof fetch;
  requestTimeoutMs?: number;
  /** Base delay between retries of 5xx / network failures. */
  retryBaseMs?: number;
  retries?: number;
}

/** What a successful send reports (for quota monitoring). */
export interface SendOutcome {
  messageId?: string;
  quotaType?: string;
}

/** Sends customer-service text messages, refreshing the token once on -216. */
export class OaClient {
  private readonly fetchImpl: typeof fetch;
  /** Messages sent, by quota pool ('reply', 'sub_quota', ... or 'charged' when absent). */
  readonly quotaCounts = new Map<string, number>();

  constructor(private readonly opts: OaClientOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
  }

  /**
   * Sends one text message. On -216 the tokens are refreshed (single-flight) and the send retried once;
   * -230 and other API errors are thrown as {@link OaSendError} without retry.
   */
  async sendText(recipient: Recipient, text: string): Promise<SendOutcome> {
    const body = JSON.stringify({ recipient, message: { text } });
    let token = await this.opts.tokens.getAccessToken();
    let result = await this.post('/v3.0/oa/message/cs', token, body);
    if (TOKEN_REJECTED.has(result.error) && this.opts.tokens.canRefresh()) {
      this.opts.logger.warn({ code: result.error }, 'OA access token rejected: refreshing and retrying once');
      token = await this.opts.tokens.refresh(token);
      result = await this.post('/v3.0/oa/message/cs', token, body);
    }
    if (result.error !== 0) {
      throw new OaSendError(`OA API error ${result.error}${result.message ? `: ${this.redact(result.message)}` : ''}`, result.error);
    }
    const quotaType = result.data?.quota?.quota_type ?? 'charged';
    this.quotaCounts.set(quotaType, (this.quotaCounts.get(quotaType) ?? 0) + 1);
    return { messageId: result.data?.message_id !== undefined ? String(result.data.message_id) : undefined, quotaType };
  }

  private async post(pathName: string, token: string, body: string): Promise<z.infer<typeof sendResponseSchema>> {
    const url = `${this.opts.apiBase.replace(/\/+$/, '')}${pathName}`;
    const retries = this.opts.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method: 'POST',
          headers: { access_token: token, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 15_000),
        });
      } catch (err) {
        if (attempt < retries) {
          await sleep(backoffDelay(attempt, this.opts.retryBaseMs ?? 500, 5_000));
          continue;
        }
        throw new OaSendError(`OA API unreachable: ${this.redact((err as Error).message)}`, null);
      }
      if ((res.status >= 500 || res.status === 429) && attempt < retries) {
        await res.body?.cancel().catch(() => undefined);
        await sleep(backoffDelay(attempt, this.opts.retryBaseMs ?? 500, 5_000));
        continue;
      }
      if (res.status === 401) {
        await res.body?.cancel().catch(() => undefined);
        return { error: ERR_TOKEN_INVALID, message: 'HTTP 401' };
      }
      let json: unknown;
      try {
        json = await res.json();
      } catch {
        throw new OaSendError(`OA API answered HTTP ${res.status} without JSON`, null, res.status);
      }
      const parsed = sendResponseSchema.safeParse(json);
      if (!parsed.success) throw new OaSendError(`OA API answered HTTP ${res.status} with an unexpected body`, null, res.status);
      return parsed.data;
    }
  }

  private redact(message: string): string {
    return redactSecrets(message, []);
  }
}

export { TokenError };
