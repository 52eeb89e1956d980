import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withFileLock } from '../../src/storage/file/file-lock.ts';

/**
 * The lock that spans processes (statistics imports, Zalo OA tokens): one holder at a time, also when many
 * waiters find a lock left by a process that died and all try to take it over at once.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempLock(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'file-lock-'));
  dirs.push(dir);
  return path.join(dir, 'store.lock');
}

/** The process id of a process that has already exited. */
function deadPid(): number {
  const run = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(run.stdout);
}

async function holdersAtOnce(lockFile: string, waiters: number): Promise<{ max: number; done: number }> {
  let inside = 0;
  let max = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: waiters }, () =>
      withFileLock(lockFile, async () => {
        inside++;
        max = Math.max(max, inside);
        await new Promise((r) => setTimeout(r, 3));
        inside--;
        done++;
      }),
    ),
  );
  return { max, done };
}

describe('withFileLock', () => {
  it('lets one holder in at a time', async () => {
    const lock = tempLock();
    expect(await holdersAtOnce(lock, 20)).toEqual({ max: 1, done: 20 });
    expect(existsSync(lock)).toBe(false);
  }, 60_000);

  it('takes over a dead holder’s lock once, even when many waiters find it together', async () => {
    for (let round = 0; round < 3; round++) {
      const lock = tempLock();
      writeFileSync(lock, `${deadPid()} ${os.hostname()} 2026-11-27T00:00:00.000Z\n`);
      expect(await holdersAtOnce(lock, 20)).toEqual({ max: 1, done: 20 });
      expect(existsSync(lock)).toBe(false);
      expect(existsSync(`${lock}.takeover`)).toBe(false);
    }
  }, 60_000);

  it('waits for a live holder on this machine instead of taking its lock', async () => {
    const lock = tempLock();
    writeFileSync(lock, `${process.pid} ${os.hostname()} 2026-11-27T00:00:00.000Z\n`);
    await expect(withFileLock(lock, async () => 'got it', { timeoutMs: 200 })).rejects.toThrow(/could not take the lock/);
    expect(existsSync(lock)).toBe(true);
  });

  it('does not take an empty lock (its holder about to name itself) for old because its file time looks old', async () => {
    // The file's time comes from the kernel's real clock; a process whose clock is moved (faketime, a wrong
    // system time) must not judge by it, or two processes hold the lock.
    const lock = tempLock();
    writeFileSync(lock, '');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(lock, hourAgo, hourAgo);
    await expect(withFileLock(lock, async () => 'taken', { timeoutMs: 1_000 })).rejects.toThrow(/could not take the lock/);
    expect(existsSync(lock)).toBe(true);
  });

  it('takes over an empty lock left by a holder that died before naming itself, after watching it for 5 s', async () => {
    const lock = tempLock();
    writeFileSync(lock, '');
    await expect(withFileLock(lock, async () => 'taken', { timeoutMs: 15_000 })).resolves.toBe('taken');
  }, 30_000);
});
