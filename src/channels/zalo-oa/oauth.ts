import { z } from 'zod';

/**
 * The OA OAuth v4 refresh call: POST {oauthBase}/v4/oa/access_token with the App Secret Key in the
 * `secret_key` header and the single-use refresh token in the form (channels.md §1.6). Every refresh
 * returns a new refresh token; the old one is spent the moment Zalo answers.
 */

const grantSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z
    .union([z.number(), z.string().regex(/^\d+$/)])
    .transform(Number)
    .optional(),
});
const errorSchema = z.looseObject({
  error: z.union([z.number(), z.string()]).optional(),
  error_name: z.string().optional(),
  error_description: z.string().optional(),
  message: z.string().optional(),
});

/** New tokens from a refresh. */
export interface OauthGrant {
  accessToken: string;
  refreshToken: string;
  expiresInSec?: number;
}

/** Zalo answered, but not with tokens. `permanent` unless it was a server error (5xx). */
export class OauthRefused extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** Spends `refreshToken` for new tokens. Network failures are thrown as they are; a refusal as {@link OauthRefused}. */
export async function refreshAccessToken(opts: {
  fetch: typeof fetch;
  oauthBase: string;
  appId: string;
  appSecretKey: string;
  refreshToken: string;
  timeoutMs: number;
}): Promise<OauthGrant> {
  const url = `${opts.oauthBase.replace(/\/+$/, '')}/v4/oa/access_token`;
  const form = new URLSearchParams({ refresh_token: opts.refreshToken, app_id: opts.appId, grant_type: 'refresh_token' });
  const res = await opts.fetch(url, {
    method: 'POST',
    headers: { secret_key: opts.appSecretKey, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const ok = grantSchema.safeParse(body);
  if (ok.success) return { accessToken: ok.data.access_token, refreshToken: ok.data.refresh_token, expiresInSec: ok.data.expires_in };
  const e = errorSchema.safeParse(body);
  const detail = e.success
    ? [e.data.error, e.data.error_name, e.data.error_description ?? e.data.message].filter((x) => x !== undefined).join(' ')
    : '';
  throw new OauthRefused(`OA token refresh refused (HTTP ${res.status}${detail ? `: ${detail}` : ''})`, res.status < 500);
}
