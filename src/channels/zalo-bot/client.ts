import { z } from 'zod';
import { backoffDelay, redactSecrets } from '../kit/util.ts';
import { sleep } from '../../util/sleep.ts';

/**
 * Typed client for the Zalo Bot Platform: JSON POST to {apiBase}/bot<token>/<method>, envelope
 * {ok, result, error_code, description}. 429 / 5xx / network failures are retried with backoff
 * (bounded); 408 on getUpdates means "no update"; 401 means the token was reset (fatal).
 * The URL contains the token: it is never logged, and error messages are scrubbed of it.
 */

const envelopeSchema = z.looseObject({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z
    .union([z.number(), z.string().regex(/^\d+$/)])
    .transform(Number)
    .optional(),
  description: z.string().optional(),
});

/** A Bot Platform call that failed, with the code that decides what to do (retry, stop, keep polling). */
export class ZaloBotError extends Error {
  constructor(
    readonly method: string,
    /** Platform error code (error_code, else the HTTP status); null for network failures. */
    readonly code: number | null,
    message: string,
  ) {
    super(message);
  }

  get isAuth(): boolean {
    return this.code === 401;
  }

  get isNoUpdate(): boolean {
    return this.code === 408;
  }

  get retryable(): boolean {
    return this.code === null || this.code === 429 || this.code >= 500;
  }
}

/** The call was abandoned because the channel is stopping. */
export class AbortedError extends Error {}

/** Where and how the client calls the Bot Platform. */
export interface ZaloBotClientOptions {
  apiBase: string;
  token: string;
  fetch?: typeof fetch;
  /** Timeout of ordinary calls. Default 15 s. */
  requestTimeoutMs?: number;
  /** Retries after the first attempt for 429 / 5xx / network. Default 3. */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Called before each retry (logging). */
  onRetry?: (info: { method: string; code: number | null; attempt: number; delayMs: number }) => void;
}

/** Per-call overrides (abort, timeout, retry). */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Retry 429 / 5xx / network failures (default true). */
  retry?: boolean;
}

/** The small typed Bot Platform client (no SDK is worth depending on: channels.md §3). */
export class ZaloBotClient {
  private readonly fetchImpl: typeof fetch;
  private readonly base: string;

  constructor(private readonly opts: ZaloBotClientOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
    this.base = opts.apiBase.replace(/\/+$/, '');
  }

  async call(method: string, params: Record<string, unknown> = {}, options: CallOptions = {}): Promise<unknown> {
    const maxRetries = options.retry === false ? 0 : (this.opts.maxRetries ?? 3);
    for (let attempt = 0; ; attempt++) {
      if (options.signal?.aborted) throw new AbortedError('aborted');
      let error: ZaloBotError;
      try {
        return await this.once(method, params, options);
      } catch (err) {
        if (!(err instanceof ZaloBotError)) throw err;
        error = err;
      }
      if (!error.retryable || attempt >= maxRetries) throw error;
      const delayMs = backoffDelay(attempt, this.opts.retryBaseMs ?? 500, this.opts.retryMaxMs ?? 10_000);
      this.opts.onRetry?.({ method, code: error.code, attempt: attempt + 1, delayMs });
      await sleep(delayMs, options.signal);
    }
  }

  private async once(method: string, params: Record<string, unknown>, options: CallOptions): Promise<unknown> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.opts.requestTimeoutMs ?? 15_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.base}/bot${this.opts.token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
        signal,
      });
    } catch (err) {
      if (options.signal?.aborted) throw new AbortedError('aborted');
      if (timeout.aborted && method === 'getUpdates') throw new ZaloBotError(method, 408, `${method}: no update (client timeout)`);
      throw new ZaloBotError(method, null, `${method}: network error: ${this.scrub((err as Error).message)}`);
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      if (options.signal?.aborted) throw new AbortedError('aborted');
      json = undefined;
    }
    const env = envelopeSchema.safeParse(json);
    if (env.success && env.data.ok && res.ok) return env.data.result;
    const code = env.success && env.data.error_code !== undefined ? env.data.error_code : res.ok ? 400 : res.status;
    const description = env.success && env.data.description ? this.scrub(env.data.description) : `HTTP ${res.status}`;
    throw new ZaloBotError(method, code, `${method}: error ${code}: ${description}`);
  }

  private scrub(message: string): string {
    return redactSecrets(message, [this.opts.token]);
  }
}
