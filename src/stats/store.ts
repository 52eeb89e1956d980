import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import type { Low } from 'lowdb';
import { openJsonStore } from '../storage/json-store.ts';
import type { Logger } from '../observability/logger.ts';
import type { Areas, Catalog } from './catalog.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import {
  figureKey,
  figuresToCsv,
  sameFigure,
  storeFileSchema,
  validateCsv,
  type FigureRow,
  type RowError,
  type StoreFile,
  type StoredFigure,
} from './rows.ts';

export interface ImportSummary {
  added: number;
  revised: number;
  unchanged: number;
}

export class ImportRejected extends Error {
  constructor(readonly errors: RowError[]) {
    super(`${errors.length} dòng lỗi; không nhập dòng nào`);
  }
}

/**
 * The statistics store: a lowdb JSON file (`<dataDir>/stats.json`) written atomically.
 * Every figure ever imported is kept; a figure replaced by a revision (same area, indicator,
 * as_of, period_start) stays with `replaced_at` set. Started from `<seedDir>/stats.csv` when the
 * file is absent or had to be set aside as corrupt.
 */
export class StatsStore {
  private index = new Map<string, StoredFigure[]>();
  private stamp = '';

  private constructor(
    private readonly db: Low<StoreFile>,
    readonly file: string,
    private readonly catalog: Catalog,
    private readonly areas: Areas,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.rebuildIndex();
  }

  /** Opens `DATA_DIR/stats.json`; `clock`'s real time stamps imports and replacements (`history`). */
  static async open(opts: {
    dataDir: string;
    seedDir: string;
    catalog: Catalog;
    areas: Areas;
    logger: Logger;
    clock?: Clock;
  }): Promise<StatsStore> {
    const file = path.join(opts.dataDir, 'stats.json');
    const warn = (message: string, extra?: Record<string, unknown>) => opts.logger.warn({ ...extra, file }, message);
    const db = await openJsonStore<StoreFile>(file, storeFileSchema, { version: 1, figures: [] }, warn);
    const clock = opts.clock ?? systemClock;
    const store = new StatsStore(db, file, opts.catalog, opts.areas, opts.logger, clock);
    if (!existsSync(file)) await store.seed(opts.seedDir, clock.now());
    store.stamp = fileStamp(file);
    return store;
  }

  /** Loads the CSV seed (last good data shipped with the code) into an empty store. */
  private async seed(seedDir: string, now: Date): Promise<void> {
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
    const at = now.toISOString();
    this.db.data = { version: 1, figures: rows.map((r) => ({ ...r, recorded_at: at, replaced_at: null })) };
    await this.db.write();
    this.rebuildIndex();
    this.logger.info({ figures: rows.length, file: this.file }, 'statistics store created from the CSV seed');
  }

  private rebuildIndex(): void {
    this.index.clear();
    for (const f of this.db.data.figures) {
      if (f.replaced_at) continue;
      const k = `${f.area_id}|${f.indicator}`;
      const list = this.index.get(k) ?? [];
      list.push(f);
      this.index.set(k, list);
    }
    for (const list of this.index.values())
      list.sort((a, b) => a.as_of.localeCompare(b.as_of) || a.period_start.localeCompare(b.period_start));
  }

  /** Re-reads the file when another process (the import command) has replaced it. */
  async refreshIfChanged(): Promise<void> {
    const s = fileStamp(this.file);
    if (s === this.stamp || !s) return;
    await this.db.read();
    // A file found corrupt has been set aside by the adapter: put the last good data (in memory) back.
    if (!existsSync(this.file)) await this.db.write();
    this.stamp = fileStamp(this.file);
    this.rebuildIndex();
  }

  /** Current (not replaced) figures for one area and indicator, oldest first. */
  figures(areaId: string, indicatorId: string): StoredFigure[] {
    return this.index.get(`${areaId}|${indicatorId}`) ?? [];
  }

  /** All current figures. */
  current(): StoredFigure[] {
    return this.db.data.figures.filter((f) => !f.replaced_at);
  }

  /** Every version of an area's indicator, including replaced ones, by as_of then recording time. */
  history(areaId: string, indicatorId: string): StoredFigure[] {
    return this.db.data.figures
      .filter((f) => f.area_id === areaId && f.indicator === indicatorId)
      .sort(
        (a, b) =>
          a.as_of.localeCompare(b.as_of) || a.period_start.localeCompare(b.period_start) || a.recorded_at.localeCompare(b.recorded_at),
      );
  }

  /** Validates a CSV text; throws {@link ImportRejected} (nothing imported) when any row is bad. */
  async importCsv(text: string, now: Date = this.clock.now()): Promise<ImportSummary> {
    const { rows, errors } = validateCsv(text, this.catalog, this.areas);
    if (errors.length) throw new ImportRejected(errors);
    return this.importRows(rows, now);
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** Applies validated rows in one atomic write: new keys added, changed ones revised (old kept with replaced_at). */
  importRows(rows: FigureRow[], now: Date = this.clock.now()): Promise<ImportSummary> {
    // One import at a time within a process, so two admins importing at once cannot interleave.
    const run = this.queue.then(() => this.applyRows(rows, now));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyRows(rows: FigureRow[], now: Date): Promise<ImportSummary> {
    // Another process (the CLI) may have imported since this one last read: start from the file on disk.
    await this.refreshIfChanged();
    const at = now.toISOString();
    const figures = this.db.data.figures.map((f) => ({ ...f }));
    const copyByKey = new Map<string, StoredFigure>();
    for (const f of figures) if (!f.replaced_at) copyByKey.set(figureKey(f), f);
    const summary: ImportSummary = { added: 0, revised: 0, unchanged: 0 };
    for (const row of rows) {
      const key = figureKey(row);
      const old = copyByKey.get(key);
      if (!old) summary.added++;
      else if (sameFigure(old, row)) {
        summary.unchanged++;
        continue;
      } else {
        old.replaced_at = at;
        summary.revised++;
      }
      const fresh: StoredFigure = { ...row, recorded_at: at, replaced_at: null };
      figures.push(fresh);
      copyByKey.set(key, fresh);
    }
    if (summary.added + summary.revised > 0) {
      const previous = this.db.data;
      this.db.data = { version: 1, figures };
      try {
        await this.db.write();
      } catch (err) {
        this.db.data = previous;
        throw err;
      }
      this.stamp = fileStamp(this.file);
      this.rebuildIndex();
    }
    return summary;
  }

  /** Current figures as CSV (import columns). */
  exportCsv(): string {
    const rows = this.current().sort(
      (a, b) =>
        a.area_id.localeCompare(b.area_id) ||
        a.indicator.localeCompare(b.indicator) ||
        a.as_of.localeCompare(b.as_of) ||
        a.period_start.localeCompare(b.period_start),
    );
    return figuresToCsv(rows);
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
