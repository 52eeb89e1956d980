import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { DedupStore } from '../types.ts';
import type { Clock } from '../../time/clock.ts';
import { writeFileAtomic } from '../atomic-file.ts';
import { CoalescedWriter } from '../coalesced-writer.ts';

/** Most marks kept per scope; see {@link FileDedupStore} for why this bound is safe. */
export const DEFAULT_MAX_MARKS = 200_000;

const fileSchema = z.object({ version: z.literal(1), seen: z.record(z.string(), z.number()) });

/** Stored form of an event id: never the raw platform id (which may embed a user id). Same hash as the files written before. */
export function hashEventId(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 24);
}

interface Scope {
  /** Hashed id → expiry (epoch ms of real time), in the order the marks were made. */
  readonly marks: Map<string, number>;
  readonly writer: CoalescedWriter;
}

/** Tuning of {@link FileDedupStore}. */
export interface FileDedupOptions {
  maxMarksPerScope?: number;
  /** Delay that coalesces many marks into one write (default 500 ms). */
  flushDelayMs?: number;
  /** Told when a file cannot be read or written (the store keeps working in memory). */
  warn?: (message: string, extra?: Record<string, unknown>) => void;
}

/**
 * Handled platform events, remembered by time window, one file per scope under `DATA_DIR`
 * (`zalo-oa-seen.json`, `zalo-bot-seen.json`, `telegram-seen.json`) so a restart does not answer a retried
 * delivery twice.
 *
 * Why by time and not by count: a replay must be refused for the whole window whatever the number of other
 * events meanwhile (an attacker or a flood cannot push a handled id out). Marks are dropped only when they
 * expire; the size bound (200,000 per scope by default) is a memory guard far above the traffic one
 * commune's machine sees in a window, and channels that check signed timestamps refuse anything older than
 * their window anyway. Ids are hashed before they are kept. Writes are coalesced and atomic; expired marks
 * are dropped on load, on write, and a few at a time on each mark (they sit at the front of the map).
 */
export class FileDedupStore implements DedupStore {
  private readonly scopes = new Map<string, Promise<Scope>>();
  private readonly maxMarks: number;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly clock: Clock,
    private readonly opts: FileDedupOptions = {},
  ) {
    this.maxMarks = opts.maxMarksPerScope ?? DEFAULT_MAX_MARKS;
  }

  /** File of a scope: `<scope>-seen.json`. */
  static fileFor(dir: string, scope: string): string {
    if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(scope)) throw new Error(`invalid de-duplication scope "${scope}"`);
    return path.join(dir, `${scope}-seen.json`);
  }

  async markNew(scope: string, id: string, ttlMs: number): Promise<boolean> {
    const s = await this.open(scope);
    const now = this.clock.nowMs();
    this.sweep(s, now, 8);
    const key = hashEventId(id);
    const expires = s.marks.get(key);
    if (expires !== undefined && expires > now) return false;
    s.marks.delete(key);
    s.marks.set(key, now + ttlMs);
    if (s.marks.size > this.maxMarks) {
      s.marks.delete(s.marks.keys().next().value as string);
      this.opts.warn?.('de-duplication store full: oldest mark dropped', { scope, max: this.maxMarks });
    }
    s.writer.markDirty();
    return true;
  }

  async forget(scope: string, id: string): Promise<void> {
    const s = await this.open(scope);
    if (s.marks.delete(hashEventId(id))) s.writer.markDirty();
  }

  async flush(): Promise<void> {
    for (const s of this.scopes.values()) await (await s).writer.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** Live marks of a scope as stored (hashed id → expiry), for `npm run db -- import-files`. */
  async marks(scope: string): Promise<Array<[string, number]>> {
    const s = await this.open(scope);
    this.sweep(s, this.clock.nowMs(), Number.POSITIVE_INFINITY);
    return [...s.marks];
  }

  /** Live marks of a scope (tests, health). */
  async size(scope: string): Promise<number> {
    const s = await this.open(scope);
    this.sweep(s, this.clock.nowMs(), Number.POSITIVE_INFINITY);
    return s.marks.size;
  }

  private open(scope: string): Promise<Scope> {
    if (this.closed) throw new Error('de-duplication store closed');
    let s = this.scopes.get(scope);
    if (!s) {
      s = this.load(FileDedupStore.fileFor(this.dir, scope));
      this.scopes.set(scope, s);
    }
    return s;
  }

  private async load(file: string): Promise<Scope> {
    const marks = new Map<string, number>();
    const writer = new CoalescedWriter(
      () => {
        const now = this.clock.nowMs();
        const seen: Record<string, number> = {};
        for (const [k, exp] of marks) if (exp > now) seen[k] = exp;
        return writeFileAtomic(file, JSON.stringify({ version: 1, seen }));
      },
      this.opts.flushDelayMs ?? 500,
      (err) => this.opts.warn?.('could not save de-duplication file', { file: path.basename(file), err: err.message }),
    );
    let raw: string | undefined;
    try {
      raw = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.opts.warn?.('could not read de-duplication file', { file: path.basename(file) });
    }
    if (raw !== undefined) {
      try {
        const now = this.clock.nowMs();
        const live = Object.entries(fileSchema.parse(JSON.parse(raw)).seen).filter(([, exp]) => exp > now);
        // Oldest expiry first, so the front of the map is always the next to expire.
        for (const [k, exp] of live.sort((a, b) => a[1] - b[1]).slice(-this.maxMarks)) marks.set(k, exp);
      } catch (err) {
        this.opts.warn?.('ignoring unreadable de-duplication file', {
          file: path.basename(file),
          err: (err as Error).message.slice(0, 200),
        });
      }
    }
    return { marks, writer };
  }

  /** Drops up to `max` expired marks from the front (marks are made in time order). */
  private sweep(s: Scope, now: number, max: number): void {
    for (const [k, exp] of s.marks) {
      if (max-- <= 0 || exp > now) return;
      s.marks.delete(k);
      s.writer.markDirty();
    }
  }
}
