import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../../storage/atomic-file.ts';
import type { Logger } from '../../observability/logger.ts';
import { TtlCache } from './cache.ts';
import { shortHash } from './util.ts';

const fileSchema = z.object({ version: z.literal(1), seen: z.record(z.string(), z.number()) });

/**
 * Remembers which events were already handled (platforms retry deliveries), bounded in size and
 * time, and kept in a small JSON file so a restart does not answer a retried event twice.
 * Keys are hashed before they are stored. Writes are coalesced and atomic.
 */
export class SeenStore {
  private readonly cache: TtlCache<true>;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private dirty = false;

  constructor(
    private readonly file: string | null,
    private readonly logger: Logger,
    opts: { maxSize?: number; ttlMs?: number; flushDelayMs?: number } = {},
  ) {
    this.cache = new TtlCache<true>(opts.maxSize ?? 10_000, opts.ttlMs ?? 24 * 3600_000);
    this.flushDelayMs = opts.flushDelayMs ?? 200;
    this.load();
  }

  private readonly flushDelayMs: number;

  private load(): void {
    if (!this.file) return;
    let raw: string;
    try {
      raw = readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    try {
      const parsed = fileSchema.parse(JSON.parse(raw));
      const now = Date.now();
      for (const [k, exp] of Object.entries(parsed.seen).sort((a, b) => a[1] - b[1])) if (exp > now) this.cache.set(k, true, exp);
    } catch (err) {
      this.logger.warn({ file: this.file, err: (err as Error).message }, 'ignoring unreadable de-duplication file');
    }
  }

  /** Marks `key` as seen; returns false when it had already been seen (a replay). */
  markNew(key: string): boolean {
    const k = shortHash(key);
    if (this.cache.has(k)) return false;
    this.cache.set(k, true);
    this.schedule();
    return true;
  }

  private schedule(): void {
    if (!this.file) return;
    this.dirty = true;
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.write();
    }, this.flushDelayMs);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    if (!this.file || !this.dirty) return;
    this.dirty = false;
    const seen: Record<string, number> = {};
    for (const [k, , exp] of this.cache.entries()) seen[k] = exp;
    this.writing = writeFileAtomic(this.file, JSON.stringify({ version: 1, seen }))
      .catch((err) => this.logger.warn({ err: (err as Error).message }, 'could not save de-duplication file'))
      .finally(() => {
        this.writing = null;
      });
    await this.writing;
    if (this.dirty) this.schedule();
  }

  /** Writes pending changes now (shutdown). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.writing) await this.writing;
    if (this.dirty) await this.write();
  }
}
