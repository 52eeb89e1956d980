import http from 'node:http';
import { close, listen, readBody, sendJson } from './http-util.ts';
import { signatureHeader } from '../../../src/channels/zalo-oa/signature.ts';

/**
 * Loopback fake of the Zalo OA Open API (/v3.0/oa/message/cs) and OAuth (/v4/oa/access_token):
 * checks the `access_token` and `secret_key` headers, rotates single-use refresh tokens (a spent
 * one is refused), can answer -216 / -230 on demand, and records every message.
 */
export interface SentOaMessage {
  recipient: { message_id?: string; user_id?: string };
  text: string;
  accessToken: string;
}

export class FakeZaloOa {
  url = '';
  readonly messages: SentOaMessage[] = [];
  /** Every /message/cs request, including refused ones. */
  readonly attempts: Array<{ accessToken: string; error: number }> = [];
  readonly refreshCalls: Array<{ refreshToken: string; ok: boolean }> = [];
  private readonly validAccess = new Set<string>();
  private refreshToken: string;
  private counter = 0;
  private forced: number[] = [];
  expiresIn = 90000;
  private readonly server: http.Server;

  constructor(
    readonly appId: string,
    readonly appSecretKey: string,
    initial: { accessToken: string; refreshToken: string },
  ) {
    this.validAccess.add(initial.accessToken);
    this.refreshToken = initial.refreshToken;
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    this.url = await listen(this.server);
    return this;
  }

  async close(): Promise<void> {
    await close(this.server);
  }

  /** Makes every access token issued so far invalid (as after 25 h). */
  expireAccessTokens(): void {
    this.validAccess.clear();
  }

  /** The next send answers with this error code (once per call). */
  failNextSend(code: number): void {
    this.forced.push(code);
  }

  get currentRefreshToken(): string {
    return this.refreshToken;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/v3.0/oa/message/cs') {
      const token = String(req.headers['access_token'] ?? '');
      let error = 0;
      if (this.forced.length) error = this.forced.shift() as number;
      else if (!this.validAccess.has(token)) error = -216;
      this.attempts.push({ accessToken: token, error });
      if (error === -216) return sendJson(res, 200, { error: -216, message: 'Access token is invalid' });
      if (error !== 0) return sendJson(res, 200, { error, message: 'User has not interacted with the OA in the past 7 days' });
      const parsed = JSON.parse(body.toString('utf8')) as { recipient: SentOaMessage['recipient']; message: { text: string } };
      if (typeof parsed.message?.text !== 'string' || parsed.message.text.length > 2000) {
        return sendJson(res, 200, { error: -201, message: 'text is invalid' });
      }
      this.messages.push({ recipient: parsed.recipient, text: parsed.message.text, accessToken: token });
      return sendJson(res, 200, {
        error: 0,
        message: 'Success',
        data: {
          message_id: `oa-${this.messages.length}`,
          user_id: parsed.recipient.user_id ?? 'u',
          quota: { quota_type: 'reply', remain: 7 },
        },
      });
    }
    if (req.method === 'POST' && url.pathname === '/v4/oa/access_token') {
      const form = new URLSearchParams(body.toString('utf8'));
      const given = form.get('refresh_token') ?? '';
      const ok =
        req.headers['secret_key'] === this.appSecretKey &&
        form.get('app_id') === this.appId &&
        form.get('grant_type') === 'refresh_token' &&
        given === this.refreshToken;
      this.refreshCalls.push({ refreshToken: given, ok });
      if (!ok)
        return sendJson(res, 200, { error: -14014, error_name: 'Invalid refresh token', error_description: 'refresh token is invalid' });
      this.counter++;
      const accessToken = `at-${this.counter}`;
      this.refreshToken = `rt-${this.counter}`; // single use: the old one is now refused
      this.validAccess.add(accessToken);
      return sendJson(res, 200, { access_token: accessToken, refresh_token: this.refreshToken, expires_in: String(this.expiresIn) });
    }
    sendJson(res, 404, { error: 404, message: 'not found' });
  }
}

/** Builds a signed OA webhook delivery exactly as Zalo would send it. */
export function signedDelivery(event: Record<string, unknown>, oaSecretKey: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(event);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-zevent-signature': signatureHeader(String(event.app_id), body, String(event.timestamp), oaSecretKey),
    },
  };
}

/** Pushes an event to the webhook, signed with `oaSecretKey` (or with the given header). */
export async function pushOaEvent(
  webhookUrl: string,
  event: Record<string, unknown>,
  oaSecretKey: string,
  override?: { signature?: string | null; body?: string },
): Promise<{ status: number; body: unknown }> {
  const signed = signedDelivery(event, oaSecretKey);
  const headers = { ...signed.headers };
  if (override?.signature === null) delete (headers as Record<string, string>)['x-zevent-signature'];
  else if (override?.signature !== undefined) headers['x-zevent-signature'] = override.signature;
  const res = await fetch(webhookUrl, { method: 'POST', headers, body: override?.body ?? signed.body });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, body };
}

let seq = 0;
/** A user_send_text event as Zalo sends it. */
export function textEvent(appId: string, userId: string, text: string, opts: { msgId?: string; timestamp?: number } = {}) {
  return {
    app_id: appId,
    user_id_by_app: `app-${userId}`,
    event_name: 'user_send_text',
    timestamp: String(opts.timestamp ?? Date.now()),
    sender: { id: userId },
    recipient: { id: 'oa-1' },
    message: { text, msg_id: opts.msgId ?? `msg-${Date.now()}-${++seq}` },
  };
}
