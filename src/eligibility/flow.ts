import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Flow, TurnContext } from '../core/context.ts';
import type { HouseholdType, Reply, TurnResult } from '../domain/types.ts';
import { formatDate, isoDateInVietnam } from '../format/vi.ts';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import type { Category } from './classify.ts';
import { applyFacts, clearField, countFacts, type EligData, eligDataSchema, emptyData, type Field } from './data.ts';
import * as intent from './intent.ts';
import { type EligLexicon, loadEligLexicon, wordsOf } from './lexicon.ts';
import { type EligMemo, readMemo, sayOnce, writeMemo } from './memo.ts';
import { MessageReader } from './read.ts';
import { finishCheck } from './result.ts';
import { applyWhatIf } from './rerun.ts';
import type { EntitlementMap, Standard } from './schema.ts';
import { loadEntitlementMap, loadStandards, type Standards } from './standards.ts';
import { FORM_TIP, incomeNote, introLine, nextStep, type Step, type StepName, stepTable } from './steps.ts';

/**
 * The guided eligibility check as a {@link Flow} named `elig`: only the routing. It routes on
 * `session.flow.step` (the step table in `steps.ts` asks and reads), and handles cancel, restart,
 * resume and "sửa …"; `intent.ts` reads what a message wants, `result.ts` words the result, `rerun.ts`
 * re-runs a finished check with one fact changed. State lives in `session.flow` as plain JSON
 * ({ step, data }), so a check survives a restart; after a result, the facts stay in the memo slice.
 */

/** Where the standards, entitlement map and vocabulary are, and the knowledge base entitlements come from. */
export interface EligibilityFlowOptions {
  /** `knowledge/` (its `standards/` and `lexicon/` are used) or the standards folder itself. */
  knowledgeDir: string;
  knowledge: KnowledgeBase;
}

const NAME = 'elig';
const FIX = /^elig:fix:(area|members|income|deprivations)$/;

/** Loads the standards, entitlement map and vocabulary (throwing on a broken file) and builds the flow. */
export function createEligibilityFlow(opts: EligibilityFlowOptions): Flow {
  const sub = path.join(opts.knowledgeDir, 'standards');
  const dir = existsSync(sub) ? sub : opts.knowledgeDir;
  return new EligibilityFlow(loadStandards(dir), loadEntitlementMap(dir), opts.knowledge, loadEligLexicon(opts.knowledgeDir));
}

class EligibilityFlow implements Flow {
  readonly name = NAME;
  private readonly steps: Record<StepName, Step>;
  private readonly reader: MessageReader;

  constructor(
    private readonly standards: Standards,
    private readonly map: EntitlementMap,
    private readonly knowledge: KnowledgeBase,
    private readonly lex: EligLexicon,
  ) {
    this.steps = stepTable(lex);
    this.reader = new MessageReader(this.steps, lex);
  }

  tryStart(ctx: TurnContext): TurnResult | null {
    const { nlu } = ctx;
    const payload = ctx.incoming.payload;
    const memo = readMemo(ctx);
    if (payload?.startsWith(`${NAME}:`)) {
      if (payload === `${NAME}:cancel`) {
        delete ctx.session.flow;
        return this.result([{ text: 'Dạ, hiện không có lượt kiểm tra nào đang làm dở ạ.', buttons: [startButton()] }], 'flow');
      }
      const fix = FIX.exec(payload);
      if (fix && memo?.data) return this.correct(ctx, memo.data, fix[1] as Field, '');
      const data = emptyData();
      const area = /^elig:area:(rural|urban)$/.exec(payload);
      if (area) data.area = area[1] as EligData['area'];
      return this.begin(ctx, data, true);
    }
    if (!wordsOf(nlu.matchText)) return null;
    const fix = intent.correctionIn(this.lex, nlu);
    if (fix && memo?.data) return this.correct(ctx, memo.data, fix.field, fix.rest);
    const { facts, badDate } = this.reader.factsIn(nlu);
    const whatIf = memo?.data ? intent.whatIfIn(this.lex, nlu, facts) : null;
    if (whatIf && memo?.data) return this.rerun(ctx, memo, whatIf);
    if (!intent.isStartRequest(this.lex, nlu) && !intent.factsAskForCheck(this.lex, nlu, facts)) return null;
    if (badDate) {
      const text = 'Dạ, ngày anh/chị ghi không có thật. Anh/chị ghi lại theo dạng ngày/tháng/năm, ví dụ 01/01/2027 ạ.';
      return this.result([{ text }], 'clarify');
    }
    const data = emptyData();
    applyFacts(data, facts);
    const hint =
      intent.isFormLine(nlu) && !facts.listGiven
        ? ['Dạ, mẹo: ghi thêm "thiếu: nước sạch, nhà tiêu, BHYT" (hoặc "thiếu: không") vào cuối dòng để có kết quả ngay.']
        : [];
    return this.begin(ctx, data, countFacts(facts) === 0, hint);
  }

  continue(ctx: TurnContext): TurnResult | null {
    const state = ctx.session.flow;
    if (!state || state.name !== NAME) return this.tryStart(ctx);
    const parsed = eligDataSchema.safeParse(state.data);
    if (!parsed.success) {
      delete ctx.session.flow;
      return this.begin(ctx, emptyData(), true, ['Dạ, lượt kiểm tra trước bị gián đoạn, mình làm lại từ đầu nhé.']);
    }
    const data = parsed.data;
    const { nlu } = ctx;
    const payload = ctx.incoming.payload;
    readMemo(ctx); // drops an expired slice

    if (payload === `${NAME}:cancel` || (!payload && intent.isCancel(this.lex, nlu))) {
      delete ctx.session.flow;
      const text = 'Dạ, em đã dừng lượt kiểm tra. Khi cần, anh/chị gõ "kiểm tra hộ nghèo" để làm lại ạ.';
      return this.result([{ text, buttons: [startButton()] }], 'flow');
    }
    if (payload === `${NAME}:restart` || payload === `${NAME}:start` || (!payload && intent.isRestart(this.lex, nlu)))
      return this.begin(ctx, emptyData(), true);
    if (payload === `${NAME}:resume` || (!payload && intent.isResume(this.lex, nlu))) {
      data.paused = false;
      return this.ask(ctx, data, ['Dạ, mình tiếp tục kiểm tra nhé.']);
    }
    const fixPayload = payload ? FIX.exec(payload) : null;
    if (fixPayload) return this.correct(ctx, data, fixPayload[1] as Field, '');
    if (payload && !payload.startsWith(`${NAME}:`)) return null; // another module's button
    if (!payload) {
      const fix = intent.correctionIn(this.lex, nlu);
      if (fix) return this.correct(ctx, data, fix.field, fix.rest);
      const asks = intent.isStartRequest(this.lex, nlu);
      const { facts } = this.reader.factsIn(nlu);
      // A new full form, or a new question with facts: start over with those facts.
      if (intent.isFormLine(nlu) || (asks && countFacts(facts) >= 2)) {
        const fresh = emptyData();
        applyFacts(fresh, facts);
        return this.begin(ctx, fresh, false);
      }
      if (asks) {
        const r = this.ask(ctx, data, ['Dạ, mình đang kiểm tra dở, em hỏi tiếp nhé (gõ "làm lại" để bắt đầu lại từ đầu).']);
        r.replies[0].buttons?.unshift({ label: 'Làm lại', payload: `${NAME}:restart` });
        return r;
      }
    }

    // The answer to the current step.
    const std = this.standardOf(ctx, data);
    const before = JSON.stringify(data);
    let notes: string[] = [];
    if (payload) this.reader.answerButton(data, state.step, payload);
    else if (std) notes = this.reader.answer(data, state.step, std, nlu);
    if (JSON.stringify(data) !== before) {
      data.reasks = 0;
      data.paused = false;
      return this.ask(ctx, data, notes);
    }
    if (!payload && this.reader.looksUnrelated(nlu, state.step, data, std)) {
      data.paused = true;
      ctx.session.flow = { ...state, data: data as Record<string, unknown> };
      return null;
    }
    data.reasks += 1;
    const lines = std ? [this.reader.reask(nlu, state.step, data, std)] : [];
    if (data.reasks >= 3) lines.push('Nếu muốn dừng kiểm tra, anh/chị gõ "hủy" ạ.');
    return this.ask(ctx, data, lines);
  }

  // ---------------------------------------------------------------- moving

  private correct(ctx: TurnContext, stored: EligData, field: Field, rest: string): TurnResult {
    const data = clearField(structuredClone({ ...stored, reasks: 0, paused: false }), field);
    const notes: string[] = [];
    const std = this.standardOf(ctx, data);
    if (rest && field !== 'deprivations' && std) {
      // "sửa thu nhập 5 triệu": the new value may come in the same message.
      const own = this.steps[field].read(intent.narrowTo(ctx.nlu, rest), true, { key: field, data, std });
      applyFacts(data, own);
      const note = incomeNote(own);
      if (note) notes.push(note);
    }
    if (ctx.session.flow?.name !== NAME) this.save(ctx, 'area', data);
    return this.ask(ctx, data, notes.length ? notes : ['Dạ, mình sửa lại nhé.']);
  }

  private rerun(ctx: TurnContext, memo: EligMemo, w: intent.WhatIf): TurnResult {
    const r = applyWhatIf(memo.data!, w, isoDateInVietnam(ctx.now), this.standards);
    if ('problem' in r) return this.result([{ text: r.problem, buttons: [startButton()] }], 'clarify');
    delete ctx.session.flow;
    return this.ask(ctx, r.data, [r.said], memo.category);
  }

  private begin(ctx: TurnContext, data: EligData, guided: boolean, prefix: string[] = []): TurnResult {
    const date = data.date ?? isoDateInVietnam(ctx.now);
    const std = this.standards.standardFor(date);
    if (!std) {
      delete ctx.session.flow;
      const cov = this.standards.coverage!;
      const text = `Dạ, em chỉ có chuẩn nghèo từ ${formatDate(cov.from)} đến ${formatDate(cov.to)}, chưa kiểm tra được cho ngày ${formatDate(date)} ạ.`;
      return this.result([{ text }], 'declined');
    }
    const lines = [...prefix];
    if (guided && !data.area) {
      lines.push(introLine(std));
      const memo: Omit<EligMemo, 'at'> = readMemo(ctx) ?? { said: [] };
      if (sayOnce(memo, [FORM_TIP]).length) {
        lines.push(FORM_TIP);
        writeMemo(ctx, memo);
      }
    }
    ctx.session.flow = { name: NAME, step: 'area', data: data as Record<string, unknown>, startedAt: ctx.clock.now().toISOString() };
    return this.ask(ctx, data, lines);
  }

  private standardOf(ctx: TurnContext, data: EligData): Standard | null {
    return this.standards.standardFor(data.date ?? isoDateInVietnam(ctx.now));
  }

  private save(ctx: TurnContext, step: string, data: EligData): void {
    const prev = ctx.session.flow;
    const startedAt = prev?.name === NAME ? prev.startedAt : ctx.clock.now().toISOString();
    ctx.session.flow = { name: NAME, step, data: data as Record<string, unknown>, startedAt };
  }

  /** Asks the first question still needed, or gives the result when nothing is missing. */
  private ask(ctx: TurnContext, data: EligData, prefix: string[], previous?: Category): TurnResult {
    const std = this.standardOf(ctx, data);
    if (!std) return this.begin(ctx, data, false);
    const name = nextStep(this.steps, data, std);
    if (!name) return this.finish(ctx, data, std, prefix, previous);
    const prevKey = ctx.session.flow?.name === NAME ? ctx.session.flow.step : undefined;
    const q = this.steps[name].ask(data, std, !prevKey?.startsWith('ind:'));
    this.save(ctx, q.key, data);
    const lead = (q.lead ?? []).map((l) => (prefix.length ? l.replace(/^Dạ, (.)/, (_m, c: string) => c.toUpperCase()) : l));
    const lines = [...prefix, ...lead];
    const body = lines.length ? q.text : `Dạ, ${q.text.charAt(0).toLowerCase()}${q.text.slice(1)}`;
    const buttons = [...(q.buttons ?? []), { label: 'Hủy', payload: `${NAME}:cancel` }];
    return this.result([{ text: [...lines, body].join('\n'), buttons }], 'flow');
  }

  private finish(ctx: TurnContext, data: EligData, std: Standard, prefix: string[], previous?: Category): TurnResult {
    const memo: Pick<EligMemo, 'said'> = readMemo(ctx) ?? { said: [] };
    const knowledge = ctx.services?.knowledge ?? this.knowledge;
    const input = { data, std, standards: this.standards, knowledge, map: this.map, now: ctx.now, memo, prefix, previous };
    const { replies, category } = finishCheck(input, data.date ?? isoDateInVietnam(ctx.now));
    delete ctx.session.flow;
    writeMemo(ctx, { data: { ...data, reasks: 0, paused: false }, category, said: memo.said });
    const household = category === 'poor' || category === 'near_poor' || category === 'average' ? category : null;
    return this.result(replies, 'flow', household);
  }

  private result(replies: Reply[], outcome: TurnResult['outcome'], household: HouseholdType | null = null): TurnResult {
    return { replies, topic: 'poverty_standard', household, confidence: 0.95, outcome };
  }
}

function startButton() {
  return { label: 'Kiểm tra hộ nghèo', payload: `${NAME}:start` };
}
