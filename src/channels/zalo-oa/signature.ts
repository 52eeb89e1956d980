import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Zalo OA webhook signature: header `X-ZEvent-Signature: mac=<hex sha256>` where the digest covers
 * app_id + raw body + timestamp + OA secret key (a plain SHA-256 of the concatenation, not an HMAC),
 * with app_id and timestamp read from the body itself (official Java SDK, MacUtils.buildMac).
 */
export function computeMac(appId: string, rawBody: Buffer | string, timestamp: string, oaSecretKey: string): string {
  return createHash('sha256')
    .update(appId, 'utf8')
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .update(timestamp, 'utf8')
    .update(oaSecretKey, 'utf8')
    .digest('hex');
}

/** The header value Zalo sends: `mac=` + hex digest. */
export function signatureHeader(appId: string, rawBody: Buffer | string, timestamp: string, oaSecretKey: string): string {
  return `mac=${computeMac(appId, rawBody, timestamp, oaSecretKey)}`;
}

/**
 * Reads a top-level field's value as the exact text that was signed: strings as they are, numbers in
 * their literal form from the raw JSON (so large ids are not rounded).
 */
export function signedField(body: Record<string, unknown>, raw: string, field: 'app_id' | 'timestamp'): string | undefined {
  const v = body[field];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    // The same key may also appear nested (e.g. inside "message"): take the literal whose value is the top-level one.
    const re = new RegExp(`"${field}"\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`, 'g');
    for (const m of raw.matchAll(re)) if (Number(m[1]) === v) return m[1];
    return String(v);
  }
  return undefined;
}

/** Outcome of a signature check, with the signed app id and timestamp when it holds. */
export type VerifyResult = { ok: true; appId: string; timestamp: string } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' };

/** Verifies a webhook in constant time over the raw bytes. `body` is the parsed JSON of `rawBody`. */
export function verifySignature(rawBody: Buffer, body: unknown, header: string | undefined, oaSecretKey: string): VerifyResult {
  if (!header) return { ok: false, reason: 'missing' };
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, reason: 'malformed' };
  const raw = rawBody.toString('utf8');
  const appId = signedField(body as Record<string, unknown>, raw, 'app_id');
  const timestamp = signedField(body as Record<string, unknown>, raw, 'timestamp');
  if (appId === undefined || timestamp === undefined) return { ok: false, reason: 'malformed' };
  const given = header.trim().replace(/^mac=/i, '').toLowerCase();
  const expected = Buffer.from(computeMac(appId, rawBody, timestamp, oaSecretKey), 'utf8');
  const actual = Buffer.from(given, 'utf8');
  // timingSafeEqual needs equal lengths: compare against itself on a length mismatch to keep timing flat.
  let same = false;
  if (actual.length === expected.length) same = timingSafeEqual(actual, expected);
  else timingSafeEqual(expected, expected);
  return same ? { ok: true, appId, timestamp } : { ok: false, reason: 'mismatch' };
}
