import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT, type Config } from '../../src/config.ts';
import { Engine, type TurnObserver } from '../../src/core/engine.ts';
import type { Incoming, Reply } from '../../src/domain/types.ts';
import type { Flow } from '../../src/core/context.ts';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { silentLogger, type Logger } from '../../src/observability/logger.ts';
import { HttpApp } from '../../src/http/http-app.ts';
import { MemorySessionStore } from '../../src/storage/memory/session-store.ts';
import type { SessionStore } from '../../src/storage/types.ts';
import { createTelegramChannel, type TelegramChannelOptions } from '../../src/channels/telegram/index.ts';
import type { ChannelAdapter } from '../../src/channels/channel.ts';
import { renderReply } from '../../src/channels/telegram/render.ts';
import { systemClock, withAnswerDay } from '../../src/time/clock.ts';

let kb: KnowledgeBase | undefined;
export function knowledge(): KnowledgeBase {
  kb ??= KnowledgeBase.load(path.join(PROJECT_ROOT, 'knowledge', 'policies'));
  return kb;
}

/**
 * One fixed answer day for the whole test run, so a twin engine answers exactly like the channel's
 * engine on any real date; real time still runs (session expiry, limits).
 */
export const TEST_DAY = '2026-11-27';
export const clock = withAnswerDay(systemClock, TEST_DAY);

export function makeEngine(sessions: SessionStore = new MemorySessionStore(), observers: TurnObserver[] = [], flows: Flow[] = []): Engine {
  return new Engine({ services: { knowledge: knowledge() }, sessions, flows, salt: 'test', clock, observers });
}

/** The guided eligibility flow when the core provides it (empty otherwise, so these tests never depend on it). */
export async function eligibilityFlows(): Promise<Flow[]> {
  try {
    const mod = (await import('../../src/eligibility/index.ts')) as {
      createEligibilityFlow?: (o: { knowledgeDir: string; knowledge: KnowledgeBase }) => Flow;
    };
    return mod.createEligibilityFlow
      ? [mod.createEligibilityFlow({ knowledgeDir: path.join(PROJECT_ROOT, 'knowledge'), knowledge: knowledge() })]
      : [];
  } catch {
    return [];
  }
}

export function makeConfig(env: Record<string, string | undefined>): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env } as NodeJS.ProcessEnv);
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Fast settings for tests (short polls, bounded retries). */
export const FAST: TelegramChannelOptions = {
  pollTimeoutSeconds: 2,
  requestTimeoutSeconds: 10,
  maxRetryAttempts: 3,
  maxRetryDelaySeconds: 3,
  networkRetries: 0,
  idlePauseMs: 50,
  startRetryDelayMs: 100,
};

export interface Harness {
  channel: ChannelAdapter;
  engine: Engine;
  app: HttpApp;
  seen: Incoming[];
  close(): Promise<void>;
}

/** Builds Engine + HttpApp + Telegram channel against an API root. */
export function makeChannel(opts: {
  env: Record<string, string | undefined>;
  dataDir: string;
  sessions?: SessionStore;
  app?: HttpApp;
  options?: TelegramChannelOptions;
  logger?: Logger;
  flows?: Flow[];
}): Harness {
  const seen: Incoming[] = [];
  const engine = makeEngine(opts.sessions, [({ incoming }) => seen.push(incoming)], opts.flows);
  const app = opts.app ?? new HttpApp(silentLogger());
  const channel = createTelegramChannel(
    {
      config: makeConfig({ DATA_DIR: opts.dataDir, ...opts.env }),
      engine,
      app,
      logger: opts.logger ?? silentLogger(),
      dataDir: opts.dataDir,
    },
    { ...FAST, ...opts.options },
  );
  return {
    channel,
    engine,
    app,
    seen,
    async close() {
      await channel.stop();
      await engine.drain();
    },
  };
}

/**
 * An independent engine fed the same sequence of messages: what the channel should have sent,
 * rendered with the same pure functions (HTML chunks, keyboard labels per reply).
 */
export class Twin {
  readonly engine = makeEngine();
  async turn(incoming: Omit<Incoming, 'channel'>): Promise<{ replies: Reply[]; texts: string[]; labels: string[][] }> {
    const result = await this.engine.handle({ channel: 'telegram', ...incoming });
    const texts: string[] = [];
    const labels: string[][] = [];
    for (const r of result.replies) {
      const chunks = renderReply(r);
      texts.push(...chunks);
      labels.push((r.buttons ?? []).map((b) => b.label.trim()));
    }
    return { replies: result.replies, texts, labels };
  }
}

/** Labels of an inline keyboard as sent. */
export function keyboardLabels(params: Record<string, any>): string[] {
  const kb = params.reply_markup?.inline_keyboard as Array<Array<{ text: string }>> | undefined;
  return kb ? kb.flat().map((b) => b.text) : [];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
