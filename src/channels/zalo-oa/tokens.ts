import { z } from 'zod';
import type { Logger } from '../../observability/logger.ts';
import type { SecretStore } from '../../storage/types.ts';
import { redactSecrets, shortHash } from '../kit/util.ts';
import { OauthRefused, refreshAccessToken, type OauthGrant } from './oauth.ts';

/**
 * OA access token + rotating single-use refresh token, kept through a {@link SecretStore}
 * (`DATA_DIR/zalo-oa-tokens.json` with the file store, its previous good copy in `.prev`).
 *
 * - Seeded from ZALO_OA_ACCESS_TOKEN / ZALO_OA_REFRESH_TOKEN only when nothing was ever stored, or when the
 *   operator puts different seed values in the environment (a new authorisation). A damaged store falls back
 *   to the previous copy, never to the seeds: the seeds' refresh token has usually been spent long ago.
 * - Both copies damaged: no token at all, and the channel says plainly that an OA administrator must
 *   authorise the app again (`needsReauthorisation`).
 * - Refreshed ahead of expiry and on demand (error -216) through POST {oauthBase}/v4/oa/access_token,
 *   single-flight in this process and under `SecretStore.withLock` across instances. Inside the lock the
 *   store is read again first: when another instance already rotated, its tokens are adopted instead of
 *   spending the (now invalid) refresh token a second time.
 * - The rotated refresh token is saved durably BEFORE the new access token is used.
 */

/** Name of the secret document (the file store keeps it in `zalo-oa-tokens.json`). */
export const TOKEN_SECRET = 'zalo-oa-tokens';
/** The file the file store keeps the tokens in (README, Privacy). */
export const TOKEN_FILE = `${TOKEN_SECRET}.json`;

const fileSchema = z.object({
  version: z.literal(1),
  accessToken: z.string().nullable(),
  refreshToken: z.string().nullable(),
  /** Epoch ms when the access token expires; null when unknown (seeded token). */
  expiresAt: z.number().nullable(),
  obtainedAt: z.number().nullable(),
  updatedAt: z.string(),
  /** Hash of the environment seed, to notice a new authorisation put in the environment. */
  seed: z.string().nullable(),
});
/** The stored token document. */
export type TokenFile = z.infer<typeof fileSchema>;

/** Checks a stored copy (a copy that fails is treated as damaged and the previous copy is tried). */
export function isTokenFile(value: unknown): boolean {
  return fileSchema.safeParse(value).success;
}

/** No usable token: `permanent` when only an administrator can fix it. */
export class TokenError extends Error {
  constructor(
    message: string,
    /** True when retrying cannot help: the refresh token was refused, or no token can be read (re-authorise). */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** Where tokens are kept and how they are refreshed. */
export interface TokenManagerOptions {
  store: SecretStore<TokenFile>;
  appId: string;
  appSecretKey?: string;
  seedAccessToken?: string;
  seedRefreshToken?: string;
  oauthBase: string;
  logger: Logger;
  fetch?: typeof fetch;
  /** Real time in epoch ms (token lifetimes are stored). */
  now: () => number;
  requestTimeoutMs?: number;
  /** Refresh this long before expiry (capped at a quarter of the token's lifetime). Default 1 h. */
  refreshMarginMs?: number;
  /** Lifetime assumed when the OAuth answer has no expires_in. Default 25 h. */
  defaultLifetimeMs?: number;
}

/** Keeps the OA tokens usable: see the module comment above. */
export class TokenManager {
  private state: TokenFile;
  private inFlight: Promise<string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly fetchImpl: typeof fetch;
  private closed = false;
  /** Why no token can be used until an administrator authorises the app again; null when fine. */
  private reauth: string | null = null;
  /** Number of refreshes done by this instance (status and tests). */
  refreshCount = 0;
  lastError: string | null = null;

  constructor(private readonly opts: TokenManagerOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
    this.state = emptyState();
  }

  /** Loads the stored tokens (or seeds them from the environment when nothing was ever stored). */
  async init(): Promise<void> {
    const seed = this.seedHash();
    const loaded = await this.opts.store.load();
    if (loaded.status === 'unreadable') {
      this.markReauth(`token files unreadable (${loaded.reason})`);
      return;
    }
    if (loaded.status === 'ok') {
      if (loaded.fromBackup) {
        this.opts.logger.warn({ channel: 'zalo-oa' }, 'OA token file damaged: using the previous good copy');
      }
      if (seed !== null && loaded.value.seed !== seed) {
        this.opts.logger.info({ channel: 'zalo-oa' }, 'new OA tokens in the environment: replacing the stored tokens');
        this.state = this.seeded(seed);
        await this.opts.store.save(this.state);
      } else {
        this.state = loaded.value;
        // Repair the damaged current copy from the good previous one.
        if (loaded.fromBackup) await this.opts.store.save(this.state);
      }
    } else if (seed !== null) {
      this.state = this.seeded(seed);
      await this.opts.store.save(this.state);
    }
    this.schedule();
  }

  /** Set when no token can be read: an OA administrator must authorise the app again. */
  get needsReauthorisation(): string | null {
    return this.reauth;
  }

  hasAccessToken(): boolean {
    return Boolean(this.state.accessToken);
  }

  canRefresh(): boolean {
    return Boolean(this.state.refreshToken && this.opts.appSecretKey) && this.reauth === null;
  }

  /** A usable access token, refreshed first when it is about to expire. */
  async getAccessToken(): Promise<string> {
    if (this.reauth !== null) throw new TokenError(`OA tokens unavailable: ${this.reauth}`, true);
    if (this.inFlight) return this.inFlight;
    const s = this.state;
    if (s.accessToken && !this.isDue(s)) return s.accessToken;
    if (!this.canRefresh()) {
      if (s.accessToken) return s.accessToken;
      throw new TokenError('no OA access token (set ZALO_OA_ACCESS_TOKEN or ZALO_OA_REFRESH_TOKEN)', true);
    }
    try {
      return await this.refresh();
    } catch (err) {
      // A failed early refresh still leaves the current token usable until it really expires.
      if (s.accessToken && s.expiresAt !== null && s.expiresAt > this.opts.now()) return s.accessToken;
      throw err;
    }
  }

  /**
   * Refreshes the tokens: single-flight here, under the store's lock across instances. With `rejected`, the
   * refresh is skipped when the current token is already another one (the -216 race).
   */
  refresh(rejected?: string): Promise<string> {
    if (this.reauth !== null) return Promise.reject(new TokenError(`OA tokens unavailable: ${this.reauth}`, true));
    if (this.inFlight) return this.inFlight;
    if (rejected !== undefined && this.state.accessToken && this.state.accessToken !== rejected) {
      return Promise.resolve(this.state.accessToken);
    }
    const known = rejected ?? this.state.accessToken;
    this.inFlight = this.opts.store
      .withLock(() => this.refreshLocked(known))
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** Inside the rotation lock: adopt what another holder stored meanwhile, or spend the refresh token. */
  private async refreshLocked(known: string | null): Promise<string> {
    const stored = await this.opts.store.load();
    if (stored.status === 'unreadable') {
      this.markReauth(`token files unreadable (${stored.reason})`);
      throw new TokenError(`OA tokens unavailable: ${this.reauth}`, true);
    }
    if (stored.status === 'ok') {
      const v = stored.value;
      if (v.accessToken && v.accessToken !== known && !this.isDue(v)) {
        this.state = v;
        this.schedule();
        return v.accessToken;
      }
      this.state = v; // the latest refresh token, whoever rotated it
    }
    return this.doRefresh();
  }

  private isDue(s: TokenFile): boolean {
    const { expiresAt, obtainedAt } = s;
    if (expiresAt === null) return false;
    const lifetime = obtainedAt !== null ? expiresAt - obtainedAt : Number.POSITIVE_INFINITY;
    const margin = Math.min(this.opts.refreshMarginMs ?? 3600_000, lifetime / 4);
    return this.opts.now() >= expiresAt - margin;
  }

  private async doRefresh(): Promise<string> {
    const refreshToken = this.state.refreshToken;
    const secret = this.opts.appSecretKey;
    if (!refreshToken || !secret) throw new TokenError('cannot refresh the OA token: refresh token or ZALO_APP_SECRET_KEY missing', true);
    let granted: OauthGrant;
    try {
      granted = await refreshAccessToken({
        fetch: this.fetchImpl,
        oauthBase: this.opts.oauthBase,
        appId: this.opts.appId,
        appSecretKey: secret,
        refreshToken,
        timeoutMs: this.opts.requestTimeoutMs ?? 15_000,
      });
    } catch (err) {
      const refused = err instanceof OauthRefused;
      const msg = this.redact(refused ? err.message : `OA token refresh failed: ${(err as Error).message}`);
      this.lastError = msg;
      // A 5xx or a network failure is transient; an answer that is not a token refuses this refresh token.
      throw new TokenError(msg, refused && err.permanent);
    }
    const now = this.opts.now();
    const lifetime =
      granted.expiresInSec && granted.expiresInSec > 0 ? granted.expiresInSec * 1000 : (this.opts.defaultLifetimeMs ?? 25 * 3600_000);
    const next: TokenFile = {
      ...this.state,
      accessToken: granted.accessToken,
      refreshToken: granted.refreshToken,
      expiresAt: now + lifetime,
      obtainedAt: now,
      updatedAt: new Date(now).toISOString(),
    };
    // Durable first: the old refresh token is already spent.
    await this.opts.store.save(next);
    this.state = next;
    this.refreshCount++;
    this.lastError = null;
    this.opts.logger.info({ channel: 'zalo-oa', expiresInSec: Math.round(lifetime / 1000) }, 'OA access token refreshed');
    this.schedule();
    return granted.accessToken;
  }

  /** Schedules a background refresh before expiry, so an idle OA keeps its refresh token alive. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed || !this.canRefresh() || this.state.expiresAt === null) return;
    const { expiresAt, obtainedAt } = this.state;
    const lifetime = obtainedAt !== null ? expiresAt - obtainedAt : Number.POSITIVE_INFINITY;
    const margin = Math.min(this.opts.refreshMarginMs ?? 3600_000, lifetime / 4);
    const delay = Math.max(30_000, Math.min(expiresAt - margin - this.opts.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh().catch((err) => {
        this.opts.logger.error({ channel: 'zalo-oa', err: (err as Error).message }, 'scheduled OA token refresh failed');
        if (!(err as TokenError).permanent && !this.closed) {
          this.timer = setTimeout(() => this.schedule(), 60_000);
          this.timer.unref();
        }
      });
    }, delay);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Waits for a refresh in progress (shutdown). */
  async settle(): Promise<void> {
    if (this.inFlight) await this.inFlight.catch(() => undefined);
  }

  private markReauth(reason: string): void {
    this.reauth = reason;
    this.state = emptyState();
    this.opts.logger.error(
      { channel: 'zalo-oa', reason },
      'OA tokens cannot be read (current and previous copies): an OA administrator must authorise the app again',
    );
  }

  private seeded(seed: string): TokenFile {
    return {
      version: 1,
      accessToken: this.opts.seedAccessToken ?? null,
      refreshToken: this.opts.seedRefreshToken ?? null,
      expiresAt: null,
      obtainedAt: null,
      updatedAt: new Date(this.opts.now()).toISOString(),
      seed,
    };
  }

  private seedHash(): string | null {
    const { seedAccessToken, seedRefreshToken } = this.opts;
    if (!seedAccessToken && !seedRefreshToken) return null;
    return shortHash(`${seedAccessToken ?? ''}|${seedRefreshToken ?? ''}`);
  }

  private redact(message: string): string {
    return redactSecrets(message, [this.state.accessToken, this.state.refreshToken, this.opts.appSecretKey]);
  }
}

function emptyState(): TokenFile {
  return {
    version: 1,
    accessToken: null,
    refreshToken: null,
    expiresAt: null,
    obtainedAt: null,
    updatedAt: new Date(0).toISOString(),
    seed: null,
  };
}
