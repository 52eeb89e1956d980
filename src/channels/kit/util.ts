import { createHash } from 'node:crypto';

/** Short stable hash of an id, for log fields and shared keys: never the raw platform user id. */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 24);
}

/** Exponential backoff with jitter (±25 %), capped: spreads retries of many instances apart. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const raw = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(raw * (0.75 + Math.random() * 0.5));
}

/** Replaces every occurrence of the given secrets in a message (platform errors may echo URLs with tokens). */
export function redactSecrets(message: string, secrets: Array<string | undefined | null>): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
