import { readFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../storage/atomic-file.ts';
import type { Logger } from '../../observability/logger.ts';
import { redactSecrets, shortHash } from '../zalo-common/util.ts';
import { systemClock } from '../../time/clock.ts';

/**
 * OA access token + rotating single-use refresh token, kept in `DATA_DIR/zalo-oa-tokens.json`.
 *
 * - Seeded from ZALO_OA_ACCESS_TOKEN / ZALO_OA_REFRESH_TOKEN when the file does not exist (or when
 *   the operator puts different seed values in the environment, i.e. after a new authorisation).
 * - Refreshed ahead of expiry and on demand (error -216) through POST {oauthBase}/v4/oa/access_token,
 *   single-flight: concurrent callers share one refresh.
 * - The rotated refresh token is written atomically BEFORE the new access token is used: losing it
 *   would force an OA admin to authorise the app again.
 */

export const TOKEN_FILE = 'zalo-oa-tokens.json';

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
export type TokenFile = z.infer<typeof fileSchema>;

const refreshResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z
    .union([z.number(), z.string().regex(/^\d+$/)])
    .transform(Number)
    .optional(),
});
const errorResponseSchema = z.looseObject({
  error: z.union([z.number(), z.string()]).optional(),
  error_name: z.string().optional(),
  error_description: z.string().optional(),
  message: z.string().optional(),
});

export class TokenError extends Error {
  constructor(
    message: string,
    /** True when the OAuth server refused the refresh token (needs a new authorisation). */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface TokenManagerOptions {
  dataDir: string;
  appId: string;
  appSecretKey?: string;
  seedAccessToken?: string;
  seedRefreshToken?: string;
  oauthBase: string;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => number;
  requestTimeoutMs?: number;
  /** Refresh this long before expiry (capped at a quarter of the token's lifetime). Default 1 h. */
  refreshMarginMs?: number;
  /** Lifetime assumed when the OAuth answer has no expires_in. Default 25 h. */
  defaultLifetimeMs?: number;
}

export class TokenManager {
  private state: TokenFile;
  private inFlight: Promise<string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly file: string;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;
  private closed = false;
  /** Number of successful refreshes (for status and tests). */
  refreshCount = 0;
  lastError: string | null = null;

  constructor(private readonly opts: TokenManagerOptions) {
    this.file = path.join(opts.dataDir, TOKEN_FILE);
    this.now = opts.now ?? systemClock.nowMs;
    this.fetchImpl = opts.fetch ?? fetch;
    this.state = emptyState();
  }

  /** Loads the token file (or seeds it from the environment on first start). */
  async init(): Promise<void> {
    const seed = this.seedHash();
    const loaded = this.readFile();
    if (loaded && (seed === null || loaded.seed === seed)) {
      this.state = loaded;
    } else if (seed !== null) {
      if (loaded) this.opts.logger.info({ channel: 'zalo-oa' }, 'new OA tokens in the environment: replacing the stored tokens');
      this.state = {
        version: 1,
        accessToken: this.opts.seedAccessToken ?? null,
        refreshToken: this.opts.seedRefreshToken ?? null,
        expiresAt: null,
        obtainedAt: null,
        updatedAt: new Date(this.now()).toISOString(),
        seed,
      };
      await this.persist(this.state);
    } else if (loaded) {
      this.state = loaded;
    }
    this.schedule();
  }

  hasAccessToken(): boolean {
    return Boolean(this.state.accessToken);
  }

  canRefresh(): boolean {
    return Boolean(this.state.refreshToken && this.opts.appSecretKey);
  }

  /** A usable access token, refreshed first when it is about to expire. */
  async getAccessToken(): Promise<string> {
    if (this.inFlight) return this.inFlight;
    const s = this.state;
    if (s.accessToken && !this.dueForRefresh()) return s.accessToken;
    if (!this.canRefresh()) {
      if (s.accessToken) return s.accessToken;
      throw new TokenError('no OA access token (set ZALO_OA_ACCESS_TOKEN or ZALO_OA_REFRESH_TOKEN)', true);
    }
    try {
      return await this.refresh();
    } catch (err) {
      // A failed early refresh still leaves the current token usable until it really expires.
      if (s.accessToken && s.expiresAt !== null && s.expiresAt > this.now()) return s.accessToken;
      throw err;
    }
  }

  /**
   * Refreshes the tokens (single-flight). With `rejected`, the refresh is skipped when another caller
   * already replaced that access token (the -216 race): the current one is returned instead.
   */
  refresh(rejected?: string): Promise<string> {
    if (this.inFlight) return this.inFlight;
    if (rejected !== undefined && this.state.accessToken && this.state.accessToken !== rejected) {
      return Promise.resolve(this.state.accessToken);
    }
    this.inFlight = this.doRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private dueForRefresh(): boolean {
    const { expiresAt, obtainedAt } = this.state;
    if (expiresAt === null) return false;
    const lifetime = obtainedAt !== null ? expiresAt - obtainedAt : Infinity;
    const margin = Math.min(this.opts.refreshMarginMs ?? 3600_000, lifetime / 4);
    return this.now() >= expiresAt - margin;
  }

  private async doRefresh(): Promise<string> {
    const refreshToken = this.state.refreshToken;
    const secret = this.opts.appSecretKey;
    if (!refreshToken || !secret) throw new TokenError('cannot refresh the OA token: refresh token or ZALO_APP_SECRET_KEY missing', true);
    const url = `${this.opts.oauthBase.replace(/\/+$/, '')}/v4/oa/access_token`;
    const form = new URLSearchParams({ refresh_token: refreshToken, app_id: this.opts.appId, grant_type: 'refresh_token' });
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method: 'POST',
        headers: { secret_key: secret, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 15_000),
      });
    } catch (err) {
      const msg = this.redact(`OA token refresh failed: ${(err as Error).message}`);
      this.lastError = msg;
      throw new TokenError(msg, false);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    const ok = refreshResponseSchema.safeParse(body);
    if (!ok.success) {
      const e = errorResponseSchema.safeParse(body);
      const detail = e.success
        ? [e.data.error, e.data.error_name, e.data.error_description ?? e.data.message].filter((x) => x !== undefined).join(' ')
        : '';
      const msg = this.redact(`OA token refresh refused (HTTP ${res.status}${detail ? `: ${detail}` : ''})`);
      this.lastError = msg;
      // A 5xx is transient; an answer that is not a token is a refusal of this refresh token.
      throw new TokenError(msg, res.status < 500);
    }
    const now = this.now();
    const lifetime =
      ok.data.expires_in && ok.data.expires_in > 0 ? ok.data.expires_in * 1000 : (this.opts.defaultLifetimeMs ?? 25 * 3600_000);
    const next: TokenFile = {
      ...this.state,
      accessToken: ok.data.access_token,
      refreshToken: ok.data.refresh_token,
      expiresAt: now + lifetime,
      obtainedAt: now,
      updatedAt: new Date(now).toISOString(),
    };
    // Persist first: the old refresh token is already spent.
    await this.persist(next);
    this.state = next;
    this.refreshCount++;
    this.lastError = null;
    this.opts.logger.info({ channel: 'zalo-oa', expiresInSec: Math.round(lifetime / 1000) }, 'OA access token refreshed');
    this.schedule();
    return next.accessToken as string;
  }

  /** Schedules a background refresh before expiry, so an idle OA keeps its refresh token alive. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed || !this.canRefresh() || this.state.expiresAt === null) return;
    const { expiresAt, obtainedAt } = this.state;
    const lifetime = obtainedAt !== null ? expiresAt - obtainedAt : Infinity;
    const margin = Math.min(this.opts.refreshMarginMs ?? 3600_000, lifetime / 4);
    const delay = Math.max(30_000, Math.min(expiresAt - margin - this.now(), 2 ** 31 - 1));
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

  private seedHash(): string | null {
    const { seedAccessToken, seedRefreshToken } = this.opts;
    if (!seedAccessToken && !seedRefreshToken) return null;
    return shortHash(`${seedAccessToken ?? ''}|${seedRefreshToken ?? ''}`);
  }

  private readFile(): TokenFile | null {
    let raw: string;
    try {
      raw = readFileSync(this.file, 'utf8');
    } catch {
      return null;
    }
    try {
      return fileSchema.parse(JSON.parse(raw));
    } catch (err) {
      this.opts.logger.error(
        { channel: 'zalo-oa', file: this.file, err: (err as Error).message.slice(0, 200) },
        'OA token file unreadable; ignoring it',
      );
      return null;
    }
  }

  private async persist(next: TokenFile): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(next, null, 2));
    // Secrets: readable by the service user only (best effort).
    await chmod(this.file, 0o600).catch(() => undefined);
  }

  private redact(message: string): string {
    return redactSecrets(message, [this.state.accessToken ?? undefined, this.state.refreshToken ?? undefined, this.opts.appSecretKey]);
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
