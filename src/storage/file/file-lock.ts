import { promises as fs, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { sleep } from '../../util/sleep.ts';
import { monotonicMs, systemClock, type Clock } from '../../time/clock.ts';

/** A lock or guard file left empty this long (its creator died before naming itself) is taken over. */
const STALE_MS = 5_000;

/** Thrown when a lock could not be taken in time. */
export class LockTimeout extends Error {
  constructor(readonly lockFile: string) {
    super(`could not take the lock ${lockFile} in time`);
  }
}

/**
 * Runs `task` while holding a lock that spans processes: a lock file created exclusively (`wx`) that
 * names its holder. Why: the statistics import command and the running server write the same store,
 * and without a shared lock the last writer wins and an acknowledged import vanishes. A lock left by
 * a process that died (kill -9) is recognised by its process id and taken over.
 */
export async function withFileLock<T>(
  lockFile: string,
  task: () => Promise<T>,
  opts: { timeoutMs?: number; clock?: Clock } = {},
): Promise<T> {
  const clock = opts.clock ?? systemClock;
  const deadline = clock.monotonicMs() + (opts.timeoutMs ?? 30_000);
  let wait = 5;
  for (;;) {
    try {
      const handle = await fs.open(lockFile, 'wx');
      try {
        await handle.writeFile(`${process.pid} ${os.hostname()} ${clock.now().toISOString()}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (holderIsGone(lockFile)) {
        await takeOver(lockFile);
        continue;
      }
      if (clock.monotonicMs() > deadline) throw new LockTimeout(lockFile);
      await sleep(wait);
      wait = Math.min(wait * 2, 100);
    }
  }
  try {
    return await task();
  } finally {
    await fs.rm(lockFile, { force: true });
  }
}

/**
 * Removes a dead holder's lock under a second, short-lived guard file, checking again inside the guard. Why: two
 * waiters can both judge the same stale lock dead; without the guard, the slower one would remove the lock the
 * faster one had just taken, and two processes would hold it at once. A guard left by a process killed inside
 * this function is recognised by its age.
 */
async function takeOver(lockFile: string): Promise<void> {
  const guard = `${lockFile}.takeover`;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(guard, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (isOld(guard)) await fs.rm(guard, { force: true });
    return; // Another waiter is taking over; the caller tries again.
  }
  try {
    await handle.close();
    if (holderIsGone(lockFile)) await fs.rm(lockFile, { force: true });
  } finally {
    await fs.rm(guard, { force: true });
  }
}

/** True when the lock file names a process on this machine that no longer runs (or cannot be read). */
function holderIsGone(lockFile: string): boolean {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch {
    return false; // Removed meanwhile: the next attempt will tell.
  }
  const [pidText, host] = text.trim().split(' ');
  const pid = Number(pidText);
  // A half-written lock (holder killed between create and write) has no pid yet: treat as gone only
  // when it is empty, since a live holder writes its pid immediately after creating the file.
  if (!pidText) return text.length === 0 && isOld(lockFile);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (host && host !== os.hostname()) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** When this process first saw each file (by inode and modification stamp) without a holder, monotonic ms. */
const firstSeen = new Map<string, number>();

/**
 * True once this process has watched the same file (same inode and stamp) for {@link STALE_MS} of its own
 * monotonic time. Why not "now minus mtime": the file's time comes from the kernel's real clock, and a
 * moved process clock (`TODAY`-style tests under faketime, a wrong system time) would call a lock created
 * a moment ago old, and two processes would hold it.
 */
function isOld(file: string): boolean {
  let key: string;
  try {
    const st = statSync(file);
    key = `${file}:${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return true;
  }
  const now = monotonicMs();
  if (firstSeen.size > 1_000) firstSeen.clear();
  const seen = firstSeen.get(key);
  if (seen === undefined) {
    firstSeen.set(key, now);
    return false;
  }
  return now - seen > STALE_MS;
}
