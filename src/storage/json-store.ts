import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import type { z } from 'zod';
import { writeFileAtomic } from './atomic-file.ts';
import { systemClock } from '../time/clock.ts';

/** Something that wants to hear about a store file that had to be set aside at start. */
export type StoreWarn = (message: string, extra?: Record<string, unknown>) => void;

/**
 * lowdb adapter that writes atomically (temp + fsync + rename) and validates on read.
 * A file that is not valid JSON, or does not match the schema, is moved aside as
 * `<name>.corrupt-<timestamp>` and reported; the store then starts from the fallback
 * (the last good data the caller knows, or empty) instead of crashing.
 */
export class SafeJsonAdapter<T> implements Adapter<T> {
  constructor(
    private readonly file: string,
    private readonly schema: z.ZodType<T>,
    private readonly warn: StoreWarn = () => {},
  ) {}

  async read(): Promise<T | null> {
    if (!existsSync(this.file)) return null;
    const raw = await fs.readFile(this.file, 'utf8');
    try {
      const parsed = this.schema.safeParse(JSON.parse(raw));
      if (parsed.success) return parsed.data;
      await this.setAside(`schema: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    } catch (err) {
      await this.setAside(`json: ${(err as Error).message}`);
    }
    return null;
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(data));
  }

  private async setAside(reason: string): Promise<void> {
    const stamp = systemClock.now().toISOString().replace(/[:.]/g, '-');
    const aside = `${this.file}.corrupt-${stamp}`;
    await fs.rename(this.file, aside);
    this.warn(`store file ${path.basename(this.file)} was corrupt and has been moved aside`, { aside, reason });
  }
}

/** Opens a lowdb database at `file`, validated by `schema`, starting from `fallback` when absent or corrupt. */
export async function openJsonStore<T>(file: string, schema: z.ZodType<T>, fallback: T, warn?: StoreWarn): Promise<Low<T>> {
  const db = new Low<T>(new SafeJsonAdapter(file, schema, warn), fallback);
  await db.read();
  return db;
}
