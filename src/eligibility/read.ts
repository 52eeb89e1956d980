import { readDate } from '../nlu/entities.ts';
import type { Understanding } from '../nlu/types.ts';
import { extrasIn } from './answers.ts';
import { applyFacts, type EligData } from './data.ts';
import { asksQuestion } from './intent.ts';
import { type EligLexicon, wordsOf } from './lexicon.ts';
import type { Standard } from './schema.ts';
import { ALSO_READS, incomeNote, STEP_NAMES, type Step, type StepName, stepOf } from './steps.ts';

/**
 * Reading one message against the step table: the facts a message gives on its own (to start a check or
 * re-run one), the answer to the question just asked (lenient for that step, strict for the others), a
 * button, and whether an unclear message means the person stepped aside to ask something else.
 */
export class MessageReader {
  constructor(
    private readonly steps: Record<StepName, Step>,
    private readonly lex: EligLexicon,
  ) {}

  /** The facts a message gives on its own (strict reading of every step), its date and extras. */
  factsIn(nlu: Understanding): { facts: Partial<EligData>; badDate: boolean } {
    const facts: Partial<EligData> = {};
    for (const name of STEP_NAMES)
      for (const [k, v] of Object.entries(this.steps[name].read(nlu, false))) if (v !== undefined) Object.assign(facts, { [k]: v });
    const date = readDate(nlu.matchText);
    if (date && date !== 'invalid') facts.date = date;
    facts.extras = extrasIn(this.lex, nlu);
    return { facts, badDate: date === 'invalid' };
  }

  /**
   * Applies the answer to the question stored as `key`: the lenient reading of that step, then what the
   * same message says of the other steps ("4 người, 6 triệu" answers two questions). Returns notes to say.
   */
  answer(data: EligData, key: string, std: Standard, nlu: Understanding): string[] {
    const name = stepOf(key);
    const at = { key, data, std };
    const notes: string[] = [];
    const own = this.steps[name].read(nlu, true, at);
    applyFacts(data, own);
    for (const other of ALSO_READS[name]) {
      const more = this.steps[other].read(nlu, false, at);
      applyFacts(data, more);
      const note = incomeNote(more);
      if (note) notes.push(note);
    }
    const note = incomeNote(own);
    if (note) notes.push(note);
    data.extras = { ...data.extras, ...extrasIn(this.lex, nlu) };
    return notes;
  }

  /** A button of the current question: area, household size, or yes / no / "không rõ". */
  answerButton(data: EligData, key: string, payload: string): void {
    const area = /^elig:area:(rural|urban)$/.exec(payload);
    const members = /^elig:members:(\d{1,3})$/.exec(payload);
    const yn = /^elig:(yes|no|unknown)$/.exec(payload);
    if (area) data.area = area[1] as EligData['area'];
    else if (members) data.members = Math.max(1, Number(members[1]));
    else if (yn && key.startsWith('ind:')) data.answers[key.slice(4)] = yn[1] as 'yes' | 'no' | 'unknown';
  }

  /** A long message, or a question not about the step just asked: the person stepped aside. */
  looksUnrelated(nlu: Understanding, key: string, data: EligData, std: Standard | null): boolean {
    const words = wordsOf(nlu.folded).split(' ').length;
    if (words < 4) return false;
    if (std && this.steps[stepOf(key)].mentions(nlu, { key, data, std })) return false;
    return asksQuestion(this.lex, nlu) || words >= 8;
  }

  /** The re-ask of the question stored as `key`. */
  reask(nlu: Understanding, key: string, data: EligData, std: Standard): string {
    return this.steps[stepOf(key)].reask(nlu, { key, data, std });
  }
}
