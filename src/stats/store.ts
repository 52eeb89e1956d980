import { existsSync, promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../observability/logger.ts';
import type { Areas } from './areas.ts';
import type { Catalog } from './catalog.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import { writeFileAtomic } from '../storage/atomic-file.ts';
import { withFileLock } from '../storage/file/file-lock.ts';
import type { StoreHealth } from '../storage/types.ts';
import { completeRow, storedFigureSchema, validateCsv, type FigureRow, type RowError, type StoredFigure } from './rows.ts';
import { FigureSet, planImport, type ImportSummary } from './figure-set.ts';

export type { ImportSummary };

export class ImportRejected extends Error {
  constructor(readonly errors: RowError[]) {
    super(`${errors.length} dòng lỗi; không nhập dòng nào`);
  }
}

/**
 * The statistics store, as the answers and the commands see it: sourced figures with their history. Two
 * implementations: {@link FileStatsStore} (`DATA_DIR/stats.jsonl`, the default) and `PgStatsStore`
 * (`stats_figures` in PostgreSQL, shared by several instances). Both validate every row, refuse a bad file
 * whole, keep replaced figures with `replaced_at`, serialise imports across processes, and report damage
 * found on reading as `degraded`.
 */
export interface StatsStore {
  /** Current (not replaced) figures for one area and indicator, oldest first. */
  figures(areaId: string, indicatorId: string): StoredFigure[];
  /** All current figures. */
  current(): StoredFigure[];
  /** Every version of an area's indicator, including replaced ones, by as_of then recording time. */
  history(areaId: string, indicatorId: string): StoredFigure[];
  /** Validates a CSV text; throws {@link ImportRejected} (nothing imported) when any row is bad. */
  importCsv(text: string, now?: Date): Promise<ImportSummary>;
  /** Applies validated rows all or nothing, durably, under the cross-process import lock. */
  importRows(rows: FigureRow[], now?: Date): Promise<ImportSummary>;
  /** Current figures as CSV (import columns). */
  exportCsv(): string;
  /** Re-reads the figures when another process or instance has imported since. */
  refreshIfChanged(): Promise<void>;
  /** Damage found on reading (degraded) or an unreachable database (down), for /readyz. */
  health(): Promise<StoreHealth>;
  /** Waits for an import in progress. */
  close(): Promise<void>;
}

/**
 * What both statistics stores share: the figures in memory for the answers, the CSV checks before an import,
 * one import at a time in this process, and catalogue completion of records written before `measure` and
 * `standard` existed. A subclass says how an import is stored ({@link FigureStoreBase.apply}).
 */
export abstract class FigureStoreBase {
  protected set = new FigureSet();
  private queue: Promise<unknown> = Promise.resolve();

  protected constructor(
    protected readonly catalog: Catalog,
    protected readonly areas: Areas,
    protected readonly clock: Clock,
  ) {}

  figures(areaId: string, indicatorId: string): StoredFigure[] {
    return this.set.figures(areaId, indicatorId);
  }

  current(): StoredFigure[] {
    return this.set.current();
  }

  history(areaId: string, indicatorId: string): StoredFigure[] {
    return this.set.history(areaId, indicatorId);
  }

  exportCsv(): string {
    return this.set.exportCsv();
  }

  /** Validates a CSV text; throws {@link ImportRejected} (nothing imported) when any row is bad. */
  async importCsv(text: string, now?: Date): Promise<ImportSummary> {
    const { rows, errors } = validateCsv(text, this.catalog, this.areas);
    if (errors.length) throw new ImportRejected(errors);
    return this.importRows(rows, now);
  }

  /** Applies validated rows, one import at a time in this process; resolves once they are stored durably. */
  importRows(rows: FigureRow[], now?: Date): Promise<ImportSummary> {
    const run = this.queue.then(() => this.apply(rows, now ?? this.clock.now()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for an import in progress. */
  async close(): Promise<void> {
    await this.queue;
  }

  /** Stores validated rows all or nothing under the import lock that spans processes or instances. */
  protected abstract apply(rows: FigureRow[], now: Date): Promise<ImportSummary>;

  /** A record without `measure`/`standard` gets them from the catalogue, as an old CSV row does on import. */
  protected complete(f: StoredFigure): StoredFigure {
    const ind = this.catalog.indicators.get(f.indicator);
    if (ind && (!f.measure || (!f.standard && ind.standard))) completeRow(f, ind, this.catalog);
    return f;
  }
}

/** Opens the file statistics store (the default): `StatsStore.open({ dataDir, … })`, as before the interface existed. */
export const StatsStore = {
  open: (opts: Parameters<typeof FileStatsStore.open>[0]): Promise<FileStatsStore> => FileStatsStore.open(opts),
};

const FILE = 'stats.jsonl';
const LEGACY_FILE = 'stats.json';
const HEADER = { kind: 'stats-store', version: 2 };

/**
 * The statistics store: `DATA_DIR/stats.jsonl`, one figure per line, rewritten atomically on import.
 * Every figure ever imported is kept; a figure replaced by a revision (same area, indicator, as_of,
 * period_start) stays with `replaced_at` set.
 *
 * Imports from any process (the running server's admin chat, the `stats import` command) take one
 * lock that spans processes, re-read the file under it and write before they release it, so every
 * acknowledged import is in the store or its history. The store is created from `<seedDir>/stats.csv`
 * only when there has never been one: a damaged file is set aside record by record (bad lines in
 * `stats.rejected.jsonl`, the rest kept), a file that cannot be read at all is moved aside, and both
 * are reported as `degraded` in /readyz, never silently replaced by the seed.
 */
export class FileStatsStore extends FigureStoreBase implements StatsStore {
  private figuresAll: StoredFigure[] = [];
  private stamp = '';
  private damage: string | null = null;
  readonly file: string;
  private readonly lockFile: string;

  private constructor(
    private readonly dataDir: string,
    catalog: Catalog,
    areas: Areas,
    private readonly logger: Logger,
    clock: Clock,
  ) {
    super(catalog, areas, clock);
    this.file = path.join(dataDir, FILE);
    this.lockFile = path.join(dataDir, 'stats.lock');
  }

  /** Opens the store; `clock`'s real time stamps imports and replacements (`history`). */
  static async open(opts: {
    dataDir: string;
    seedDir: string;
    catalog: Catalog;
    areas: Areas;
    logger: Logger;
    clock?: Clock;
  }): Promise<FileStatsStore> {
    await fs.mkdir(opts.dataDir, { recursive: true });
    const store = new FileStatsStore(opts.dataDir, opts.catalog, opts.areas, opts.logger, opts.clock ?? systemClock);
    await withFileLock(store.lockFile, async () => {
      if (existsSync(store.file)) await store.load();
      else if (existsSync(path.join(opts.dataDir, LEGACY_FILE))) await store.migrateLegacy();
      else if (store.previouslyDamaged()) store.noteDamage('statistics store was damaged earlier; its copy is kept beside it');
      else await store.seed(opts.seedDir);
    });
    return store;
  }

  /** Damage found at start (or earlier), for /readyz. */
  async health(): Promise<StoreHealth> {
    return this.damage ? { state: 'degraded', detail: this.damage } : { state: 'ok' };
  }

  private noteDamage(detail: string): void {
    this.damage = detail;
    this.logger.error({ file: FILE }, detail);
  }

  private previouslyDamaged(): boolean {
    return readdirSync(this.dataDir).some((n) => /^stats\.jsonl?\.(corrupt|unreadable)-/.test(n));
  }

  /** Reads the file record by record: the good figures, and the bad lines with their line number and reason. */
  private readDisk(): { figures: StoredFigure[]; rejected: Array<{ line: number; reason: string; raw: string }>; notAFile: boolean } {
    if (!statSync(this.file).isFile()) return { figures: [], rejected: [], notAFile: true };
    const text = readFileSync(this.file, 'utf8');
    const figures: StoredFigure[] = [];
    const rejected: Array<{ line: number; reason: string; raw: string }> = [];
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        rejected.push({ line: i + 1, reason: 'not JSON', raw: line.slice(0, 500) });
        return;
      }
      if (i === 0 && (value as { kind?: string })?.kind === HEADER.kind) return;
      const r = storedFigureSchema.safeParse(value);
      if (r.success) figures.push(this.complete(r.data));
      else rejected.push({ line: i + 1, reason: r.error.issues[0]?.message ?? 'invalid', raw: line.slice(0, 500) });
    });
    return { figures, rejected, notAFile: false };
  }

  /**
   * Loads the file into memory. Bad records are set aside (with line and reason) and reported; when the
   * store already holds figures (a file damaged behind the running server's back), the figures in memory
   * are kept together with the good records on disk, so nothing acknowledged is dropped.
   */
  private async load(): Promise<void> {
    const disk = this.readDisk();
    if (disk.notAFile) {
      const aside = `${this.file}.unreadable-${this.stampNow()}`;
      await fs.rename(this.file, aside);
      this.noteDamage(`statistics store file was not a file; moved aside to ${path.basename(aside)}`);
      if (this.figuresAll.length) await this.writeAll(this.figuresAll);
      this.rebuildIndex();
      return;
    }
    if (disk.rejected.length) {
      const at = this.clock.now().toISOString();
      await fs.appendFile(
        path.join(this.dataDir, 'stats.rejected.jsonl'),
        disk.rejected.map((r) => JSON.stringify({ at, file: FILE, ...r })).join('\n') + '\n',
      );
      this.noteDamage(
        `${disk.rejected.length} damaged statistics record(s) set aside in stats.rejected.jsonl; the other ${disk.figures.length} kept`,
      );
      const merged = new Map<string, StoredFigure>();
      for (const f of [...this.figuresAll, ...disk.figures]) merged.set(JSON.stringify(f), f);
      this.figuresAll = [...merged.values()];
      // Repair the file so the damage is not found again on every read (the bad lines are kept aside).
      await this.writeAll(this.figuresAll);
    } else {
      this.figuresAll = disk.figures;
      this.stamp = fileStamp(this.file);
    }
    this.rebuildIndex();
  }

  /** Reads a `stats.json` written by version 0.1 (one JSON document), record by record, then replaces it. */
  private async migrateLegacy(): Promise<void> {
    const legacy = path.join(this.dataDir, LEGACY_FILE);
    let doc: { figures?: unknown[] } | null = null;
    try {
      doc = statSync(legacy).isFile() ? (JSON.parse(readFileSync(legacy, 'utf8')) as { figures?: unknown[] }) : null;
    } catch {
      doc = null;
    }
    if (!doc || !Array.isArray(doc.figures)) {
      const aside = `${legacy}.corrupt-${this.stampNow()}`;
      await fs.rename(legacy, aside);
      this.noteDamage(
        `statistics store ${LEGACY_FILE} could not be read; moved aside to ${path.basename(aside)} (no figures until restored)`,
      );
      return;
    }
    const good = doc.figures.map((f) => storedFigureSchema.safeParse(f)).filter((r) => r.success);
    this.figuresAll = good.map((r) => this.complete(r.data as StoredFigure));
    if (good.length < doc.figures.length)
      this.noteDamage(`${doc.figures.length - good.length} damaged statistics record(s) dropped in the upgrade`);
    await this.writeAll(this.figuresAll);
    await fs.rm(legacy);
    this.rebuildIndex();
  }

  /** Loads the CSV seed (last good data shipped with the code) into a store that never existed. */
  private async seed(seedDir: string): Promise<void> {
    const seedFile = path.join(seedDir, 'stats.csv');
    let text: string;
    try {
      text = await fs.readFile(seedFile, 'utf8');
    } catch (err) {
      this.logger.error({ file: seedFile, err: (err as Error).message }, 'statistics seed file missing; store starts empty');
      return;
    }
    const { rows, errors } = validateCsv(text, this.catalog, this.areas);
    if (errors.length) {
      this.logger.error({ file: seedFile, errors: errors.slice(0, 20) }, 'statistics seed file has bad rows; store starts empty');
      return;
    }
    const at = this.clock.now().toISOString();
    this.figuresAll = rows.map((r) => ({ ...r, recorded_at: at, replaced_at: null }));
    await this.writeAll(this.figuresAll);
    this.rebuildIndex();
    this.logger.info({ figures: rows.length, file: FILE }, 'statistics store created from the CSV seed');
  }

  private async writeAll(figures: StoredFigure[]): Promise<void> {
    const lines = [JSON.stringify(HEADER), ...figures.map((f) => JSON.stringify(f))];
    await writeFileAtomic(this.file, lines.join('\n') + '\n');
    this.stamp = fileStamp(this.file);
  }

  private stampNow(): string {
    return this.clock.now().toISOString().replace(/[:.]/g, '-');
  }

  private rebuildIndex(): void {
    this.set = new FigureSet(this.figuresAll);
  }

  /** Re-reads the file when another process (the import command) has replaced it. */
  async refreshIfChanged(): Promise<void> {
    const s = fileStamp(this.file);
    if (s === this.stamp || !s) return;
    await this.load();
  }

  /** Every figure kept, current and replaced (`npm run db -- import-files`). */
  allFigures(): StoredFigure[] {
    return [...this.figuresAll];
  }

  /**
   * Applies validated rows in one atomic, durable write under the cross-process lock: new keys added,
   * changed ones revised (the old kept with `replaced_at`). Resolves only once the file is on disk.
   */
  protected apply(rows: FigureRow[], now: Date): Promise<ImportSummary> {
    return withFileLock(this.lockFile, () => this.applyRows(rows, now));
  }

  private async applyRows(rows: FigureRow[], now: Date): Promise<ImportSummary> {
    // Another process may have imported since this one last read: start from the file on disk.
    if (existsSync(this.file)) await this.load();
    const plan = planImport(this.figuresAll, rows, now.toISOString());
    if (plan.summary.added + plan.summary.revised > 0) {
      await this.writeAll(plan.next);
      this.figuresAll = plan.next;
      this.rebuildIndex();
    }
    return plan.summary;
  }
}

function fileStamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return '';
  }
}
