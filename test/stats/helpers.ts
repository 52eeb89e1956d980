import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TurnContext } from '../../src/core/context.ts';
import type { Session } from '../../src/domain/types.ts';
import { createLogger, silentLogger, type Logger } from '../../src/observability/logger.ts';
import { createStatsSkill } from '../../src/stats/index.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { understand } from '../helpers/nlu.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SEED_DIR = path.join(ROOT, 'data');
export const KNOWLEDGE_DIR = path.join(ROOT, 'knowledge');
/** "Today" in these tests: 27/11/2026 (after the 01/07/2025 merger). */
export const NOW = new Date('2026-11-27T03:00:00Z');

export function makeCtx(text: string, session: Session = newSession(), now: Date = NOW): TurnContext {
  return {
    incoming: { channel: 'test', conversationId: 'c1', text },
    nlu: understand(text),
    session,
    clock: new ManualClock({ wall: now }),
    now,
    services: {} as TurnContext['services'],
  };
}

export function newSession(): Session {
  return { id: 's1', updatedAt: NOW.toISOString() };
}

export function tempDir(prefix = 'stats-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A logger that keeps every line it writes (to check warnings). */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger('debug', stream as never);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export async function openSkill(dataDir: string, logger: Logger = silentLogger()) {
  return createStatsSkill({ dataDir, seedDir: SEED_DIR, knowledgeDir: KNOWLEDGE_DIR, logger });
}

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs `npm run stats -- <args>` (the same entry point) with DATA_DIR set. */
export function runCli(args: string[], dataDir: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(TSX, [path.join(ROOT, 'src/cli/stats.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const HEADER = 'area_id,indicator,value,unit,qualifier,as_of,period_start,status,note,source,source_url';
