import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/core.ts';
import { startTestServer } from '../helpers/server.ts';
import { FileSessionStore } from '../../src/storage/file/session-store.ts';
import { FileLearningStore } from '../../src/learning/file-store.ts';
import { monotonicMs } from '../../src/time/clock.ts';

const WRITER = path.join(import.meta.dirname, 'session-writer-child.ts');
/** The durability contract in README: sessions and usage counts lose at most the last 250 ms on a crash. */
const LOSS_WINDOW_MS = 250;

/** Runs the writer child, kills it with SIGKILL `ms` after it is ready; returns each ack with its arrival time. */
function killDuringWrites(dataDir: string, ms: number): Promise<{ acks: Array<{ n: number; t: number }>; killedAt: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acks: Array<{ n: number; t: number }> = [];
    let killedAt = 0;
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const now = monotonicMs();
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready')
          setTimeout(() => {
            killedAt = monotonicMs();
            child.kill('SIGKILL');
          }, ms);
        else if (line.startsWith('ack ') && !killedAt) acks.push({ n: Number(line.slice(4)), t: now });
      }
    });
    child.on('exit', () => resolve({ acks, killedAt }));
  });
}

describe('durability contract: kill -9 loses at most the last 250 ms', () => {
  it('keeps every session and usage count acknowledged more than 250 ms before the kill', async () => {
    const tmp = tempDir();
    let worstLostAge = 0;
    try {
      for (const ms of [60, 400, 900, 1500]) {
        const { acks, killedAt } = await killDuringWrites(tmp.dir, ms);
        const sessions = await FileSessionStore.open({ dataDir: tmp.dir, ttlMinutes: 600, maxSessions: 100_000 });
        const learning = await FileLearningStore.open(tmp.dir);
        const usage = await learning.usageBetween('2000-01-01', '2100-01-01');
        // Acks accumulate across kills in one folder: count what this run must have kept.
        const old = acks.filter((a) => killedAt - a.t > LOSS_WINDOW_MS);
        const lastOld = new Map<string, number>();
        for (const a of old) lastOld.set(`k${a.n % 700}`, a.n);
        for (const [key, n] of lastOld) {
          const s = await sessions.get(key);
          const kept = (s?.memo as { n?: number } | undefined)?.n ?? 0;
          expect(kept, `session ${key}`).toBeGreaterThanOrEqual(n);
        }
        expect(usage.total).toBeGreaterThanOrEqual(old.length);
        for (const a of acks) {
          const s = await sessions.get(`k${a.n % 700}`);
          const kept = (s?.memo as { n?: number } | undefined)?.n ?? 0;
          if (kept < a.n) worstLostAge = Math.max(worstLostAge, killedAt - a.t);
        }
        await sessions.close();
        await learning.close();
      }
      // No orphan temporary files are left behind by the writer or by reopening.
      expect(readdirSync(tmp.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect(worstLostAge).toBeLessThanOrEqual(LOSS_WINDOW_MS);
    } finally {
      tmp.cleanup();
    }
  }, 90_000);
});

describe('damaged store files', () => {
  it('sets aside a bad record with its line and reason and keeps the others', async () => {
    const tmp = tempDir();
    try {
      const good = (k: string) => JSON.stringify({ k, s: { id: k, updatedAt: '2999-01-01T00:00:00.000Z', topic: 'loan' } });
      writeFileSync(
        path.join(tmp.dir, 'sessions.wal-1.jsonl'),
        [good('a'), '{"k":"b","s":{"id":1}}', 'garbage', good('c')].join('\n') + '\n',
      );
      const store = await FileSessionStore.open({ dataDir: tmp.dir, ttlMinutes: 60, maxSessions: 100 });
      expect(await store.size()).toBe(2);
      expect((await store.health()).state).toBe('degraded');
      const rejected = readdirSync(tmp.dir).find((n) => n === 'sessions.rejected.jsonl');
      expect(rejected).toBeDefined();
      await store.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('starts when a store file is a directory or unreadable, reports it in /readyz, and still answers', async () => {
    const tmp = tempDir();
    try {
      mkdirSync(path.join(tmp.dir, 'sessions.json'));
      writeFileSync(path.join(tmp.dir, 'learning.json'), 'not json at all');
      const s = await startTestServer({ DATA_DIR: tmp.dir });
      try {
        const ready = await fetch(`${s.url}/readyz`);
        const body = (await ready.json()) as { ready: boolean; stores?: Array<{ state: string }> };
        expect(ready.status).toBe(200);
        expect(body.stores?.some((st) => st.state === 'degraded')).toBe(true);
        const chat = await fetch(`${s.url}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ conversationId: 'x', text: 'xin chào' }),
        });
        expect(chat.status).toBe(200);
      } finally {
        await s.server.stop();
      }
      const names = readdirSync(tmp.dir);
      expect(names.some((n) => n.startsWith('sessions.json.unreadable-'))).toBe(true);
      expect(names.some((n) => n.startsWith('learning.json.corrupt-'))).toBe(true);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
