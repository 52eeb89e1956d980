import { createHash } from 'node:crypto';
import type { TurnObserver } from '../domain/turn-observer.ts';
import type { Logger } from '../observability/logger.ts';
import type { PgDatabase } from '../storage/pg/database.ts';
import type { StoreHealth } from '../storage/types.ts';
import type { Clock } from '../time/clock.ts';
import { Triage } from './triage.ts';
import { INBOX_CAP, type DayUsage, type InboxItem, type LearningStore, type UsageSum } from './types.ts';

/** Pending changes are written at least this often. */
const FLUSH_MS = 250;
/** Most pending inbox items kept while the database is unreachable (the oldest are dropped beyond it). */
const MAX_PENDING_ITEMS = 2_000;

/** Identity of an inbox item, so the same item written twice (a retry, an import run again) is kept once. */
export function inboxFingerprint(item: InboxItem): string {
  return createHash('sha256')
    .update(JSON.stringify([item.at, item.channel, item.kind, item.topic, item.confidence, item.text]))
    .digest('hex')
    .slice(0, 32);
}

/** One count: day, dimension ('total', 'answered', 'topic', 'channel'), name. */
type CountKey = string;

/**
 * The inbox and usage figures in `inbox_items` and `usage_counts`, shared by every instance, so `/hopthu`, the
 * admin page and `npm run inbox` show what all instances saw.
 *
 * The engine's observer is synchronous and must never slow a turn: it only adds to pending counts and items,
 * which are written every 250 ms in one transaction (usage as increments, so instances never overwrite each
 * other; items with a fingerprint, so a retried write is kept once). While the database is unreachable the
 * pending changes are kept (bounded) and written when it is back; a process crash loses at most 250 ms of
 * counts, like the file store's journal delay. The inbox keeps the newest 5,000 items.
 */
export class PgLearningStore implements LearningStore {
  private readonly triage = new Triage();
  private counts = new Map<CountKey, number>();
  private items: InboxItem[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private lastError: string | null = null;
  private lastWarnMono = Number.NEGATIVE_INFINITY;
  private inserted = 0;

  constructor(
    private readonly db: PgDatabase,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {}

  readonly observer: TurnObserver = ({ incoming, result, at }) => {
    const rec = this.triage.record(incoming, result, at);
    this.count(rec.day, 'total', '');
    if (rec.answered) this.count(rec.day, 'answered', '');
    this.count(rec.day, 'topic', rec.topic);
    this.count(rec.day, 'channel', rec.channel);
    for (const item of rec.items) this.items.push(item);
    if (this.items.length > MAX_PENDING_ITEMS) this.items.splice(0, this.items.length - MAX_PENDING_ITEMS);
    this.schedule();
  };

  async inbox(sinceIso?: string): Promise<InboxItem[]> {
    await this.flush().catch(() => undefined);
    const r = await this.db.query<InboxItem & { confidence: number }>(
      `SELECT at, channel, kind, topic, confidence, text FROM (
         SELECT id, at, channel, kind, topic, confidence, text FROM inbox_items ORDER BY id DESC LIMIT $1
       ) newest WHERE ($2::text IS NULL OR at >= $2) ORDER BY id`,
      [INBOX_CAP, sinceIso ?? null],
    );
    return r.rows.map((row) => ({ ...row, confidence: Number(row.confidence) }));
  }

  async usageBetween(from: string, to: string): Promise<UsageSum> {
    await this.flush().catch(() => undefined);
    const r = await this.db.query<{ day: string; dim: string; name: string; n: string }>(
      'SELECT day, dim, name, n FROM usage_counts WHERE day >= $1 AND day <= $2',
      [from, to],
    );
    const sum: UsageSum = { total: 0, answered: 0, byTopic: {}, byChannel: {}, days: 0 };
    const days = new Set<string>();
    for (const row of r.rows) {
      const n = Number(row.n);
      days.add(row.day);
      if (row.dim === 'total') sum.total += n;
      else if (row.dim === 'answered') sum.answered += n;
      else if (row.dim === 'topic') sum.byTopic[row.name] = (sum.byTopic[row.name] ?? 0) + n;
      else if (row.dim === 'channel') sum.byChannel[row.name] = (sum.byChannel[row.name] ?? 0) + n;
    }
    sum.days = days.size;
    return sum;
  }

  /** Writes pending counts and items now (shutdown, tests, before reading). Rejects when the database is unreachable. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.writing) await this.writing.catch(() => undefined);
    if (!this.counts.size && !this.items.length) return;
    this.writing = this.write().finally(() => {
      this.writing = null;
    });
    await this.writing;
  }

  async close(): Promise<void> {
    await this.flush().catch((err) => this.warn(err));
  }

  async health(): Promise<StoreHealth> {
    const db = await this.db.health();
    if (db.state !== 'ok') return db;
    if (this.lastError) return { state: 'degraded', detail: `learning: cannot write (${this.lastError})` };
    return { state: 'ok' };
  }

  /**
   * Adds a day's totals and inbox items taken from the file store (`npm run db -- import-files`). Counts are
   * set, not added, and items are keyed by fingerprint, so running the import twice changes nothing.
   */
  async importFiles(usage: Map<string, DayUsage>, items: InboxItem[]): Promise<{ days: number; items: number }> {
    let added = 0;
    await this.db.transaction(async (c) => {
      for (const [day, u] of usage) {
        const rows: Array<[string, string, number]> = [
          ['total', '', u.total],
          ['answered', '', u.answered],
          ...Object.entries(u.byTopic).map(([k, n]) => ['topic', k, n] as [string, string, number]),
          ...Object.entries(u.byChannel).map(([k, n]) => ['channel', k, n] as [string, string, number]),
        ];
        for (const [dim, name, n] of rows) {
          await c.query(
            'INSERT INTO usage_counts (day, dim, name, n) VALUES ($1, $2, $3, $4) ON CONFLICT (day, dim, name) DO UPDATE SET n = GREATEST(usage_counts.n, EXCLUDED.n)',
            [day, dim, name, n],
          );
        }
      }
      for (const item of items) {
        const r = await c.query(
          'INSERT INTO inbox_items (fingerprint, at, channel, kind, topic, confidence, text) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (fingerprint) DO NOTHING',
          [inboxFingerprint(item), item.at, item.channel, item.kind, item.topic, item.confidence, item.text],
        );
        added += r.rowCount ?? 0;
      }
    });
    return { days: usage.size, items: added };
  }

  private count(day: string, dim: string, name: string): void {
    const k = JSON.stringify([day, dim, name]);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  private schedule(): void {
    if (this.timer || this.writing) return;
    // While the database is unreachable, retry every few seconds rather than four times a second.
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.flush().catch((err) => {
          this.warn(err);
          this.schedule();
        });
      },
      this.lastError ? 5_000 : FLUSH_MS,
    );
    this.timer.unref?.();
  }

  private async write(): Promise<void> {
    const counts = this.counts;
    const items = this.items;
    this.counts = new Map();
    this.items = [];
    try {
      await this.db.transaction(async (c) => {
        if (counts.size) {
          const keys = [...counts.keys()].map((k) => JSON.parse(k) as [string, string, string]);
          await c.query(
            `INSERT INTO usage_counts (day, dim, name, n)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
             ON CONFLICT (day, dim, name) DO UPDATE SET n = usage_counts.n + EXCLUDED.n`,
            [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2]), [...counts.values()]],
          );
        }
        if (items.length) {
          await c.query(
            `INSERT INTO inbox_items (fingerprint, at, channel, kind, topic, confidence, text)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[])
             ON CONFLICT (fingerprint) DO NOTHING`,
            [
              items.map(inboxFingerprint),
              items.map((i) => i.at),
              items.map((i) => i.channel),
              items.map((i) => i.kind),
              items.map((i) => i.topic),
              items.map((i) => i.confidence),
              items.map((i) => i.text),
            ],
          );
        }
      });
      this.lastError = null;
      this.inserted += items.length;
      if (this.inserted >= 100) {
        this.inserted = 0;
        await this.db
          .query('DELETE FROM inbox_items WHERE id <= (SELECT id FROM inbox_items ORDER BY id DESC OFFSET $1 LIMIT 1)', [INBOX_CAP])
          .catch(() => undefined);
      }
    } catch (err) {
      // Keep what could not be written (merged with what arrived meanwhile) and try again later.
      for (const [k, n] of counts) this.counts.set(k, (this.counts.get(k) ?? 0) + n);
      this.items = [...items, ...this.items].slice(-MAX_PENDING_ITEMS);
      this.lastError = (err as Error).message.slice(0, 120);
      throw err;
    }
  }

  private warn(err: unknown): void {
    const now = this.clock.monotonicMs();
    if (now - this.lastWarnMono < 30_000) return;
    this.lastWarnMono = now;
    this.logger?.warn({ err: (err as Error).message.slice(0, 200) }, 'learning figures not written yet; kept and retried');
  }
}
