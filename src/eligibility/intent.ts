import { extractEntities, extractMembersChange, extractYear, readDate } from '../nlu/entities.ts';
import type { Understanding } from '../nlu/types.ts';
import { countFacts, type EligData, type Field } from './data.ts';
import { type EligLexicon, type Phrases, textsOf, wordsOf } from './lexicon.ts';

/**
 * What a message wants from the guided check, apart from answering the question asked: start a check,
 * give the staff one-line form, correct a fact ("sửa thu nhập"), ask about the household just checked
 * ("năm 2027 thì sao"), cancel, resume or restart. Each reader takes the Understanding and the
 * vocabulary of `knowledge/lexicon/eligibility.yaml`; the flow decides what to do with the answer.
 */

/** The staff one-line form: "kiểm tra: …" or "kiểm tra ngày 01/01/2027: …" (the colon is what marks it). */
export function isFormLine(nlu: Understanding): boolean {
  return /^kiem tra\b[^:]{0,30}:/.test(nlu.matchText) || /^kiem tra\b[^:]{0,30}:/.test(nlu.folded);
}

const alt = (p: Phrases) => `(?:${p.alternation})`;
const regexCache = new WeakMap<EligLexicon, RegExp[]>();

function startPatterns(lex: EligLexicon): RegExp[] {
  let res = regexCache.get(lex);
  if (!res) {
    const s = lex.start;
    res = [
      // "kiểm tra (giúp tôi) hộ nghèo", "xét hộ cận nghèo"
      new RegExp(String.raw`\b${alt(s.checkVerbs)}(?: [a-z0-9]+){0,3} (?:dien )?ho (?:can )?ngheo\b`),
      // "nhà tôi có được xếp hộ cận nghèo không"
      new RegExp(
        String.raw`\b${alt(s.belongVerbs)}(?: ${alt(s.belongFillers)})* (?:dien )?ho (?:can )?ngheo(?: hay)? ${alt(s.questionEnds)}\b`,
      ),
    ];
    regexCache.set(lex, res);
  }
  return res;
}

/** Does this message ask for a household to be checked (not a question about the rules or procedure)? */
export function isStartRequest(lex: EligLexicon, nlu: Understanding): boolean {
  if (isFormLine(nlu)) return true;
  const texts = textsOf(nlu);
  const procedure = lex.procedure.any([wordsOf(nlu.folded)]);
  if (!procedure && startPatterns(lex).some((re) => texts.some((t) => re.test(t)))) return true;
  const help = new RegExp(String.raw`\bkiem tra ${alt(lex.start.helpWords)}\b`);
  return texts.some((t) => /\b(ho (can )?ngheo|chuan ngheo)\b/.test(t) && help.test(t));
}

/**
 * Household facts with "nghèo" and no other policy or procedure word also start a check
 * ("nhà 5 người, thu nhập 6 triệu, nghèo không"); "… có được vay vốn không" is left to the policy answer.
 */
export function factsAskForCheck(lex: EligLexicon, nlu: Understanding, facts: Partial<EligData>): boolean {
  const folded = [wordsOf(nlu.folded)];
  return countFacts(facts) >= 2 && /\bngheo\b/.test(folded[0]) && !lex.procedure.any(folded) && !lex.otherTopic.any(folded);
}

/** "hủy", "thôi không kiểm tra nữa" (short messages only), or the NLU's cancel act. */
export function isCancel(lex: EligLexicon, nlu: Understanding): boolean {
  return nlu.acts.cancel || lex.cancel.test(textsOf(nlu));
}

/** "tiếp tục", "làm tiếp": go back to the question left when the person stepped aside. */
export function isResume(lex: EligLexicon, nlu: Understanding): boolean {
  return lex.resume.test(textsOf(nlu));
}

/** "làm lại", "bắt đầu lại": start the check again from the first question. */
export function isRestart(lex: EligLexicon, nlu: Understanding): boolean {
  return lex.restart.test(textsOf(nlu));
}

/**
 * "sửa thu nhập", "đổi số người", "nhập lại khu vực": the fact to ask again, and the text after it
 * ("sửa thu nhập 1,5 triệu" → "1,5 triệu"), read as the answer to that question.
 */
export function correctionIn(lex: EligLexicon, nlu: Understanding): { field: Field; rest: string } | null {
  for (const text of [nlu.matchText, nlu.folded]) {
    for (const field of ['income', 'members', 'area', 'deprivations'] as const) {
      const re = new RegExp(
        String.raw`\b${alt(lex.fixVerbs)}(?:\s+lai)?\s+${alt(lex.fixFields[field])}\b\s*(?:(?:thanh(?!\s+thi)|la)\b|:)?\s*`,
      );
      const m = re.exec(text);
      if (m) return { field, rest: text.slice((m.index ?? 0) + m[0].length).trim() };
    }
  }
  return null;
}

/** The Understanding of part of a message (the value after "sửa thu nhập"), read by the NLU's extractors. */
export function narrowTo(nlu: Understanding, rest: string): Understanding {
  return {
    ...nlu,
    original: rest,
    normalized: rest,
    folded: rest,
    matchText: rest,
    tokens: wordsOf(rest).split(' ').filter(Boolean),
    entities: extractEntities(rest),
  };
}

/** Does the message look like a question of its own (a question word at the end, "?", "cho tôi hỏi")? */
export function asksQuestion(lex: EligLexicon, nlu: Understanding): boolean {
  return nlu.matchText.includes('?') || lex.question.test(textsOf(nlu));
}

/** A change to the household just checked, read from a follow-up question. */
export interface WhatIf {
  date?: string;
  /** The year asked about, when the change is a year ("năm 2027 thì sao"). */
  year?: number;
  membersDelta?: number;
  facts: Partial<EligData>;
}

/**
 * "vậy hộ này năm 2027 có còn là hộ nghèo không", "năm 2027 thì sao", "nếu thu nhập 7 triệu thì sao",
 * "nếu có thêm 1 người thì sao": a question about the household just checked with one thing changed.
 * `facts` are the message's own facts (strict reading). Null when the message is not such a question.
 */
export function whatIfIn(lex: EligLexicon, nlu: Understanding, facts: Partial<EligData>): WhatIf | null {
  const texts = textsOf(nlu);
  const folded = [wordsOf(nlu.folded)];
  const refers = nlu.acts.followUp || lex.whatIf.any(texts);
  const yearOnly = !refers && lex.whatIfYear.any(texts);
  if ((!refers && !yearOnly) || lex.otherHousehold.any(texts) || isFormLine(nlu)) return null;
  if (lex.procedure.any(folded) || lex.otherTopic.any(folded)) return null;
  const date = readDate(nlu.matchText);
  const year = extractYear(nlu.folded) ?? undefined;
  const membersDelta = extractMembersChange(nlu.folded) ?? undefined;
  const out: WhatIf = { facts: { ...facts } };
  delete out.facts.date;
  if (date && date !== 'invalid') out.date = date;
  else if (year) out.year = year;
  if (membersDelta) {
    out.membersDelta = membersDelta;
    delete out.facts.members;
  }
  if (yearOnly) return out.date || out.year ? { date: out.date, year: out.year, facts: {} } : null;
  const changes = out.date || out.year || out.membersDelta || countFacts(out.facts) > 0;
  return changes ? out : null;
}
