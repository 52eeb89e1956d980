import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { PayloadStore } from '../types.ts';
import { writeFileAtomic } from '../atomic-file.ts';
import { CoalescedWriter } from '../coalesced-writer.ts';

/** File of Telegram's long button payloads under `DATA_DIR` (the name README's Privacy section lists). */
export const PAYLOAD_FILE = 'telegram-callbacks.json';
/** Most payloads kept; the least recently used is forgotten beyond it (its button then says "nút đã cũ"). */
export const DEFAULT_MAX_PAYLOADS = 20_000;

/** Short id of a payload: 22 base64url characters of its SHA-256, so the same payload always gets the same id. */
export function payloadId(payload: string): string {
  return createHash('sha256').update(payload).digest('base64url').slice(0, 22);
}

/**
 * Button payloads too long for a platform's limit, kept under short stable ids in memory and in
 * `telegram-callbacks.json`, so buttons sent before a restart keep working. Bounded (20,000 by default,
 * least recently used dropped first). Callers store button identifiers whose text is already masked
 * (the Telegram adapter masks before `put`); this store only keeps what it is given.
 *
 * Reads the file format written before this store existed (`version: 1`, ids with a leading `~`).
 */
export class FilePayloadStore implements PayloadStore {
  private readonly map = new Map<string, string>();
  private readonly writer: CoalescedWriter;
  private loaded: Promise<void> | null = null;

  constructor(
    private readonly file: string,
    private readonly opts: {
      maxEntries?: number;
      flushDelayMs?: number;
      warn?: (message: string, extra?: Record<string, unknown>) => void;
    } = {},
  ) {
    this.writer = new CoalescedWriter(
      () => writeFileAtomic(this.file, JSON.stringify({ version: 2, entries: Object.fromEntries(this.map) })),
      opts.flushDelayMs ?? 100,
      (err) => opts.warn?.('could not save button payloads', { file: path.basename(file), err: err.message }),
    );
  }

  async put(payload: string): Promise<string> {
    await this.load();
    const id = payloadId(payload);
    const known = this.map.get(id);
    this.map.delete(id);
    this.map.set(id, payload); // most recently used last
    if (known !== payload) {
      const max = this.opts.maxEntries ?? DEFAULT_MAX_PAYLOADS;
      while (this.map.size > max) this.map.delete(this.map.keys().next().value as string);
      this.writer.markDirty();
    }
    return id;
  }

  async get(id: string): Promise<string | undefined> {
    await this.load();
    return this.map.get(id);
  }

  /** Every payload with its id, least recently used first (`npm run db -- import-files`). */
  async entries(): Promise<Array<[string, string]>> {
    await this.load();
    return [...this.map];
  }

  /** Number of payloads kept (tests). */
  async size(): Promise<number> {
    await this.load();
    return this.map.size;
  }

  async flush(): Promise<void> {
    await this.writer.flush();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      let raw: string;
      try {
        raw = await readFile(this.file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          this.opts.warn?.('could not read button payloads', { file: path.basename(this.file) });
        return;
      }
      try {
        const data = JSON.parse(raw) as { entries?: Record<string, unknown> };
        for (const [id, payload] of Object.entries(data.entries ?? {})) {
          if (typeof payload === 'string') this.map.set(id.startsWith('~') ? id.slice(1) : id, payload);
        }
      } catch (err) {
        this.opts.warn?.('ignoring unreadable button payload file', {
          file: path.basename(this.file),
          err: (err as Error).message.slice(0, 200),
        });
      }
    })();
    return this.loaded;
  }
}
