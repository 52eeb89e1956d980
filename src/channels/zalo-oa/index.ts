import path from 'node:path';
import type { ChannelAdapter, ChannelStatus } from '../channel.ts';
import type { ChannelDeps } from '../deps.ts';
import { jsonError, parseJsonBody, type HttpRequest, type HttpResponse } from '../../server/http-app.ts';
import { maskPersonalData } from '../../privacy/mask.ts';
import { ChoiceMemory, MESSAGES, runTurn } from '../zalo-common/turn.ts';
import { packMessages, splitText } from '../zalo-common/text.ts';
import { SeenStore } from '../zalo-common/seen-store.ts';
import { InFlight, PerMinuteLimiter, SerialByKey, shortHash } from '../zalo-common/util.ts';
import { verifySignature } from './signature.ts';
import { parseEvent, type FollowEvent, type NonTextEvent, type TextEvent } from './events.ts';
import { TokenManager, TokenError } from './tokens.ts';
import { ERR_NO_INTERACTION, OaClient, OaSendError, type Recipient } from './client.ts';

/**
 * Zalo Official Account adapter (OA Open API v3): signed webhook in, customer-service messages out.
 * Reaches the core only through `deps.engine`. See docs in /work/shared/reference/channels.md §1.
 */

export const ZALO_OA_WEBHOOK_PATH = '/webhooks/zalo-oa';

export interface ZaloOaOptions {
  fetch?: typeof fetch;
  /** Clock in epoch ms (event age checks, token expiry). */
  now?: () => number;
  /** Messages sent at most per incoming message (Zalo allows 8 free replies per window). Default 4. */
  maxMessagesPerReply?: number;
  requestTimeoutMs?: number;
  retryBaseMs?: number;
  refreshMarginMs?: number;
}

export function createZaloOaChannel(deps: ChannelDeps, options: ZaloOaOptions = {}): ZaloOaChannel {
  return new ZaloOaChannel(deps, options);
}

export class ZaloOaChannel implements ChannelAdapter {
  readonly name = 'zalo-oa';
  private state: ChannelStatus['state'];
  private detail: string | undefined;
  private readonly enabled: boolean;
  private readonly log;
  private readonly queue = new SerialByKey();
  private readonly inFlight = new InFlight();
  private readonly choices = new ChoiceMemory();
  private readonly limiter: PerMinuteLimiter;
  private readonly now: () => number;
  private tokens?: TokenManager;
  private client?: OaClient;
  private seen?: SeenStore;
  private routeRegistered = false;
  /** Residents who could not be answered because they have not written for 7 days (-230). */
  staleRecipients = 0;

  constructor(
    private readonly deps: ChannelDeps,
    private readonly options: ZaloOaOptions = {},
  ) {
    const c = deps.config;
    this.enabled = Boolean(c.ZALO_OA_APP_ID && c.ZALO_OA_SECRET_KEY);
    this.state = this.enabled ? 'stopped' : 'disabled';
    this.detail = this.enabled ? undefined : 'ZALO_OA_APP_ID / ZALO_OA_SECRET_KEY chưa được cấu hình';
    this.log = deps.logger.child({ channel: 'zalo-oa' });
    this.now = options.now ?? (() => deps.engine.clock.nowMs());
    this.limiter = new PerMinuteLimiter(c.RATE_LIMIT_PER_MINUTE, this.now);
  }

  status(): ChannelStatus {
    return { name: this.name, enabled: this.enabled, state: this.state, ...(this.detail ? { detail: this.detail } : {}) };
  }

  async start(): Promise<void> {
    if (!this.enabled || this.state === 'running') return;
    const c = this.deps.config;
    this.state = 'starting';
    try {
      this.tokens = new TokenManager({
        dataDir: this.deps.dataDir,
        appId: c.ZALO_OA_APP_ID as string,
        appSecretKey: c.ZALO_APP_SECRET_KEY,
        seedAccessToken: c.ZALO_OA_ACCESS_TOKEN,
        seedRefreshToken: c.ZALO_OA_REFRESH_TOKEN,
        oauthBase: c.ZALO_OAUTH_BASE,
        logger: this.log,
        fetch: this.options.fetch,
        now: this.now,
        requestTimeoutMs: this.options.requestTimeoutMs,
        refreshMarginMs: this.options.refreshMarginMs,
      });
      await this.tokens.init();
      this.client = new OaClient({
        apiBase: c.ZALO_OA_API_BASE,
        tokens: this.tokens,
        logger: this.log,
        fetch: this.options.fetch,
        requestTimeoutMs: this.options.requestTimeoutMs,
        retryBaseMs: this.options.retryBaseMs,
      });
      this.seen = new SeenStore(path.join(this.deps.dataDir, 'zalo-oa-seen.json'), this.log);
    } catch (err) {
      this.state = 'failed';
      this.detail = `không khởi động được: ${(err as Error).message}`;
      this.log.error({ err: (err as Error).message }, 'Zalo OA channel failed to start');
      return;
    }
    if (!this.routeRegistered) {
      this.deps.app.route('POST', ZALO_OA_WEBHOOK_PATH, (req) => this.handleWebhook(req), { bodyLimit: 256 * 1024 });
      this.routeRegistered = true;
    }
    this.state = 'running';
    if (!this.tokens.hasAccessToken() && !this.tokens.canRefresh()) {
      this.detail = 'chưa có access token: webhook hoạt động nhưng chưa trả lời được';
      this.log.warn('no OA access token or refresh token configured: replies will fail');
    } else if (!c.ZALO_APP_SECRET_KEY) {
      this.detail = 'thiếu ZALO_APP_SECRET_KEY: không làm mới được access token';
      this.log.warn('ZALO_APP_SECRET_KEY missing: the OA access token cannot be refreshed');
    } else this.detail = undefined;
    this.log.info({ path: ZALO_OA_WEBHOOK_PATH }, 'Zalo OA channel running');
  }

  async stop(): Promise<void> {
    if (!this.enabled || this.state === 'stopped') return;
    this.state = 'stopped';
    await this.inFlight.drain();
    this.tokens?.close();
    await this.tokens?.settle();
    await this.seen?.flush();
  }

  /** Number of background turns still running (tests and shutdown). */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Waits for all accepted events to be fully answered (tests). */
  async idle(): Promise<void> {
    await this.inFlight.drain();
  }

  private async handleWebhook(req: HttpRequest): Promise<HttpResponse> {
    // 'failed' (token refresh refused) still verifies and records events: a fixed token file recovers it.
    if ((this.state !== 'running' && this.state !== 'failed') || !this.seen) return jsonError(503, 'Kênh Zalo OA chưa sẵn sàng.');
    const header = req.headers['x-zevent-signature'];
    const signature = Array.isArray(header) ? header[0] : header;
    if (!signature) {
      this.log.warn({ reqId: req.id }, 'OA webhook without signature refused');
      return jsonError(401, 'Thiếu chữ ký X-ZEvent-Signature.');
    }
    const parsed = parseJsonBody(req);
    if (!parsed.ok) {
      this.log.warn({ reqId: req.id }, 'OA webhook with an unreadable body refused');
      return parsed.response;
    }
    const verdict = verifySignature(req.rawBody, parsed.value, signature, this.deps.config.ZALO_OA_SECRET_KEY as string);
    if (!verdict.ok) {
      this.log.warn({ reqId: req.id, reason: verdict.reason }, 'OA webhook signature refused');
      return jsonError(403, 'Chữ ký không hợp lệ.');
    }
    if (verdict.appId !== this.deps.config.ZALO_OA_APP_ID) {
      this.log.warn({ reqId: req.id }, 'OA webhook signed for another app_id (accepted: the OA secret matched)');
    }
    const event = parseEvent(parsed.value);
    if (event.kind === 'invalid') {
      this.log.warn({ reqId: req.id, event: event.eventName, issues: event.issues }, 'OA webhook event not understood; ignored');
      return { status: 200, body: { ok: true, ignored: 'invalid' } };
    }
    const rawTs = event.kind === 'other' ? event.timestamp : event.event.timestamp;
    // Zalo sends epoch milliseconds; tolerate seconds rather than dropping every event.
    const ts = rawTs < 1e12 ? rawTs * 1000 : rawTs;
    const maxAgeMs = this.deps.config.ZALO_OA_MAX_EVENT_AGE_SECONDS * 1000;
    if (this.now() - ts > maxAgeMs) {
      this.log.info({ reqId: req.id, ageSec: Math.round((this.now() - ts) / 1000) }, 'OA webhook event too old; ignored');
      return { status: 200, body: { ok: true, ignored: 'stale' } };
    }
    if (event.kind === 'other') {
      this.log.info({ reqId: req.id, event: event.eventName }, 'OA webhook event not handled; ignored');
      return { status: 200, body: { ok: true, ignored: 'event' } };
    }
    let user: string;
    let key: string;
    if (event.kind === 'follow') {
      user = event.event.follower.id;
      key = `follow:${user}:${event.event.timestamp}`;
    } else {
      user = event.event.sender.id;
      key = `${event.event.event_name}:${event.event.message.msg_id}`;
    }
    if (!this.seen.markNew(key)) {
      this.log.info({ reqId: req.id, event: event.event.event_name }, 'OA webhook event already handled (retry); ignored');
      return { status: 200, body: { ok: true, duplicate: true } };
    }
    const task = this.queue.run(user, async () => {
      if (event.kind === 'text') await this.onText(event.event);
      else if (event.kind === 'non-text') await this.onNonText(event.event);
      else await this.onFollow(event.event);
    });
    void this.inFlight.add(task).catch((err) => this.log.error({ err: (err as Error).message }, 'OA event processing failed'));
    return { status: 200, body: { ok: true } };
  }

  private allowed(user: string, recipient: Recipient): Promise<boolean> | boolean {
    const verdict = this.limiter.hit(user);
    if (verdict === 'ok') return true;
    this.log.warn({ user: shortHash(user) }, 'OA resident over the rate limit');
    if (verdict === 'first-over') return this.sendAll(recipient, [MESSAGES.tooFast]).then(() => false);
    return false;
  }

  private async onText(e: TextEvent): Promise<void> {
    const user = e.sender.id;
    const recipient: Recipient = { message_id: e.message.msg_id };
    const text = e.message.text.trim();
    if (!text) return;
    if (!(await this.allowed(user, recipient))) return;
    this.log.debug({ user: shortHash(user), text: maskPersonalData(text).slice(0, 200) }, 'OA text received');
    let messages: string[];
    try {
      const { rendered } = await runTurn(this.deps.engine, this.choices, {
        channel: 'zalo-oa',
        conversationId: user,
        text,
        messageId: e.message.msg_id,
        isAdmin: this.deps.config.ADMIN_ZALO_IDS.includes(user),
      });
      messages = packMessages(rendered, { maxMessages: this.options.maxMessagesPerReply ?? 4 });
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'engine failed on an OA message');
      messages = [MESSAGES.error];
    }
    await this.sendAll(recipient, messages);
  }

  private async onNonText(e: NonTextEvent): Promise<void> {
    const recipient: Recipient = { message_id: e.message.msg_id };
    if (!(await this.allowed(e.sender.id, recipient))) return;
    this.log.debug({ user: shortHash(e.sender.id), event: e.event_name }, 'OA non-text message received');
    await this.sendAll(recipient, [MESSAGES.nonText]);
  }

  private async onFollow(e: FollowEvent): Promise<void> {
    const user = e.follower.id;
    this.log.info({ user: shortHash(user) }, 'new OA follower');
    let messages: string[];
    try {
      const { rendered } = await runTurn(this.deps.engine, this.choices, { channel: 'zalo-oa', conversationId: user, payload: 'menu' });
      messages = packMessages(
        { body: [MESSAGES.welcome, rendered.body].filter(Boolean).join('\n\n'), footer: rendered.footer },
        { maxMessages: 2 },
      );
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'engine failed on an OA follow');
      messages = splitText(MESSAGES.welcome);
    }
    await this.sendAll({ user_id: user }, messages);
  }

  /** Sends the messages in order; stops at the first failure (-230 recorded, never retried). */
  private async sendAll(recipient: Recipient, messages: string[]): Promise<void> {
    const client = this.client;
    if (!client) return;
    for (const text of messages) {
      try {
        await client.sendText(recipient, text);
      } catch (err) {
        if (err instanceof OaSendError && err.code === ERR_NO_INTERACTION) {
          this.staleRecipients++;
          this.log.warn({ code: err.code }, 'OA resident has not interacted for 7 days (-230): message not sent');
        } else if (err instanceof TokenError) {
          this.log.error({ err: err.message }, 'OA token unavailable: reply not sent');
          if (err.permanent) {
            this.state = this.state === 'running' ? 'failed' : this.state;
            this.detail = 'làm mới access token thất bại: cần cấp quyền lại cho ứng dụng';
          }
        } else {
          this.log.error({ err: (err as Error).message, code: (err as OaSendError).code ?? null }, 'OA reply not sent');
        }
        return;
      }
    }
    if (this.detail?.startsWith('làm mới')) {
      this.detail = undefined;
      if (this.state === 'failed') this.state = 'running';
    }
  }
}
