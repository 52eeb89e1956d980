import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../storage/atomic-file.ts';
import { CoalescedWriter } from '../../storage/coalesced-writer.ts';
import { CALLBACK_DATA_MAX_BYTES } from './render.ts';

/**
 * Telegram limits callback_data to 64 bytes. Payloads that fit are sent as they are; longer ones
 * (and any that start with the marker) are replaced by a short, deterministic id ("~" + 22 base64url
 * characters of a SHA-256) remembered in memory and in `telegram-callbacks.json`, so buttons sent
 * before a restart keep working. Payloads are button identifiers, not personal data.
 */
export class CallbackDataStore {
  static readonly FILE = 'telegram-callbacks.json';
  private static readonly MARK = '~';
  private readonly map = new Map<string, string>();
  private readonly writer: CoalescedWriter | null;

  constructor(
    file: string | null,
    private readonly maxEntries = 20_000,
    onError: (err: unknown) => void = () => {},
  ) {
    const target = file;
    this.writer = target
      ? new CoalescedWriter(
          () => writeFileAtomic(target, JSON.stringify({ version: 1, entries: Object.fromEntries(this.map) })),
          100,
          onError,
        )
      : null;
    if (!file) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; entries?: Record<string, unknown> };
      for (const [id, payload] of Object.entries(data.entries ?? {})) {
        if (typeof payload === 'string' && id.startsWith(CallbackDataStore.MARK)) this.map.set(id, payload);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onError(err);
    }
  }

  /** Opens (or creates lazily) the store under a data folder. */
  static inDir(dataDir: string | undefined, onError?: (err: unknown) => void): CallbackDataStore {
    return new CallbackDataStore(dataDir ? path.join(dataDir, CallbackDataStore.FILE) : null, 20_000, onError);
  }

  /** callback_data for a payload (≤ 64 bytes). */
  encode(payload: string): string {
    if (Buffer.byteLength(payload, 'utf8') <= CALLBACK_DATA_MAX_BYTES && !payload.startsWith(CallbackDataStore.MARK)) return payload;
    const id = CallbackDataStore.MARK + createHash('sha256').update(payload).digest('base64url').slice(0, 22);
    if (this.map.get(id) !== payload) {
      this.map.delete(id);
      this.map.set(id, payload);
      while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
      this.markDirty();
    }
    return id;
  }

  /** The payload behind callback_data, or undefined for an unknown (expired) short id. */
  decode(data: string): string | undefined {
    if (!data.startsWith(CallbackDataStore.MARK)) return data;
    return this.map.get(data);
  }

  get size(): number {
    return this.map.size;
  }

  private markDirty(): void {
    this.writer?.markDirty();
  }

  /** Writes pending changes now (shutdown). */
  async flush(): Promise<void> {
    await this.writer?.flush();
  }
}
