import { promises as fs } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from '../observability/logger.ts';
import type { PgDatabase } from '../storage/pg/database.ts';
import type { StoreHealth } from '../storage/types.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import type { Areas } from './areas.ts';
import type { Catalog } from './catalog.ts';
import { FigureSet, planImport, type ImportSummary } from './figure-set.ts';
import { figureKey, storedFigureSchema, validateCsv, type FigureRow, type StoredFigure } from './rows.ts';
import { FigureStoreBase, type StatsStore } from './store.ts';

/** Something that runs a query: the database or a connection inside a transaction. */
interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

interface FigureRowDb {
  generation: string;
  id: string | null;
  figure: Record<string, unknown> | null;
  recorded_at: string | null;
  replaced_at: string | null;
}

/** The figure columns kept in `figure` (jsonb): the CSV row, without the bookkeeping kept in their own columns. */
function rowOf(f: StoredFigure): FigureRow {
  const { recorded_at: _r, replaced_at: _x, ...row } = f;
  return row;
}

/**
 * The statistics store in PostgreSQL: `stats_figures` (every figure ever imported, a revised one with
 * `replaced_at`) and one row of `stats_state` (a generation number and whether the seed was loaded).
 *
 * - An import (the `npm run stats -- import` command on any machine, or `/nhapsolieu` in an admin chat on any
 *   instance) is one transaction: `SELECT … FROM stats_state FOR UPDATE` is the import lock across instances,
 *   the figures are read again under it, revised rows get `replaced_at`, new rows are inserted, the generation
 *   is bumped, and it commits as a whole or not at all.
 * - Every instance keeps the figures in memory for the answers and checks the generation (one tiny query)
 *   before each statistics answer, so all instances answer with the new figures as soon as the import commits.
 * - The seed (`data/stats.csv`) is loaded once, by the first instance to open an empty store, under the same lock.
 * - A stored row that does not validate is ignored, reported (with its id) and shown as `degraded` in /readyz,
 *   never silently replaced by the seed.
 */
export class PgStatsStore extends FigureStoreBase implements StatsStore {
  private generation = -1;
  private damage: string | null = null;

  private constructor(
    private readonly db: PgDatabase,
    catalog: Catalog,
    areas: Areas,
    private readonly logger: Logger,
    clock: Clock,
  ) {
    super(catalog, areas, clock);
  }

  /** Opens the store, loading the CSV seed when the store has never held figures. */
  static async open(opts: {
    db: PgDatabase;
    seedDir: string;
    catalog: Catalog;
    areas: Areas;
    logger: Logger;
    clock?: Clock;
  }): Promise<PgStatsStore> {
    const store = new PgStatsStore(opts.db, opts.catalog, opts.areas, opts.logger, opts.clock ?? systemClock);
    const seed = await store.readSeed(opts.seedDir);
    await opts.db.transaction(async (c) => {
      const state = await c.query<{ seeded_ms: string | null }>('SELECT seeded_ms FROM stats_state WHERE id = 1 FOR UPDATE');
      if (state.rows[0]?.seeded_ms !== null) return;
      const count = await c.query<{ n: string }>('SELECT count(*) AS n FROM stats_figures');
      if (Number(count.rows[0]?.n) > 0 || !seed) return;
      const at = store.clock.now().toISOString();
      await store.insert(
        c,
        seed.map((r) => ({ ...r, recorded_at: at, replaced_at: null })),
        'seed',
      );
      await c.query('UPDATE stats_state SET seeded_ms = $1, generation = generation + 1 WHERE id = 1', [Math.round(store.clock.nowMs())]);
      opts.logger.info({ figures: seed.length }, 'statistics store created in PostgreSQL from the CSV seed');
    });
    await store.load();
    return store;
  }

  private async readSeed(seedDir: string): Promise<FigureRow[] | null> {
    const seedFile = path.join(seedDir, 'stats.csv');
    let text: string;
    try {
      text = await fs.readFile(seedFile, 'utf8');
    } catch (err) {
      this.logger.error({ file: seedFile, err: (err as Error).message }, 'statistics seed file missing; store starts empty');
      return null;
    }
    const { rows, errors } = validateCsv(text, this.catalog, this.areas);
    if (errors.length) {
      this.logger.error({ file: seedFile, errors: errors.slice(0, 20) }, 'statistics seed file has bad rows; store starts empty');
      return null;
    }
    return rows;
  }

  /** Reads every figure and the generation in one statement (one snapshot), validating each row. */
  private async readAll(
    q: Queryable,
  ): Promise<{ generation: number; figures: StoredFigure[]; idOf: Map<StoredFigure, string>; bad: string[] }> {
    const r = await q.query<FigureRowDb>(
      `SELECT s.generation, f.id, f.figure, f.recorded_at, f.replaced_at
       FROM stats_state s LEFT JOIN stats_figures f ON true WHERE s.id = 1 ORDER BY f.id`,
    );
    const figures: StoredFigure[] = [];
    const idOf = new Map<StoredFigure, string>();
    const bad: string[] = [];
    let generation = 0;
    for (const row of r.rows) {
      generation = Number(row.generation);
      if (row.id === null) continue;
      const parsed = storedFigureSchema.safeParse({ ...(row.figure ?? {}), recorded_at: row.recorded_at, replaced_at: row.replaced_at });
      if (!parsed.success) {
        bad.push(row.id);
        continue;
      }
      const f = this.complete(parsed.data);
      figures.push(f);
      idOf.set(f, row.id);
    }
    return { generation, figures, idOf, bad };
  }

  private async load(q: Queryable = this.db): Promise<void> {
    const { generation, figures, bad } = await this.readAll(q);
    if (bad.length) {
      const detail = `${bad.length} damaged statistics record(s) in stats_figures ignored (id ${bad.slice(0, 10).join(', ')}${bad.length > 10 ? ', …' : ''}); the other ${figures.length} kept`;
      if (detail !== this.damage) this.logger.error({ table: 'stats_figures' }, detail);
      this.damage = detail;
    } else this.damage = null;
    this.set = new FigureSet(figures);
    this.generation = generation;
  }

  async health(): Promise<StoreHealth> {
    return this.damage ? { state: 'degraded', detail: this.damage } : { state: 'ok' };
  }

  async refreshIfChanged(): Promise<void> {
    const r = await this.db.query<{ generation: string }>('SELECT generation FROM stats_state WHERE id = 1');
    if (Number(r.rows[0]?.generation) !== this.generation) await this.load();
  }

  /** One transaction under the import lock; the new figures are in memory once it has committed. */
  protected async apply(rows: FigureRow[], now: Date): Promise<ImportSummary> {
    const at = now.toISOString();
    const summary = await this.db.transaction(async (c) => {
      await c.query('SELECT generation FROM stats_state WHERE id = 1 FOR UPDATE');
      // Another instance or the command may have imported since this one last read: start from the table.
      const current = await this.readAll(c);
      const plan = planImport(current.figures, rows, at);
      if (plan.summary.added + plan.summary.revised === 0) return plan.summary;
      const replacedIds = plan.replaced.map((f) => current.idOf.get(f)).filter((id): id is string => id !== undefined);
      if (replacedIds.length)
        await c.query('UPDATE stats_figures SET replaced_at = $1 WHERE id = ANY($2::bigint[]) AND replaced_at IS NULL', [at, replacedIds]);
      await this.insert(c, plan.added, 'import');
      await c.query('UPDATE stats_state SET generation = generation + 1 WHERE id = 1');
      return plan.summary;
    });
    if (summary.added + summary.revised > 0) await this.load().catch(() => undefined);
    return summary;
  }

  /** Inserts figures in one statement. */
  private async insert(c: Queryable, figures: StoredFigure[], origin: 'seed' | 'import' | 'files'): Promise<void> {
    if (!figures.length) return;
    await c.query(
      `INSERT INTO stats_figures (area_id, indicator, figure, recorded_at, replaced_at, origin)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[])`,
      [
        figures.map((f) => f.area_id),
        figures.map((f) => f.indicator),
        figures.map((f) => JSON.stringify(rowOf(f))),
        figures.map((f) => f.recorded_at),
        figures.map((f) => f.replaced_at),
        figures.map(() => origin),
      ],
    );
  }

  /**
   * Moves a file store's figures into this one (`npm run db -- import-files`), in one transaction under the
   * import lock. The seed loaded here at first start is dropped (the file store has its own copy of it, with
   * its real dates); figures already present (same key and recording time) are skipped, so a second run
   * changes nothing; then, per key, only the most recently recorded figure stays current.
   */
  async importFiles(figures: StoredFigure[]): Promise<{ added: number; skipped: number }> {
    const result = await this.db.transaction(async (c) => {
      await c.query('SELECT generation FROM stats_state WHERE id = 1 FOR UPDATE');
      await c.query(`DELETE FROM stats_figures WHERE origin = 'seed'`);
      const before = await this.readAll(c);
      const have = new Set(before.figures.map((f) => `${figureKey(f)}@${f.recorded_at}`));
      const fresh = figures.filter((f) => !have.has(`${figureKey(f)}@${f.recorded_at}`));
      await this.insert(c, fresh, 'files');
      // One current figure per key: the latest recorded; an earlier one is replaced when the next was recorded.
      const after = await this.readAll(c);
      const byKey = new Map<string, StoredFigure[]>();
      for (const f of after.figures) byKey.set(figureKey(f), [...(byKey.get(figureKey(f)) ?? []), f]);
      for (const list of byKey.values()) {
        list.sort((a, b) => a.recorded_at.localeCompare(b.recorded_at));
        for (let i = 0; i < list.length; i++) {
          const f = list[i];
          const next = list[i + 1];
          const want = next ? (f.replaced_at ?? next.recorded_at) : null;
          if (want !== f.replaced_at) await c.query('UPDATE stats_figures SET replaced_at = $1 WHERE id = $2', [want, after.idOf.get(f)]);
        }
      }
      await c.query('UPDATE stats_state SET generation = generation + 1, seeded_ms = coalesce(seeded_ms, $1) WHERE id = 1', [
        Math.round(this.clock.nowMs()),
      ]);
      return { added: fresh.length, skipped: figures.length - fresh.length };
    });
    await this.load();
    return result;
  }
}
