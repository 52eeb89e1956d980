import { promises as fs } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { SecretLoad, SecretStore, SecretValidator } from '../types.ts';
import type { Clock } from '../../time/clock.ts';
import { KeyedQueue } from '../../util/keyed-queue.ts';
import { withFileLock } from './file-lock.ts';

/** Defined beside the other store interfaces; re-exported for existing imports. */
export type { SecretValidator };

/** Rotation locks of this process, per file, shared by every store object opened on that file. */
const processLocks = new KeyedQueue();
/** Saves of this process, per file, so two saves never interleave their copy-then-replace steps. */
const processWrites = new KeyedQueue();

type Copy<T> = { kind: 'absent' } | { kind: 'bad'; reason: string } | { kind: 'ok'; value: T; raw: string };

/**
 * A small rotated secret (the Zalo OA tokens) in one JSON file under `DATA_DIR`, e.g. `zalo-oa-tokens.json`.
 *
 * Why so careful: a Zalo refresh token is single use, so losing the rotated one means an OA administrator
 * must authorise the app again. Hence:
 * - every write is durable before `save` resolves: a temp file created with mode 600, fsync, rename over the
 *   target, fsync of the folder;
 * - the current good copy is first kept as `<name>.prev` (same care), so a damaged current copy falls back
 *   to the previous one (`fromBackup: true`) and never to seed values from the environment;
 * - both copies damaged → `unreadable`, and the caller says plainly that re-authorisation is needed;
 * - `withLock` serialises rotations in this process and across processes (a `<name>.lock` file created with
 *   `fs.open(…, 'wx')`; a lock left by a dead process is recovered), so a refresh happens once even with
 *   several instances on the same folder.
 *
 * The file holds the value as plain JSON, the format written before this store existed, so old files are read.
 */
export class FileSecretStore<T> implements SecretStore<T> {
  readonly file: string;

  constructor(
    file: string,
    private readonly clock: Clock,
    private readonly opts: { validate?: SecretValidator; lockTimeoutMs?: number } = {},
  ) {
    this.file = path.resolve(file);
  }

  /** The previous good copy. */
  get previousFile(): string {
    return `${this.file}.prev`;
  }

  async load(): Promise<SecretLoad<T>> {
    const current = await this.read(this.file);
    if (current.kind === 'ok') return { status: 'ok', value: current.value, fromBackup: false };
    const previous = await this.read(this.previousFile);
    if (previous.kind === 'ok') return { status: 'ok', value: previous.value, fromBackup: true };
    if (current.kind === 'absent' && previous.kind === 'absent') return { status: 'absent' };
    const reason = [
      current.kind === 'bad' ? `current copy: ${current.reason}` : 'current copy missing',
      previous.kind === 'bad' ? `previous copy: ${previous.reason}` : 'previous copy missing',
    ].join('; ');
    return { status: 'unreadable', reason };
  }

  save(value: T): Promise<void> {
    return processWrites.run(this.file, async () => {
      const text = JSON.stringify(value, null, 2);
      const current = await this.read(this.file);
      // Keep the last good copy only: a damaged current file must not replace a good previous one.
      if (current.kind === 'ok') await writeDurable(this.previousFile, current.raw);
      await writeDurable(this.file, text);
    });
  }

  withLock<R>(task: () => Promise<R>): Promise<R> {
    return processLocks.run(this.file, () =>
      withFileLock(`${this.file}.lock`, task, { clock: this.clock, timeoutMs: this.opts.lockTimeoutMs ?? 30_000 }),
    );
  }

  private async read(file: string): Promise<Copy<T>> {
    let raw: string;
    try {
      raw = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
      return { kind: 'bad', reason: `not readable (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return { kind: 'bad', reason: 'not valid JSON' };
    }
    if (value === null || typeof value !== 'object') return { kind: 'bad', reason: 'not a JSON object' };
    if (this.opts.validate && !this.opts.validate(value)) return { kind: 'bad', reason: 'unexpected content' };
    return { kind: 'ok', value: value as T, raw };
  }
}

/** Writes `data` durably with mode 600: temp file, fsync, rename over `file`, fsync of the folder. */
async function writeDurable(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomUUID()}.tmp`);
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await fs.rename(tmp, file);
  // A file written before this store existed may have wider permissions: the rename replaced it, but be sure.
  await fs.chmod(file, 0o600).catch(() => undefined);
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Some file systems refuse fsync on folders; the rename is still atomic.
  }
}
