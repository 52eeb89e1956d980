import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { StoreHealth } from '../storage/types.ts';
import type { TurnObserver } from '../domain/turn-observer.ts';
import { Journal } from '../storage/file/journal.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import { Triage } from './triage.ts';
import { dayUsageSchema, INBOX_CAP, inboxItemSchema, type DayUsage, type InboxItem, type LearningStore, type UsageSum } from './types.ts';

/** Items beyond INBOX_CAP kept until the inbox is trimmed (once per this many, not on every turn). */
const INBOX_SLACK = 500;

const recordSchema = z.union([
  // One turn counted (appended).
  z.object({ t: z.literal('u'), day: z.string(), topic: z.string(), channel: z.string(), answered: z.boolean() }),
  // A day's totals (snapshots).
  z.object({ t: z.literal('U'), day: z.string(), usage: dayUsageSchema }),
  z.object({ t: z.literal('i'), item: inboxItemSchema }),
]);
type LearningRecord = z.infer<typeof recordSchema>;

/**
 * The inbox and usage figures in `DATA_DIR/learning.jsonl` plus an append-only log: a turn costs one
 * short appended line, never a rewrite of the whole inbox. Counts reach the operating system within
 * the journal's flush delay (a process crash loses at most that much).
 */
export class FileLearningStore implements LearningStore {
  private readonly items: InboxItem[] = [];
  private readonly usage = new Map<string, DayUsage>();
  private readonly triage = new Triage();
  private damaged = 0;

  private constructor(private readonly journal: Journal<LearningRecord>) {}

  static async open(dataDir: string, warn?: (m: string, e?: Record<string, unknown>) => void, clock: Clock = systemClock) {
    const { journal, load } = await Journal.open<LearningRecord>({ dir: dataDir, name: 'learning', schema: recordSchema, clock, warn });
    const store = new FileLearningStore(journal);
    store.damaged = load.rejected.length + load.movedAside.length;
    for (const r of load.records) store.apply(r);
    if (await store.migrateLegacy(dataDir, clock, warn)) await store.compact();
    return store;
  }

  /** Reads a `learning.json` written by version 0.1 once, then removes it. */
  private async migrateLegacy(dataDir: string, clock: Clock, warn?: (m: string, e?: Record<string, unknown>) => void): Promise<boolean> {
    const legacy = path.join(dataDir, 'learning.json');
    if (!existsSync(legacy)) return false;
    try {
      const doc = z
        .object({ inbox: z.array(inboxItemSchema), usage: z.record(z.string(), dayUsageSchema) })
        .parse(JSON.parse(readFileSync(legacy, 'utf8')));
      for (const item of doc.inbox) this.apply({ t: 'i', item });
      for (const [day, usage] of Object.entries(doc.usage)) if (!this.usage.has(day)) this.apply({ t: 'U', day, usage });
      await fs.rm(legacy);
      return true;
    } catch (err) {
      const aside = `${legacy}.corrupt-${clock.now().toISOString().replace(/[:.]/g, '-')}`;
      await fs.rename(legacy, aside).catch(() => undefined);
      warn?.('learning.json could not be read; moved aside', { aside, err: (err as Error).message });
      this.damaged++;
      return false;
    }
  }

  private apply(r: LearningRecord): void {
    if (r.t === 'i') {
      this.items.push(r.item);
      // Trimmed in batches: cutting the oldest item off a full inbox on every turn moved 5,000 items each time.
      // Readers see only the newest INBOX_CAP (see kept()).
      if (this.items.length > INBOX_CAP + INBOX_SLACK) this.items.splice(0, this.items.length - INBOX_CAP);
    } else if (r.t === 'U') {
      this.usage.set(r.day, structuredClone(r.usage));
    } else {
      const u = this.usage.get(r.day) ?? { total: 0, answered: 0, byTopic: {}, byChannel: {} };
      u.total++;
      if (r.answered) u.answered++;
      u.byTopic[r.topic] = (u.byTopic[r.topic] ?? 0) + 1;
      u.byChannel[r.channel] = (u.byChannel[r.channel] ?? 0) + 1;
      this.usage.set(r.day, u);
    }
  }

  /** The newest INBOX_CAP items (the array may hold up to INBOX_SLACK more until the next trim). */
  private kept(): InboxItem[] {
    return this.items.length > INBOX_CAP ? this.items.slice(-INBOX_CAP) : this.items;
  }

  private add(r: LearningRecord): void {
    this.apply(r);
    this.journal.append(r);
  }

  readonly observer: TurnObserver = ({ incoming, result, at }) => {
    const rec = this.triage.record(incoming, result, at);
    this.add({ t: 'u', day: rec.day, topic: rec.topic, channel: rec.channel, answered: rec.answered });
    for (const item of rec.items) this.add({ t: 'i', item });
    if (this.journal.needsCompaction()) void this.compact();
  };

  async inbox(sinceIso?: string): Promise<InboxItem[]> {
    const items = this.kept();
    return sinceIso ? items.filter((i) => i.at >= sinceIso) : [...items];
  }

  async usageBetween(from: string, to: string): Promise<UsageSum> {
    const sum: UsageSum = { total: 0, answered: 0, byTopic: {}, byChannel: {}, days: 0 };
    for (const [day, u] of this.usage) {
      if (day < from || day > to) continue;
      sum.days++;
      sum.total += u.total;
      sum.answered += u.answered;
      for (const [k, v] of Object.entries(u.byTopic)) sum.byTopic[k] = (sum.byTopic[k] ?? 0) + v;
      for (const [k, v] of Object.entries(u.byChannel)) sum.byChannel[k] = (sum.byChannel[k] ?? 0) + v;
    }
    return sum;
  }

  /** Usage figures of every day kept (`npm run db -- import-files`). */
  usageDays(): Map<string, DayUsage> {
    return new Map([...this.usage].map(([day, u]) => [day, structuredClone(u)]));
  }

  private compact(): Promise<void> {
    const records: LearningRecord[] = [];
    for (const [day, usage] of this.usage) records.push({ t: 'U', day, usage: structuredClone(usage) });
    for (const item of this.kept()) records.push({ t: 'i', item });
    return this.journal.compact(records);
  }

  flush(): Promise<void> {
    return this.journal.flush();
  }

  close(): Promise<void> {
    return this.journal.close();
  }

  async health(): Promise<StoreHealth> {
    if (this.journal.lastError) return { state: 'degraded', detail: `learning: cannot write (${this.journal.lastError})` };
    if (this.damaged) return { state: 'degraded', detail: `learning: ${this.damaged} damaged record(s) set aside` };
    return { state: 'ok' };
  }
}
