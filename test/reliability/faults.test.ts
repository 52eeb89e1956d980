import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/core.ts';
import { startTestServer } from '../helpers/server.ts';

const WRITER = path.join(__dirname, 'session-writer-child.ts');

/** Starts a child that hammers the session store, kills it with SIGKILL after `ms`. */
function killDuringWrites(dataDir: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let started = false;
    child.stdout.on('data', () => {
      if (started) return;
      started = true;
      setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.on('exit', () => resolve());
  });
}

describe('faults', () => {
  it('kill -9 during session writes always leaves a valid sessions.json', async () => {
    const tmp = tempDir();
    try {
      for (const ms of [5, 37, 80, 150, 260]) {
        await killDuringWrites(tmp.dir, ms);
        const file = path.join(tmp.dir, 'sessions.json');
        if (!existsSync(file)) continue;
        const parsed = JSON.parse(readFileSync(file, 'utf8'));
        expect(parsed.version).toBe(1);
        expect(typeof parsed.sessions).toBe('object');
      }
      expect(existsSync(path.join(tmp.dir, 'sessions.json'))).toBe(true);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);

  it('a corrupt or truncated store file is moved aside and the server starts', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(path.join(tmp.dir, 'sessions.json'), '{"version":1,"sessions":{"abc":{"id":"abc","updat');
      writeFileSync(path.join(tmp.dir, 'learning.json'), 'not json at all');
      const s = await startTestServer({ DATA_DIR: tmp.dir });
      try {
        const ready = await fetch(`${s.url}/readyz`);
        expect(ready.status).toBe(200);
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
      expect(names.some((n) => n.startsWith('sessions.json.corrupt-'))).toBe(true);
      expect(names.some((n) => n.startsWith('learning.json.corrupt-'))).toBe(true);
      expect(() => JSON.parse(readFileSync(path.join(tmp.dir, 'sessions.json'), 'utf8'))).not.toThrow();
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
