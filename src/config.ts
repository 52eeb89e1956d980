import path from 'node:path';
import { z } from 'zod';
import { parseAddressRange } from './http/client-address.ts';
import { PROJECT_ROOT } from './util/project-root.ts';

/**
 * All configuration, parsed once from the environment (and an optional `.env`) by one zod schema.
 * A wrong value stops start-up with a message naming the variable; secrets are never echoed.
 * Every variable is documented in `.env.example`.
 */

/** Root of the project (where package.json lives), independent of the working directory and of the build. */
export { PROJECT_ROOT };

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.string().url('phải là một URL đầy đủ (http:// hoặc https://)').optional());
const idList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : (v ?? []),
  z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'mỗi id chỉ gồm chữ, số, _ hoặc -')),
);
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
/**
 * `TRUST_PROXY`: comma-separated proxy addresses or CIDR ranges whose X-Forwarded-For is believed.
 * Each entry is checked here, so a typo stops start-up instead of silently trusting nobody (or everybody).
 */
const proxyList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : (v ?? []),
  z.array(z.string()).superRefine((entries, ctx) => {
    entries.forEach((entry, i) => {
      if (!parseAddressRange(entry)) {
        ctx.addIssue({
          code: 'custom',
          message: `mục thứ ${i + 1} ("${entry.slice(0, 60)}") không phải địa chỉ IP hay dải CIDR (ví dụ 127.0.0.1, 10.0.0.0/8, ::1)`,
        });
      }
    });
  }),
);

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.preprocess(emptyToUndefined, port.default(3000)),
    HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('0.0.0.0')),
    DATA_DIR: z.preprocess(emptyToUndefined, z.string().min(1).default(path.join(PROJECT_ROOT, '.data'))),
    KNOWLEDGE_DIR: z.preprocess(emptyToUndefined, z.string().min(1).default(path.join(PROJECT_ROOT, 'knowledge'))),
    LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    /** Minutes of silence after which a conversation's session is forgotten. */
    SESSION_TTL_MINUTES: z.preprocess(emptyToUndefined, positiveInt.default(60 * 24)),
    /** Most conversations kept in the file store; the least recently used is forgotten beyond it. */
    SESSIONS_MAX: z.preprocess(emptyToUndefined, positiveInt.default(50_000)),
    /** Salt for hashing user ids before storage; generated and kept under DATA_DIR when absent. */
    USER_ID_SALT: optionalString,
    /**
     * The day answers are computed for (YYYY-MM-DD), for demonstrations and tests; normally unset.
     * Only answers move: expiry, limits and timestamps keep real time (see src/time/clock.ts).
     */
    TODAY: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'phải có dạng YYYY-MM-DD')
        .optional(),
    ),

    PUBLIC_URL: optionalUrl,

    TELEGRAM_BOT_TOKEN: optionalString,
    TELEGRAM_API_ROOT: z.preprocess(emptyToUndefined, z.string().url().default('https://api.telegram.org')),
    TELEGRAM_MODE: z.preprocess(emptyToUndefined, z.enum(['polling', 'webhook']).default('polling')),
    TELEGRAM_WEBHOOK_SECRET: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,256}$/, 'phải gồm 1-256 ký tự A-Z a-z 0-9 _ -')
        .optional(),
    ),

    ZALO_OA_APP_ID: optionalString,
    ZALO_OA_SECRET_KEY: optionalString,
    ZALO_APP_SECRET_KEY: optionalString,
    ZALO_OA_ACCESS_TOKEN: optionalString,
    ZALO_OA_REFRESH_TOKEN: optionalString,
    ZALO_OA_API_BASE: z.preprocess(emptyToUndefined, z.string().url().default('https://openapi.zalo.me')),
    ZALO_OAUTH_BASE: z.preprocess(emptyToUndefined, z.string().url().default('https://oauth.zaloapp.com')),
    /** Events older than this many seconds are ignored (Zalo retries old events). */
    ZALO_OA_MAX_EVENT_AGE_SECONDS: z.preprocess(emptyToUndefined, positiveInt.default(600)),

    ZALO_BOT_TOKEN: optionalString,
    ZALO_BOT_API_BASE: z.preprocess(emptyToUndefined, z.string().url().default('https://bot-api.zaloplatforms.com')),
    ZALO_BOT_MODE: z.preprocess(emptyToUndefined, z.enum(['polling', 'webhook']).default('polling')),
    ZALO_BOT_WEBHOOK_SECRET: z.preprocess(
      emptyToUndefined,
      z.string().min(8, 'phải dài 8-256 ký tự').max(256, 'phải dài 8-256 ký tự').optional(),
    ),

    ADMIN_TELEGRAM_IDS: idList,
    ADMIN_ZALO_IDS: idList,
    ADMIN_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, 'phải dài ít nhất 16 ký tự').optional()),

    /** Recent answers kept for identical questions in the same state (0 turns the cache off). */
    ANSWER_CACHE_SIZE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(1_000_000).default(5000)),
    /** Messages per minute allowed per user (chat channels) and per IP (web API). */
    RATE_LIMIT_PER_MINUTE: z.preprocess(emptyToUndefined, positiveInt.default(30)),
    /** Requests per minute allowed from one IP address on the web API (many users may share one NAT). */
    RATE_LIMIT_PER_IP_PER_MINUTE: z.preprocess(emptyToUndefined, positiveInt.default(6000)),
    /**
     * New conversation ids per minute from one IP address on the web API: a client minting an id per
     * message cannot escape the per-conversation limit, while a carrier NAT full of residents still can start many.
     */
    RATE_LIMIT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE: z.preprocess(emptyToUndefined, positiveInt.default(600)),
    /** Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client; empty: none. */
    TRUST_PROXY: proxyList,

    /**
     * PostgreSQL connection string (`postgres://user:pass@host:5432/db`). Set, every store moves to the shared
     * database so several instances can serve behind a load balancer; unset, files under DATA_DIR. Never logged.
     */
    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\/\S+$/, 'phải có dạng postgres://người_dùng:mật_khẩu@máy:5432/tên_csdl')
        .optional(),
    ),
    /** Most connections this instance opens to PostgreSQL (its pool); conversation turns use all but two. */
    DATABASE_POOL_MAX: z.preprocess(emptyToUndefined, z.coerce.number().int().min(4).max(500).default(20)),
    /** How long to wait for a PostgreSQL connection before a request is answered 503. */
    DATABASE_CONNECT_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(120_000).default(5000)),
  })
  .superRefine((c, ctx) => {
    if (c.TELEGRAM_BOT_TOKEN && c.TELEGRAM_MODE === 'webhook') {
      if (!c.PUBLIC_URL) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'bắt buộc khi TELEGRAM_MODE=webhook' });
      if (!c.TELEGRAM_WEBHOOK_SECRET)
        ctx.addIssue({ code: 'custom', path: ['TELEGRAM_WEBHOOK_SECRET'], message: 'bắt buộc khi TELEGRAM_MODE=webhook' });
    }
    if (c.ZALO_BOT_TOKEN && c.ZALO_BOT_MODE === 'webhook') {
      if (!c.PUBLIC_URL) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'bắt buộc khi ZALO_BOT_MODE=webhook' });
      if (!c.ZALO_BOT_WEBHOOK_SECRET)
        ctx.addIssue({ code: 'custom', path: ['ZALO_BOT_WEBHOOK_SECRET'], message: 'bắt buộc khi ZALO_BOT_MODE=webhook' });
    }
  });

export type Config = z.infer<typeof configSchema>;

/** Raised when the environment is wrong; the message lists each bad variable by name. */
export class ConfigError extends Error {}

/**
 * Parses the environment into a Config. Throws a ConfigError naming every bad variable
 * (never printing its value, since it may be a secret).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  - ${String(i.path[0] ?? '?')}: ${i.message}`);
  throw new ConfigError(`Cấu hình không hợp lệ (biến môi trường):\n${lines.join('\n')}`);
}

/** Loads `.env` from the project root if present (never overriding variables already set). */
export async function loadDotEnv(): Promise<void> {
  const file = path.join(PROJECT_ROOT, '.env');
  const { existsSync } = await import('node:fs');
  if (!existsSync(file)) return;
  const dotenv = await import('dotenv');
  dotenv.config({ path: file, override: false, quiet: true } as never);
}
