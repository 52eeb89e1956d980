import { existsSync, promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { removeOrphanTempFiles, writeFileAtomic } from '../atomic-file.ts';
import { systemClock, type Clock } from '../../time/clock.ts';

/** A record that could not be read back, set aside with where it was and why. */
export interface RejectedRecord {
  file: string;
  line: number;
  reason: string;
}

/** What opening a journal found on disk. */
export interface JournalLoad<R> {
  /** Records in the order they were written: the snapshot's, then the log's. */
  records: R[];
  /** Bad records, set aside in `<name>.rejected.jsonl` (the rest are kept). */
  rejected: RejectedRecord[];
  /** What had to be moved aside whole (a directory where a file should be, an unreadable file). */
  movedAside: string[];
}

export interface JournalOptions<R> {
  /** Folder (DATA_DIR). */
  dir: string;
  /** Base name: files are `<name>.jsonl` (snapshot), `<name>.wal-<gen>.jsonl` (log), `<name>.rejected.jsonl`. */
  name: string;
  /** Validates each record read back. */
  schema: z.ZodType<R>;
  /** Buffered appends reach the operating system within this many milliseconds (default 50). */
  flushMs?: number;
  /** Forced to disk (fsync) at least this often while appending (default 1000 ms). */
  syncMs?: number;
  clock?: Clock;
  warn?: (message: string, extra?: Record<string, unknown>) => void;
}

const HEADER_KIND = 'journal-header';

/**
 * An append-only log with snapshots, for stores kept in files under DATA_DIR (sessions, the inbox and
 * usage figures). Why: rewriting a whole JSON file on every change makes each write cost as much as the
 * whole store and blocks the event loop; an append costs only the change.
 *
 * - `append` buffers a record; the buffer is written within `flushMs` (so a process crash loses at most
 *   that much) and forced to disk at least every `syncMs` (a power cut loses at most that much).
 * - `appendDurable` writes and fsyncs before it resolves, for changes that are acknowledged as done
 *   (erasing a conversation).
 * - `compact(records)` writes a snapshot of the owner's state and starts a new log generation; old
 *   generations are deleted afterwards. Replaying is safe at any crash point: the snapshot names the
 *   generation it includes, and later generations are replayed after it.
 * - A record that cannot be read back is set aside with its file, line and reason; the others are kept.
 */
export class Journal<R> {
  private buffer: string[] = [];
  private bufferBytes = 0;
  private gen = 1;
  private walFile = '';
  private walBytes = 0;
  private snapshotBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private lastSyncMono = 0;
  private unsynced = false;
  private closed = false;
  private compacting: Promise<void> | null = null;
  /** Last write error, for health reporting (null when the last write succeeded). */
  lastError: string | null = null;
  private readonly clock: Clock;
  private readonly flushMs: number;
  private readonly syncMs: number;

  private constructor(private readonly opts: JournalOptions<R>) {
    this.clock = opts.clock ?? systemClock;
    this.flushMs = opts.flushMs ?? 50;
    this.syncMs = opts.syncMs ?? 1000;
  }

  /**
   * Opens (creating the folder if needed) and reads everything back. Temporary files left by a compaction
   * that a killed process never finished are removed first (only those of processes no longer running).
   */
  static async open<R>(opts: JournalOptions<R>): Promise<{ journal: Journal<R>; load: JournalLoad<R> }> {
    await fs.mkdir(opts.dir, { recursive: true });
    await removeOrphanTempFiles(opts.dir);
    const j = new Journal(opts);
    const load = await j.read();
    return { journal: j, load };
  }

  private file(kind: 'snapshot' | 'rejected' | number): string {
    const base = path.join(this.opts.dir, this.opts.name);
    if (kind === 'snapshot') return `${base}.jsonl`;
    if (kind === 'rejected') return `${base}.rejected.jsonl`;
    return `${base}.wal-${kind}.jsonl`;
  }

  private async read(): Promise<JournalLoad<R>> {
    const out: JournalLoad<R> = { records: [], rejected: [], movedAside: [] };
    const snapshot = this.file('snapshot');
    let snapshotGen = 0;
    const snapText = await this.readText(snapshot, out);
    if (snapText !== null) {
      this.snapshotBytes = Buffer.byteLength(snapText);
      const lines = snapText.split('\n');
      lines.forEach((line, i) => {
        if (!line.trim()) return;
        if (i === 0) {
          const header = safeJson(line) as { kind?: string; gen?: number } | undefined;
          if (header?.kind === HEADER_KIND && Number.isInteger(header.gen)) {
            snapshotGen = header.gen as number;
            return;
          }
        }
        this.accept(line, snapshot, i + 1, out, false);
      });
    }
    // Log generations at or after the snapshot's, oldest first.
    const prefix = `${this.opts.name}.wal-`;
    const gens = readdirSync(this.opts.dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.jsonl'))
      .map((f) => Number(f.slice(prefix.length, -'.jsonl'.length)))
      .filter((g) => Number.isInteger(g) && g > 0)
      .sort((a, b) => a - b);
    for (const g of gens) {
      const walFile = this.file(g);
      if (g < snapshotGen) {
        await fs.rm(walFile, { force: true });
        continue;
      }
      const text = await this.readText(walFile, out);
      if (text === null) continue;
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        if (!line.trim()) return;
        // A torn last line is what a crash in the middle of a write leaves: expected, not damage.
        const torn = i === lines.length - 1 && !text.endsWith('\n');
        this.accept(line, walFile, i + 1, out, torn);
      });
    }
    this.gen = Math.max(snapshotGen, gens.at(-1) ?? 0, 1);
    this.walFile = this.file(this.gen);
    this.walBytes = existsSync(this.walFile) ? statSync(this.walFile).size : 0;
    if (out.rejected.length) await this.setAside(out.rejected.map((r) => ({ ...r, at: this.clock.now().toISOString() })));
    return out;
  }

  /** Reads a file, moving aside what cannot be read as a file (a directory, unreadable bytes). */
  private async readText(file: string, out: JournalLoad<R>): Promise<string | null> {
    let st: import('node:fs').Stats;
    try {
      st = statSync(file);
    } catch {
      return null;
    }
    if (!st.isFile()) {
      const aside = `${file}.unreadable-${this.clock.now().toISOString().replace(/[:.]/g, '-')}`;
      await fs.rename(file, aside);
      out.movedAside.push(aside);
      this.opts.warn?.(`${path.basename(file)} is not a file; moved aside`, { aside });
      return null;
    }
    return readFileSync(file, 'utf8');
  }

  private accept(line: string, file: string, lineNo: number, out: JournalLoad<R>, torn: boolean): void {
    const value = safeJson(line);
    if (value === undefined) {
      if (torn) {
        this.opts.warn?.('incomplete last record after a crash ignored', { file: path.basename(file), line: lineNo });
        return;
      }
      out.rejected.push({ file: path.basename(file), line: lineNo, reason: 'not JSON' });
      return;
    }
    const parsed = this.opts.schema.safeParse(value);
    if (parsed.success) out.records.push(parsed.data);
    else out.rejected.push({ file: path.basename(file), line: lineNo, reason: parsed.error.issues[0]?.message ?? 'invalid' });
  }

  private async setAside(items: Array<RejectedRecord & { at: string }>): Promise<void> {
    await fs.appendFile(this.file('rejected'), items.map((r) => JSON.stringify(r)).join('\n') + '\n');
    this.opts.warn?.(`${items.length} damaged record(s) set aside; the rest were kept`, {
      file: path.basename(this.file('rejected')),
    });
  }

  /** Buffers a record; it reaches the operating system within `flushMs`. */
  append(record: R): void {
    if (this.closed) return;
    const line = JSON.stringify(record) + '\n';
    this.buffer.push(line);
    this.bufferBytes += line.length;
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.writeBuffer(false);
      }, this.flushMs);
      this.timer.unref?.();
    }
  }

  /** Appends a record and forces it to disk before resolving. */
  async appendDurable(record: R): Promise<void> {
    this.append(record);
    await this.writeBuffer(true);
  }

  /** Writes the buffer now (and fsyncs it when `sync`, or when `syncMs` has passed). */
  private writeBuffer(sync: boolean): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // Take the buffer now: records appended from here on belong to the next write (and, during a
    // compaction, to the next generation).
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.bufferBytes = 0;
    const target = this.walFile;
    const run = this.writing.then(() => this.writeChunk(target, chunk, sync));
    this.writing = run.catch((err: Error) => {
      // Keep the records for the next attempt rather than dropping them.
      if (chunk) {
        this.buffer.unshift(chunk);
        this.bufferBytes += chunk.length;
      }
      this.lastError = err.message;
      this.opts.warn?.('journal write failed (will retry)', { file: path.basename(target), err: err.message });
      if (!this.timer && !this.closed) {
        this.timer = setTimeout(
          () => {
            this.timer = null;
            void this.writeBuffer(false);
          },
          Math.max(this.flushMs, 500),
        );
        this.timer.unref?.();
      }
    });
    return run;
  }

  private async writeChunk(target: string, chunk: string, sync: boolean): Promise<void> {
    if (!chunk) {
      if (sync && this.unsynced) await syncFile(target);
      this.unsynced = false;
      return;
    }
    const handle = await fs.open(target, 'a');
    try {
      await handle.writeFile(chunk);
      if (target === this.walFile) this.walBytes += Buffer.byteLength(chunk);
      this.unsynced = true;
      if (sync || this.clock.monotonicMs() - this.lastSyncMono >= this.syncMs) {
        await handle.sync();
        this.unsynced = false;
        this.lastSyncMono = this.clock.monotonicMs();
      }
      this.lastError = null;
    } finally {
      await handle.close();
    }
  }

  /** True when the log has grown past twice the snapshot (and 1 MB): time for `compact`. */
  needsCompaction(): boolean {
    return !this.compacting && this.walBytes + this.bufferBytes > Math.max(1 << 20, 2 * this.snapshotBytes);
  }

  /**
   * Writes `records` (the owner's whole state at this instant) as the new snapshot and starts a new
   * log generation. Later appends go to the new generation at once, so the caller may keep working.
   * The records must not be mutated afterwards (stores keep immutable values).
   */
  compact(records: readonly R[]): Promise<void> {
    if (this.compacting) return this.compacting;
    const oldGen = this.gen;
    // Everything buffered so far belongs to the old generation; switch before anything else is appended.
    const flushed = this.writeBuffer(true);
    this.gen = oldGen + 1;
    this.walFile = this.file(this.gen);
    this.walBytes = 0;
    const run = (async () => {
      await flushed;
      const parts: string[] = [JSON.stringify({ kind: HEADER_KIND, gen: this.gen })];
      for (let i = 0; i < records.length; i++) {
        parts.push(JSON.stringify(records[i]));
        // Serialise in slices so a large store never blocks the event loop for long.
        if (i % 2000 === 1999) await new Promise((r) => setImmediate(r));
      }
      const text = parts.join('\n') + '\n';
      await writeFileAtomic(this.file('snapshot'), text);
      this.snapshotBytes = Buffer.byteLength(text);
      for (let g = oldGen; g >= 1; g--) {
        const f = this.file(g);
        if (!existsSync(f)) break;
        await fs.rm(f, { force: true });
      }
    })().finally(() => {
      this.compacting = null;
    });
    this.compacting = run;
    return run;
  }

  /** Writes and fsyncs everything buffered. */
  async flush(): Promise<void> {
    await this.writeBuffer(true);
    if (this.compacting) await this.compacting;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

async function syncFile(file: string): Promise<void> {
  const h = await fs.open(file, 'a');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
