import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, promises as fs, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Temporary files are named `.<target>.<pid>.<uuid>.tmp`, so a later start can tell whose they were. */
function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomUUID()}.tmp`);
}

/**
 * Crash-safe file writes: write a temp file beside the target, fsync it, rename over the target,
 * then fsync the directory. A kill at any instant leaves either the old or the new file, never half of one.
 * A failed write (disk full) removes its temp file; temp files of crashed processes are removed at the
 * next start ({@link removeOrphanTempFiles}).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = tempName(file);
  try {
    const handle = await fs.open(tmp, 'w', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

/** Synchronous twin of {@link writeFileAtomic}, for shutdown paths where the event loop is ending. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, mode?: number): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = tempName(file);
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Removes temp files and readiness probes left in `dir` by processes that no longer run (a crash or a
 * full disk). Files of live processes (another instance, a running import) are left alone.
 */
export async function removeOrphanTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = /^\..+\.(\d+)\.[0-9a-f-]{36}\.tmp$/.exec(name) ?? /^\.ready-probe-(\d+)(?:-[\w-]+)?$/.exec(name);
    if (!m) continue;
    if (isAlive(Number(m[1]))) continue;
    await fs.rm(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const h = await fs.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  }
}
