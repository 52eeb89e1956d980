import { figureKey, figuresToCsv, sameFigure, type FigureRow, type StoredFigure } from './rows.ts';

/** What an import did: new keys, revised figures (the old kept with `replaced_at`), identical rows skipped. */
export interface ImportSummary {
  added: number;
  revised: number;
  unchanged: number;
}

/** The outcome of applying rows to a store's figures, before it is written. */
export interface ImportPlan {
  summary: ImportSummary;
  /** Figures of the input that a row revises (the originals, unchanged; they get `replaced_at = at`). */
  replaced: StoredFigure[];
  /** New figures, recorded at `at`. */
  added: StoredFigure[];
  /** Every figure after the import (copies; the input is never modified). */
  next: StoredFigure[];
}

/**
 * Applies validated rows to `figures` as of `at`: a row with a new key is added, a row that differs from the
 * current figure of its key revises it (the old one stays, with `replaced_at`), an identical row changes nothing.
 * Pure, so the file store and the PostgreSQL store import the same way.
 */
export function planImport(figures: StoredFigure[], rows: FigureRow[], at: string): ImportPlan {
  const next = figures.map((f) => ({ ...f }));
  const originalOf = new Map<StoredFigure, StoredFigure>();
  figures.forEach((f, i) => originalOf.set(next[i], f));
  const currentByKey = new Map<string, StoredFigure>();
  for (const f of next) if (!f.replaced_at) currentByKey.set(figureKey(f), f);
  const summary: ImportSummary = { added: 0, revised: 0, unchanged: 0 };
  const replaced: StoredFigure[] = [];
  const added: StoredFigure[] = [];
  for (const row of rows) {
    const key = figureKey(row);
    const old = currentByKey.get(key);
    if (!old) summary.added++;
    else if (sameFigure(old, row)) {
      summary.unchanged++;
      continue;
    } else {
      old.replaced_at = at;
      const original = originalOf.get(old);
      if (original) replaced.push(original);
      summary.revised++;
    }
    const fresh: StoredFigure = { ...row, recorded_at: at, replaced_at: null };
    next.push(fresh);
    added.push(fresh);
    currentByKey.set(key, fresh);
  }
  return { summary, replaced, added, next };
}

/**
 * The figures of a statistics store in memory, indexed for the answers: current figures by area and indicator
 * (oldest first), every version for `history`, and the CSV export. Both store implementations keep one and
 * replace it whole when the stored figures change, so a reader never sees half an import.
 */
export class FigureSet {
  private readonly index = new Map<string, StoredFigure[]>();

  constructor(readonly all: StoredFigure[] = []) {
    for (const f of all) {
      if (f.replaced_at) continue;
      const k = `${f.area_id}|${f.indicator}`;
      const list = this.index.get(k) ?? [];
      list.push(f);
      this.index.set(k, list);
    }
    for (const list of this.index.values())
      list.sort(
        (a, b) => a.as_of.localeCompare(b.as_of) || a.standard.localeCompare(b.standard) || a.period_start.localeCompare(b.period_start),
      );
  }

  /** Current (not replaced) figures for one area and indicator, oldest first. */
  figures(areaId: string, indicatorId: string): StoredFigure[] {
    return this.index.get(`${areaId}|${indicatorId}`) ?? [];
  }

  /** All current figures. */
  current(): StoredFigure[] {
    return this.all.filter((f) => !f.replaced_at);
  }

  /** Every version of an area's indicator, including replaced ones, by as_of then recording time. */
  history(areaId: string, indicatorId: string): StoredFigure[] {
    return this.all
      .filter((f) => f.area_id === areaId && f.indicator === indicatorId)
      .sort(
        (a, b) =>
          a.as_of.localeCompare(b.as_of) ||
          a.standard.localeCompare(b.standard) ||
          a.period_start.localeCompare(b.period_start) ||
          a.recorded_at.localeCompare(b.recorded_at),
      );
  }

  /** Current figures as CSV (import columns), in a stable order. */
  exportCsv(): string {
    const rows = this.current().sort(
      (a, b) =>
        a.area_id.localeCompare(b.area_id) ||
        a.indicator.localeCompare(b.indicator) ||
        a.as_of.localeCompare(b.as_of) ||
        a.standard.localeCompare(b.standard) ||
        a.period_start.localeCompare(b.period_start),
    );
    return figuresToCsv(rows);
  }
}
