import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../../storage/atomic-file.ts';
import { CoalescedWriter } from '../../storage/coalesced-writer.ts';
import type { Logger } from '../../observability/logger.ts';
import { TtlCache } from './cache.ts';
import { shortHash } from './util.ts';
import { systemClock, type Clock } from '../../time/clock.ts';

const fileSchema = z.object({ version: z.literal(1), seen: z.record(z.string(), z.number()) });

/**
 * Remembers which events were already handled (platforms retry deliveries), bounded in size and
 * time, and kept in a small JSON file so a restart does not answer a retried event twice.
 * Keys are hashed before they are stored. Writes are coalesced and atomic.
 */
export class SeenStore {
  private readonly cache: TtlCache<true>;
  private readonly writer: CoalescedWriter | null;
  private readonly clock: Clock;

  constructor(
    private readonly file: string | null,
    private readonly logger: Logger,
    opts: { maxSize?: number; ttlMs?: number; flushDelayMs?: number; clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.cache = new TtlCache<true>(opts.maxSize ?? 10_000, opts.ttlMs ?? 24 * 3600_000, () => this.clock.nowMs());
    const target = file;
    this.writer = target
      ? new CoalescedWriter(
          () => {
            const seen: Record<string, number> = {};
            for (const [k, , exp] of this.cache.entries()) seen[k] = exp;
            return writeFileAtomic(target, JSON.stringify({ version: 1, seen }));
          },
          opts.flushDelayMs ?? 200,
          (err) => this.logger.warn({ err: err.message }, 'could not save de-duplication file'),
        )
      : null;
    this.load();
  }

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
      const now = this.clock.nowMs();
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
    this.writer?.markDirty();
  }

  /** Writes pending changes now (shutdown). */
  async flush(): Promise<void> {
    await this.writer?.flush();
  }
}
