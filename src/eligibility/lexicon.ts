import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { expandAbbreviations, loadLexicon } from '../nlu/lexicon.ts';
import { foldKey } from '../nlu/text.ts';
import type { Understanding } from '../nlu/types.ts';
import { describeZodError, KnowledgeError, readDataFile } from '../util/data-file.ts';
import { INDICATOR_IDS, type IndicatorId } from './schema.ts';

/**
 * The guided check's vocabulary, kept as data in `knowledge/lexicon/eligibility.yaml` so editors can add
 * a way of asking, a cancel word or an indicator's everyday name without touching code. Phrases are
 * folded by the NLU's own `foldKey`, both as written and with abbreviations expanded, so they meet a
 * message in either of its forms (`Understanding.folded` and `matchText`).
 */

const phrases = z.array(z.union([z.string(), z.number()]).transform(String)).default([]);
const control = z.object({ start: phrases, any: phrases, end: phrases, max_words: z.number().int().min(1).optional() }).strict();

const fileSchema = z
  .object({
    start: z
      .object({ check_verbs: phrases, belong_verbs: phrases, belong_fillers: phrases, question_ends: phrases, help_words: phrases })
      .strict(),
    procedure: phrases,
    other_topic: phrases,
    cancel: control,
    resume: control,
    restart: control,
    fix: z
      .object({
        verbs: phrases,
        fields: z.object({ income: phrases, members: phrases, area: phrases, deprivations: phrases }).strict(),
      })
      .strict(),
    what_if: z.object({ any: phrases, year_only: phrases, other_household: phrases }).strict(),
    question: control,
    about_step: z.object({ area: phrases, members: phrases, income: phrases }).strict(),
    answers: z.object({ unknown: phrases, no: phrases, yes: phrases, lead: phrases }).strict(),
    indicators: z.record(z.enum(INDICATOR_IDS), phrases),
    no_deprivation: z.object({ any: phrases, after_list: phrases }).strict(),
    extras: z.object({ ethnic_minority: phrases, has_students: phrases, working_age: phrases }).strict(),
  })
  .strict();

/** Word tokens of a folded text joined by single spaces: the form phrases are matched on. */
export function wordsOf(folded: string): string {
  return folded.match(/[a-z0-9]+/g)?.join(' ') ?? '';
}

/** The two readings of a message the vocabulary is matched on: as expanded and corrected, and as typed. */
export function textsOf(nlu: Understanding): string[] {
  const a = wordsOf(nlu.folded);
  const b = wordsOf(nlu.matchText);
  return a === b ? [a] : [a, b];
}

/** A list of folded phrases; every method takes word strings ({@link wordsOf}). */
export class Phrases {
  readonly keys: string[];

  constructor(keys: Iterable<string>) {
    // Longest first, so "nhà tiêu" is found before "nhà".
    this.keys = [...new Set(keys)].filter(Boolean).sort((a, b) => b.length - a.length);
  }

  /** A phrase appears anywhere in one of the texts. */
  any(texts: string[]): boolean {
    return texts.some((t) => this.keys.some((k) => ` ${t} `.includes(` ${k} `)));
  }

  /** One of the texts begins with a phrase. */
  start(texts: string[]): boolean {
    return texts.some((t) => this.keys.some((k) => t === k || t.startsWith(`${k} `)));
  }

  /** One of the texts ends with a phrase. */
  end(texts: string[]): boolean {
    return texts.some((t) => this.keys.some((k) => t === k || t.endsWith(` ${k}`)));
  }

  /** A regular-expression alternation of the phrases (they are plain words and digits). */
  get alternation(): string {
    return this.keys.join('|');
  }
}

/** A control phrase set (cancel, resume, restart, question): start / any / end, for short messages only when `max_words`. */
export class Control {
  constructor(
    readonly start: Phrases,
    readonly any: Phrases,
    readonly end: Phrases,
    readonly maxWords?: number,
  ) {}

  test(texts: string[]): boolean {
    const short = texts.filter((t) => !this.maxWords || t.split(' ').length <= this.maxWords);
    return this.start.start(short) || this.any.any(short) || this.end.end(short);
  }
}

/** The loaded vocabulary (see `knowledge/lexicon/eligibility.yaml` for what each list means). */
export interface EligLexicon {
  start: { checkVerbs: Phrases; belongVerbs: Phrases; belongFillers: Phrases; questionEnds: Phrases; helpWords: Phrases };
  procedure: Phrases;
  otherTopic: Phrases;
  cancel: Control;
  resume: Control;
  restart: Control;
  fixVerbs: Phrases;
  fixFields: Record<'income' | 'members' | 'area' | 'deprivations', Phrases>;
  whatIf: Phrases;
  whatIfYear: Phrases;
  otherHousehold: Phrases;
  question: Control;
  aboutStep: Record<'area' | 'members' | 'income', Phrases>;
  answers: { unknown: Phrases; no: Phrases; yes: Phrases; lead: Phrases };
  indicators: Array<[IndicatorId, Phrases]>;
  noDeprivation: Phrases;
  noneAfterList: Phrases;
  extras: Record<'ethnic_minority' | 'has_students' | 'working_age', Phrases>;
}

/** Where the vocabulary file is, given `knowledge/` or its `standards/` sub-folder. */
export function lexiconFile(knowledgeDir: string): string {
  const base = existsSync(path.join(knowledgeDir, 'lexicon')) ? knowledgeDir : path.dirname(knowledgeDir);
  return path.join(base, 'lexicon', 'eligibility.yaml');
}

/**
 * Loads and checks the vocabulary; throws a KnowledgeError naming the file and field when invalid.
 * Abbreviations come from the same `abbreviations.yaml` the NLU expands messages with.
 */
export function loadEligLexicon(knowledgeDir: string): EligLexicon {
  const file = lexiconFile(knowledgeDir);
  const parsed = fileSchema.safeParse(readDataFile(file));
  if (!parsed.success) throw new KnowledgeError(`${file}: ${describeZodError(parsed.error)}`);
  const abbreviations = loadLexicon(path.dirname(path.dirname(file))).abbreviations;
  const list = (ps: string[]) => new Phrases(ps.flatMap((p) => [foldKey(p), foldKey(expandAbbreviations(p.toLowerCase(), abbreviations))]));
  const ctl = (c: z.infer<typeof control>) => new Control(list(c.start), list(c.any), list(c.end), c.max_words);
  const r = parsed.data;
  return {
    start: {
      checkVerbs: list(r.start.check_verbs),
      belongVerbs: list(r.start.belong_verbs),
      belongFillers: list(r.start.belong_fillers),
      questionEnds: list(r.start.question_ends),
      helpWords: list(r.start.help_words),
    },
    procedure: list(r.procedure),
    otherTopic: list(r.other_topic),
    cancel: ctl(r.cancel),
    resume: ctl(r.resume),
    restart: ctl(r.restart),
    fixVerbs: list(r.fix.verbs),
    fixFields: {
      income: list(r.fix.fields.income),
      members: list(r.fix.fields.members),
      area: list(r.fix.fields.area),
      deprivations: list(r.fix.fields.deprivations),
    },
    whatIf: list(r.what_if.any),
    whatIfYear: list(r.what_if.year_only),
    otherHousehold: list(r.what_if.other_household),
    question: ctl(r.question),
    aboutStep: { area: list(r.about_step.area), members: list(r.about_step.members), income: list(r.about_step.income) },
    answers: {
      unknown: list(r.answers.unknown),
      no: list(r.answers.no),
      yes: list(r.answers.yes),
      lead: list(r.answers.lead),
    },
    indicators: (Object.entries(r.indicators) as Array<[IndicatorId, string[]]>).map(([id, ps]) => [id, list(ps)]),
    noDeprivation: list(r.no_deprivation.any),
    noneAfterList: list(r.no_deprivation.after_list),
    extras: {
      ethnic_minority: list(r.extras.ethnic_minority),
      has_students: list(r.extras.has_students),
      working_age: list(r.extras.working_age),
    },
  };
}
