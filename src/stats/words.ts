import path from 'node:path';
import { z } from 'zod';
import { describeZodError, KnowledgeError, readDataFile } from '../util/data-file.ts';
import { compileAll, type Pattern, phraseTokens } from './text.ts';

/**
 * The words of statistics questions, kept as data in `knowledge/stats/words.yaml` so editors can
 * read and extend them: cues that a message asks for figures, policy cues that it does not, time
 * grammar, ranking, chart and comparison words. Validated with zod at load; compiled once.
 */

const phrases = z.array(z.union([z.string(), z.number()]).transform(String)).default([]);

const fileSchema = z.object({
  stat_cues: phrases,
  strong_cues: phrases,
  stat_frame: phrases,
  policy_cues: phrases,
  yes_no_endings: phrases,
  latest: phrases,
  trend: phrases,
  chart: phrases,
  prev_year: phrases,
  change: phrases,
  plan_ratio: phrases,
  sum: phrases,
  region_compare: phrases,
  compare_before: phrases,
  breakdown: phrases,
  ranking: z.object({
    max: phrases,
    min: phrases,
    ask: phrases,
    region: phrases,
    province: phrases,
    count_units: phrases,
    count_before: phrases,
    list: phrases,
    none: phrases,
    numbers: z.record(z.string(), z.number().int().min(1).max(100)).default({}),
  }),
  combined_household: phrases,
  new_marker: phrases,
  old_marker: phrases,
  filler: phrases,
  place_levels: z.object({ commune: phrases, district: phrases }),
  place_not_after: phrases,
  place_stop: phrases,
  time: z.object({
    start: phrases,
    end: phrases,
    until: phrases,
    period: phrases,
    year_word: phrases,
    month: phrases,
    this_year: phrases,
    last_year: phrases,
  }),
});

/** Compiled word lists (patterns over folded tokens; single words as sets, short phrases as token lists). */
export interface Words {
  statCues: Pattern[];
  strongCues: Pattern[];
  statFrame: Pattern[];
  policyCues: Pattern[];
  yesNoEndings: Set<string>;
  latest: Pattern[];
  trend: Pattern[];
  chart: Pattern[];
  prevYear: Pattern[];
  change: Pattern[];
  planRatio: Pattern[];
  sum: Pattern[];
  regionCompare: Pattern[];
  compareBefore: string[][];
  breakdown: Pattern[];
  ranking: {
    max: Pattern[];
    min: Pattern[];
    ask: Pattern[];
    region: Pattern[];
    province: Pattern[];
    /** First words of what is counted ("5 tỉnh"), and words before a count ("top 5"). */
    countUnits: Set<string>;
    countBefore: Set<string>;
    /** "xếp hạng": the whole table. */
    list: Pattern[];
    /** "không còn hộ nghèo": the places whose figure is zero. */
    none: Pattern[];
    numbers: Map<string, number>;
  };
  combinedHousehold: Pattern[];
  newMarker: string[][];
  oldMarker: string[][];
  filler: Set<string>;
  placeLevels: { commune: string[][]; district: string[][] };
  placeNotAfter: Set<string>;
  placeStop: Set<string>;
  time: {
    start: Set<string>;
    end: Set<string>;
    until: Set<string>;
    period: string[][];
    /** "năm" before a year. */
    yearWord: Set<string>;
    month: Set<string>;
    thisYear: string[][];
    lastYear: string[][];
  };
  /** Every word of every phrase (part of the skill's vocabulary, see read.ts). */
  vocabulary: Set<string>;
}

const multi = (xs: string[]) => xs.map((x) => phraseTokens(x)).filter((t) => t.length > 0);

/** Loads and validates `<knowledgeDir>/stats/words.yaml`; throws a KnowledgeError naming the field on a mistake. */
export function loadWords(knowledgeDir: string): Words {
  const file = path.join(knowledgeDir, 'stats', 'words.yaml');
  const parsed = fileSchema.safeParse(readDataFile(file));
  if (!parsed.success) throw new KnowledgeError(`${file}: ${describeZodError(parsed.error)}`);
  const w = parsed.data;
  const vocabulary = new Set<string>();
  const seen = (xs: string[]) => {
    for (const x of xs) for (const t of phraseTokens(x)) vocabulary.add(t);
    return xs;
  };
  const pats = (xs: string[]) => compileAll(seen(xs));
  const lists = (xs: string[]) => multi(seen(xs));
  const set = (xs: string[]) => new Set(seen(xs).flatMap((x) => phraseTokens(x)));
  const numbers = new Map<string, number>();
  for (const [k, v] of Object.entries(w.ranking.numbers)) numbers.set(phraseTokens(k).join(' '), v);
  return {
    statCues: pats(w.stat_cues),
    strongCues: pats(w.strong_cues),
    statFrame: pats(w.stat_frame),
    policyCues: pats(w.policy_cues),
    yesNoEndings: set(w.yes_no_endings),
    latest: pats(w.latest),
    trend: pats(w.trend),
    chart: pats(w.chart),
    prevYear: pats(w.prev_year),
    change: pats(w.change),
    planRatio: pats(w.plan_ratio),
    sum: pats(w.sum),
    regionCompare: pats(w.region_compare),
    compareBefore: lists(w.compare_before),
    breakdown: pats(w.breakdown),
    ranking: {
      max: pats(w.ranking.max),
      min: pats(w.ranking.min),
      ask: pats(w.ranking.ask),
      region: pats(w.ranking.region),
      province: pats(w.ranking.province),
      countUnits: new Set(seen(w.ranking.count_units).map((x) => phraseTokens(x)[0] ?? '')),
      countBefore: set(w.ranking.count_before),
      list: pats(w.ranking.list),
      none: pats(w.ranking.none),
      numbers,
    },
    combinedHousehold: pats(w.combined_household),
    newMarker: lists(w.new_marker),
    oldMarker: lists(w.old_marker),
    filler: new Set(w.filler.flatMap((x) => phraseTokens(x))),
    placeLevels: { commune: lists(w.place_levels.commune), district: lists(w.place_levels.district) },
    placeNotAfter: set(w.place_not_after),
    placeStop: new Set(w.place_stop.flatMap((x) => phraseTokens(x))),
    time: {
      start: set(w.time.start),
      end: set(w.time.end),
      until: set(w.time.until),
      period: lists(w.time.period),
      yearWord: set(w.time.year_word),
      month: set(w.time.month),
      thisYear: lists(w.time.this_year),
      lastYear: lists(w.time.last_year),
    },
    vocabulary,
  };
}
