import type { ChannelAdapter, ChannelStatus } from '../channel.ts';
import { channelStores, type ChannelDeps } from '../deps.ts';
import { jsonError, type HttpRequest, type HttpResponse } from '../../http/http-app.ts';
import { ChoiceMemory, MESSAGES, runTurn } from '../zalo-common/turn.ts';
import { packMessages, splitText } from '../zalo-common/text.ts';
import { Lifecycle } from '../kit/lifecycle.ts';
import { SerialQueue } from '../kit/serial.ts';
import { InFlight } from '../kit/in-flight.ts';
import { ChatLimiter } from '../kit/limiter.ts';
import { REPLAY_WINDOW_MS, SeenEvents } from '../kit/dedup.ts';
import { isAdminChat } from '../kit/access.ts';
import { debugText } from '../kit/log.ts';
import { shortHash } from '../kit/util.ts';
import type { FollowEvent, NonTextEvent, TextEvent } from './events.ts';
import { MAX_FUTURE_SKEW_MS, readDelivery } from './webhook.ts';
import { TOKEN_SECRET, TokenError, TokenManager, isTokenFile, type TokenFile } from './tokens.ts';
import { ERR_NO_INTERACTION, OaClient, OaSendError, type Recipient } from './client.ts';

/**
 * Zalo Official Account adapter (OA Open API v3): signed webhook in, customer-service messages out.
 * Reaches the core only through `deps.engine`. Platform notes: ../shared/reference/channels.md §1.
 *
 * Replays are refused by time: an event whose signed `timestamp` is older than ZALO_OA_MAX_EVENT_AGE_SECONDS
 * or more than 15 minutes ahead of the clock's real time is acknowledged (200, so Zalo does not retry it for
 * hours) and dropped; handled event ids are remembered for 24 hours, longer than any accepted timestamp.
 */

export const ZALO_OA_WEBHOOK_PATH = '/webhooks/zalo-oa';
export { MAX_FUTURE_SKEW_MS };
/** Status detail when no token can be read: says what the operator must do. */
export const REAUTH_DETAIL =
  'cần cấp quyền lại: không đọc được token Zalo OA (cả bản hiện tại và bản trước); quản trị OA phải cấp quyền lại cho ứng dụng rồi đặt token mới';

/** Tuning of the OA adapter (tests inject fetch and a clock). */
export interface ZaloOaOptions {
  fetch?: typeof fetch;
  /** Real time in epoch ms (event windows, token expiry); the engine's clock by default. */
  now?: () => number;
  /** Messages sent at most per incoming message (Zalo allows 8 free replies per window). Default 4. */
  maxMessagesPerReply?: number;
  requestTimeoutMs?: number;
  retryBaseMs?: number;
  refreshMarginMs?: number;
}

/** Creates the OA channel; without ZALO_OA_APP_ID and ZALO_OA_SECRET_KEY it is inert with status 'disabled'. */
export function createZaloOaChannel(deps: ChannelDeps, options: ZaloOaOptions = {}): ZaloOaChannel {
  return new ZaloOaChannel(deps, options);
}

/** The Zalo OA adapter: see the module comment above. */
export class ZaloOaChannel implements ChannelAdapter {
  readonly name = 'zalo-oa';
  private readonly life: Lifecycle;
  private readonly log;
  private readonly stores;
  private readonly queue = new SerialQueue();
  private readonly inFlight = new InFlight();
  private readonly choices: ChoiceMemory;
  private readonly limiter: ChatLimiter;
  private readonly seen: SeenEvents;
  private readonly admins: Set<string>;
  private readonly now: () => number;
  private tokens?: TokenManager;
  private client?: OaClient;
  private routeRegistered = false;
  /** Residents who could not be answered because they have not written for 7 days (-230). */
  staleRecipients = 0;

  constructor(
    private readonly deps: ChannelDeps,
    private readonly options: ZaloOaOptions = {},
  ) {
    const c = deps.config;
    this.life = new Lifecycle(
      this.name,
      Boolean(c.ZALO_OA_APP_ID && c.ZALO_OA_SECRET_KEY),
      'ZALO_OA_APP_ID / ZALO_OA_SECRET_KEY chưa được cấu hình',
    );
    this.log = deps.logger.child({ channel: 'zalo-oa' });
    this.now = options.now ?? (() => deps.engine.clock.nowMs());
    this.stores = channelStores(deps);
    const storeFailed = (err: unknown) =>
      this.log.error({ err: (err as Error).message }, 'channel store failed; handling the message anyway');
    this.limiter = new ChatLimiter(this.stores.rates, this.name, c.RATE_LIMIT_PER_MINUTE, undefined, storeFailed);
    // Marks outlive every timestamp the window accepts, whatever ZALO_OA_MAX_EVENT_AGE_SECONDS says.
    this.seen = new SeenEvents(this.stores.dedup, this.name, Math.max(REPLAY_WINDOW_MS, this.maxAgeMs + MAX_FUTURE_SKEW_MS), storeFailed);
    this.admins = new Set(c.ADMIN_ZALO_IDS.map(String));
    this.choices = new ChoiceMemory(10_000, 24 * 3600_000, () => deps.engine.clock.nowMs());
  }

  private get maxAgeMs(): number {
    return this.deps.config.ZALO_OA_MAX_EVENT_AGE_SECONDS * 1000;
  }

  status(): ChannelStatus {
    return this.life.status();
  }

  async start(): Promise<void> {
    if (!this.life.enabled || this.life.state === 'running') return;
    const c = this.deps.config;
    this.life.set('starting');
    try {
      this.tokens = new TokenManager({
        store: this.stores.secrets<TokenFile>(TOKEN_SECRET, isTokenFile),
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
    } catch (err) {
      this.life.set('failed', `không khởi động được: ${(err as Error).message}`);
      this.log.error({ err: (err as Error).message }, 'Zalo OA channel failed to start');
      return;
    }
    if (!this.routeRegistered) {
      this.deps.app.route('POST', ZALO_OA_WEBHOOK_PATH, (req) => this.handleWebhook(req), { bodyLimit: 256 * 1024 });
      this.routeRegistered = true;
    }
    if (this.tokens.needsReauthorisation) {
      // Events are still verified and recorded; replies wait for a new authorisation.
      this.life.set('failed', REAUTH_DETAIL);
      return;
    }
    this.life.set('running');
    if (!this.tokens.hasAccessToken() && !this.tokens.canRefresh()) {
      this.life.describe('chưa có access token: webhook hoạt động nhưng chưa trả lời được');
      this.log.warn('no OA access token or refresh token configured: replies will fail');
    } else if (!c.ZALO_APP_SECRET_KEY) {
      this.life.describe('thiếu ZALO_APP_SECRET_KEY: không làm mới được access token');
      this.log.warn('ZALO_APP_SECRET_KEY missing: the OA access token cannot be refreshed');
    }
    this.log.info({ path: ZALO_OA_WEBHOOK_PATH }, 'Zalo OA channel running');
  }

  async stop(): Promise<void> {
    if (!this.life.enabled || this.life.state === 'stopped') return;
    this.life.set('stopped');
    await this.inFlight.drain();
    this.tokens?.close();
    await this.tokens?.settle();
    await this.seen.flush();
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
    // 'failed' (token refused or unreadable) still verifies and records events: fixed tokens recover it.
    const state = this.life.state;
    if (state !== 'running' && state !== 'failed') return jsonError(503, 'Kênh Zalo OA chưa sẵn sàng.');
    const read = readDelivery(req, {
      oaSecretKey: this.deps.config.ZALO_OA_SECRET_KEY as string,
      appId: this.deps.config.ZALO_OA_APP_ID,
      now: this.now(),
      maxAgeMs: this.maxAgeMs,
      log: this.log,
    });
    if ('response' in read) return read.response;
    const d = read.delivery;
    if (!(await this.seen.markNew(d.id))) {
      this.log.info({ reqId: req.id, event: d.event.event_name }, 'OA webhook event already handled (retry); ignored');
      return { status: 200, body: { ok: true, duplicate: true } };
    }
    const task = this.queue.run(d.user, async () => {
      if (d.kind === 'text') await this.onText(d.event);
      else if (d.kind === 'non-text') await this.onNonText(d.event);
      else await this.onFollow(d.event);
    });
    void this.inFlight.add(task).catch((err) => this.log.error({ err: (err as Error).message }, 'OA event processing failed'));
    return { status: 200, body: { ok: true } };
  }

  /** Counts one message against the resident's limit; the first refusal of a flood gets one polite reply. */
  private async allowed(user: string, recipient: Recipient): Promise<boolean> {
    if (this.admins.has(user)) return true;
    const verdict = await this.limiter.hit(user);
    if (verdict === 'ok') return true;
    this.log.warn({ user: shortHash(user) }, 'OA resident over the rate limit');
    if (verdict === 'first-over') await this.sendAll(recipient, [MESSAGES.tooFast]);
    return false;
  }

  private async onText(e: TextEvent): Promise<void> {
    const user = e.sender.id;
    const recipient: Recipient = { message_id: e.message.msg_id };
    const text = e.message.text.trim();
    if (!text) return;
    if (!(await this.allowed(user, recipient))) return;
    debugText(this.log, { user: shortHash(user) }, text, 'OA text received');
    let messages: string[];
    try {
      const { rendered } = await runTurn(this.deps.engine, this.choices, {
        channel: 'zalo-oa',
        conversationId: user,
        text,
        messageId: e.message.msg_id,
        // An OA conversation is always one resident with the OA: a private chat.
        isAdmin: isAdminChat(this.admins, user, true),
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
          if (this.tokens?.needsReauthorisation) this.life.set('failed', REAUTH_DETAIL);
          else if (err.permanent && this.life.state === 'running') {
            this.life.set('failed', 'làm mới access token thất bại: cần cấp quyền lại cho ứng dụng');
          }
        } else {
          this.log.error({ err: (err as Error).message, code: (err as OaSendError).code ?? null }, 'OA reply not sent');
        }
        return;
      }
    }
    if (this.life.state === 'failed' && this.life.detail?.startsWith('làm mới')) this.life.set('running');
  }
}
