import type { Area, Areas } from '../areas.ts';
import type { Catalog, Indicator } from '../catalog.ts';
import type { StatsStore } from '../store.ts';
import type { Words } from '../words.ts';

/** What building an answer needs: the store, the catalogue, the areas and the word lists. */
export interface AnswerDeps {
  store: StatsStore;
  catalog: Catalog;
  areas: Areas;
  words: Words;
}

/** Where a figure comes from, as a citation shows it. */
export interface Source {
  source: string;
  url: string;
  as_of: string;
}

/**
 * A figure as answers show it: stored, or computed (a sum of parts, a merged province). A computed
 * figure always carries `derived`: the words "tính từ ..." and the figures it was computed from.
 */
export interface Val {
  area: Area;
  ind: Indicator;
  value: number;
  unit: string;
  qualifier: string;
  as_of: string;
  period_start: string;
  status: string;
  note: string;
  /** review | gso_survey | report */
  measure: string;
  /** The poverty standard ("2016-2020", "2022-2025", "local"), or '' when it does not apply. */
  standard: string;
  sources: Source[];
  derived?: { text: string; inputs: Val[] };
}

/**
 * One line of an answer, before it becomes text. A `figure` reads "<subject> là <value>" when it is
 * the whole answer and "<subject>: <value>" in a list; a `series` is a heading with its items.
 */
export type Line =
  | { t: 'figure'; subject: string; value: string }
  | { t: 'series'; title: string; items: string[] }
  | { t: 'text'; text: string };
