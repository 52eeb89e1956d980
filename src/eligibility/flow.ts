import path from 'node:path';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { Flow, TurnContext } from '../core/context.ts';
import type { Button, Citation, HouseholdType, Reply, TurnResult } from '../domain/types.ts';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { formatDate, formatVndCompact, isoDateInVietnam } from '../format/vi.ts';
import { AREAS, type Area, type EntitlementMap, type Standard } from './schema.ts';
import { loadStandards, loadEntitlementMap, type Standards } from './standards.ts';
import { classify, categoryLabel, areaLabel, vndExact, type Classification } from './classify.ts';
import { entitlementsFor, type Extras } from './entitlements.ts';
import {
  parseArea,
  parseMembers,
  saysZeroMembers,
  parseIncome,
  parseDeprivationList,
  parseYesNo,
  parseDate,
  parseExtras,
  indicatorsIn,
  foldVi,
  type YesNo,
} from './parse.ts';

/**
 * The guided eligibility check as a {@link Flow} named `elig`.
 * State lives in `session.flow` as plain JSON ({ step, data }), so a check survives a restart.
 * Steps: area → members → income → one yes/no question per indicator → result.
 * Facts already given (one-line staff form, or a free-text question) skip their steps.
 */

export interface EligibilityFlowOptions {
  /** `knowledge/` (its `standards/` sub-folder is used) or the standards folder itself. */
  knowledgeDir: string;
  knowledge: KnowledgeBase;
}

const NAME = 'elig';
const TOPIC = 'poverty_standard' as const;
/** A finished check may be corrected ("sửa thu nhập") for this long; then its facts are forgotten. */
const MEMO_TTL_MS = 2 * 3600 * 1000;

const dataSchema = z.object({
  date: z.string().optional(),
  area: z.enum(AREAS).optional(),
  members: z.number().int().min(1).optional(),
  monthly: z.number().min(0).optional(),
  perCapita: z.number().min(0).optional(),
  answers: z.record(z.string(), z.enum(['yes', 'no', 'unknown'])).default({}),
  listGiven: z.boolean().optional(),
  extras: z
    .object({ ethnic_minority: z.boolean().optional(), has_students: z.boolean().optional(), working_age: z.boolean().optional() })
    .default({}),
  reasks: z.number().int().default(0),
  paused: z.boolean().optional(),
  assumed: z.boolean().optional(),
});
type EligData = z.infer<typeof dataSchema>;

type Field = 'area' | 'members' | 'income' | 'deprivations';

function emptyData(): EligData {
  return { answers: {}, extras: {}, reasks: 0 };
}

function resolveStandardsDir(dir: string): string {
  const sub = path.join(dir, 'standards');
  return existsSync(sub) ? sub : dir;
}

export function createEligibilityFlow(opts: EligibilityFlowOptions): Flow {
  const dir = resolveStandardsDir(opts.knowledgeDir);
  const standards = loadStandards(dir);
  const map = loadEntitlementMap(dir);
  return new EligibilityFlow(standards, map, opts.knowledge);
}

// ------------------------------------------------------------------ intent detection

/** The staff one-line form: "kiểm tra: ..." or "kiểm tra ngày 01/01/2027: ...". */
const FORM_PREFIX = /^kiem tra\b[^:]{0,30}:/;

const PROCEDURE_WORDS =
  /\b(thu tuc|khi nao|bao gio|o dau|ho so|giay to|quy trinh|lam sao|lam the nao|nhu the nao|the nao la|la gi|duoc gi|huong gi|ai xet|ai cong nhan)\b/;

/** Words of other policy questions: with these, facts alone do not start a check ("... có được vay vốn hộ nghèo không"). */
const OTHER_TOPIC_WORDS = /\b(vay|lai suat|hoc phi|tro giup phap ly|hoc nghe|tien dien|ho tro nha|xay nha|mai tang|tro cap)\b/;

/** Does this message ask for a household check (not a question about the rules or procedure)? */
export function isStartRequest(folded: string): boolean {
  if (FORM_PREFIX.test(folded)) return true;
  if (
    /\b(kiem tra|xet|xac dinh|danh gia|tu kiem tra|sang loc|thu xem)\b(?: [a-z]+){0,3} (dien )?ho (can )?ngheo\b/.test(folded) &&
    !PROCEDURE_WORDS.test(folded)
  )
    return true;
  if (
    /\b(co|duoc|thuoc|xep|phai|la|vao|vo|lot)\b(?: (?:duoc|xep|la|thuoc|vao|vo|lot|cong nhan|coi|tinh|phai|dien|thanh|nam|trong|goi|du|dieu kien|danh sach|muc|tieu chuan|chuan|o))* (dien )?ho (can )?ngheo(?: hay)? (khong|ko|k|chua)\b/.test(
      folded,
    ) &&
    !PROCEDURE_WORDS.test(folded)
  )
    return true;
  if (/\b(ho (can )?ngheo|chuan ngheo)\b/.test(folded) && /\bkiem tra (giup|ho|dum)\b/.test(folded)) return true;
  return false;
}

function isCancel(folded: string): boolean {
  const t = folded.replace(/[^a-z0-9 ]+/g, ' ').trim();
  const words = t.split(/\s+/);
  if (words.length > 6) return false;
  return (
    /^(huy|thoi|thoat|cancel|stop|ket thuc|dung lai|bo qua)\b/.test(t) ||
    /\b(huy kiem tra|khong kiem tra nua|thoi khong kiem tra)\b/.test(t)
  );
}

function isResume(folded: string): boolean {
  return (
    /^(tiep tuc|tiep|lam tiep|kiem tra tiep|tiep di|tiep tuc kiem tra)\b/.test(folded.trim()) && folded.trim().split(/\s+/).length <= 5
  );
}

function isRestart(folded: string): boolean {
  return /^(lam lai|bat dau lai|kiem tra lai tu dau|kiem tra lai)\b/.test(folded.trim()) && folded.trim().split(/\s+/).length <= 6;
}

function correctionIn(folded: string): Field | null {
  const m =
    /\b(sua|doi|nhap lai|chinh lai|sua lai)\b\s*(lai\s*)?(thu nhap|so nguoi|so khau|nhan khau|so thanh vien|khu vuc|dia ban|noi o|chi so|thieu hut|cau tra loi)/.exec(
      folded,
    );
  if (!m) return null;
  const w = m[3];
  if (w === 'thu nhap') return 'income';
  if (/so nguoi|so khau|nhan khau|so thanh vien/.test(w)) return 'members';
  if (/khu vuc|dia ban|noi o/.test(w)) return 'area';
  return 'deprivations';
}

const QUESTION_MARK =
  /\?|\b(khong|ko|chua|bao nhieu|the nao|nhu the nao|lam sao|o dau|gi|sao|khi nao|bao gio|duoc khong|may)\s*$|\b(cho (toi|em|minh) hoi|hoi ve|muon hoi)\b/;

/** Facts found anywhere in a message (not lenient). */
function factsIn(folded: string): {
  area?: Area;
  members?: number;
  monthly?: number;
  perCapita?: number;
  deprivations?: string[];
  date?: string | 'invalid';
  extras: Extras;
} {
  const out: ReturnType<typeof factsIn> = { extras: parseExtras(folded) };
  const area = parseArea(folded);
  if (area) out.area = area;
  const members = parseMembers(folded);
  if (members) out.members = members;
  const income = parseIncome(folded);
  if (income) {
    if (income.perCapita !== undefined) out.perCapita = income.perCapita;
    else out.monthly = income.monthly;
  }
  const dep = parseDeprivationList(folded);
  if (dep) out.deprivations = dep;
  const date = parseDate(folded);
  if (date) out.date = date;
  return out;
}

/**
 * The folded text to read: our own folding of the original (keeps "1,5", "/người", "kiểm tra:"),
 * falling back to the NLU's folded form; `nlu` is the NLU's form, used for intent as well.
 */
function readText(ctx: TurnContext): { folded: string; nlu: string } {
  const nlu = ctx.nlu?.folded ?? '';
  const original = ctx.nlu?.original || ctx.incoming.text || '';
  const own = original ? foldVi(original) : '';
  return { folded: own || nlu, nlu: nlu || own };
}

function countFacts(f: ReturnType<typeof factsIn>): number {
  return [f.area, f.members, f.monthly ?? f.perCapita, f.deprivations].filter((v) => v !== undefined).length;
}

// ------------------------------------------------------------------ the flow

class EligibilityFlow implements Flow {
  readonly name = NAME;

  constructor(
    private readonly standards: Standards,
    private readonly map: EntitlementMap,
    private readonly knowledge: KnowledgeBase,
  ) {}

  tryStart(ctx: TurnContext): TurnResult | null {
    const payload = ctx.incoming.payload;
    const { folded, nlu } = readText(ctx);
    forgetExpiredMemo(ctx);
    if (payload?.startsWith(`${NAME}:`)) {
      if (payload === `${NAME}:cancel`) {
        delete ctx.session.flow;
        return this.result([{ text: 'Dạ, hiện không có lượt kiểm tra nào đang làm dở ạ.', buttons: [startButton()] }], null, 'flow');
      }
      const fix = /^elig:fix:(area|members|income|deprivations)$/.exec(payload);
      if (fix) {
        const restored = this.restoreFromMemo(ctx);
        if (restored) return this.correct(ctx, restored, fix[1] as Field, '');
      }
      const data = emptyData();
      const area = /^elig:area:(rural|urban)$/.exec(payload);
      if (area) data.area = area[1] as Area;
      return this.begin(ctx, data, true);
    }
    if (!folded) return null;

    const fix = correctionIn(folded);
    if (fix) {
      const restored = this.restoreFromMemo(ctx);
      if (restored) return this.correct(ctx, restored, fix, folded);
    }

    const facts = factsIn(folded);
    const asks = isStartRequest(folded) || isStartRequest(nlu);
    const withFacts =
      countFacts(facts) >= 2 && /\bngheo\b/.test(folded) && !PROCEDURE_WORDS.test(folded) && !OTHER_TOPIC_WORDS.test(folded);
    if (!asks && !withFacts) return null;
    if (facts.date === 'invalid') {
      return this.result(
        [{ text: 'Dạ, ngày anh/chị ghi không có thật. Anh/chị ghi lại theo dạng ngày/tháng/năm, ví dụ 01/01/2027 ạ.' }],
        null,
        'clarify',
      );
    }
    const data = emptyData();
    this.absorb(data, facts);
    const hint =
      FORM_PREFIX.test(folded) && !facts.deprivations
        ? ['Dạ, mẹo: ghi thêm "thiếu: nước sạch, nhà tiêu, BHYT" (hoặc "thiếu: không") vào cuối dòng để có kết quả ngay.']
        : [];
    return this.begin(ctx, data, countFacts(facts) === 0, hint);
  }

  continue(ctx: TurnContext): TurnResult | null {
    const state = ctx.session.flow;
    if (!state || state.name !== NAME) return this.tryStart(ctx);
    const parsed = dataSchema.safeParse(state.data);
    if (!parsed.success) {
      delete ctx.session.flow;
      return this.begin(ctx, emptyData(), true, ['Dạ, lượt kiểm tra trước bị gián đoạn, mình làm lại từ đầu nhé.']);
    }
    const data = parsed.data;
    const step = state.step;
    const payload = ctx.incoming.payload;
    const { folded, nlu } = readText(ctx);
    forgetExpiredMemo(ctx);

    // Control words and buttons.
    if (payload === `${NAME}:cancel` || (!payload && (isCancel(folded) || isCancel(nlu)))) {
      delete ctx.session.flow;
      return this.result(
        [{ text: 'Dạ, em đã dừng lượt kiểm tra. Khi cần, anh/chị gõ "kiểm tra hộ nghèo" để làm lại ạ.', buttons: [startButton()] }],
        null,
        'flow',
      );
    }
    if (payload === `${NAME}:restart` || payload === `${NAME}:start` || (!payload && isRestart(folded))) {
      return this.begin(ctx, emptyData(), true);
    }
    if (payload === `${NAME}:resume` || (!payload && isResume(folded))) {
      data.paused = false;
      return this.ask(ctx, data, ['Dạ, mình tiếp tục kiểm tra nhé.']);
    }
    const fixPayload = payload ? /^elig:fix:(area|members|income|deprivations)$/.exec(payload) : null;
    if (fixPayload) return this.correct(ctx, data, fixPayload[1] as Field, '');
    if (!payload) {
      const fix = correctionIn(folded);
      if (fix) return this.correct(ctx, data, fix, folded);
    }

    // A new full form or a new question with facts: start over with those facts.
    if (!payload && (FORM_PREFIX.test(folded) || ((isStartRequest(folded) || isStartRequest(nlu)) && countFacts(factsIn(folded)) >= 2))) {
      const fresh = emptyData();
      this.absorb(fresh, factsIn(folded));
      return this.begin(ctx, fresh, false);
    }

    if (!payload && (isStartRequest(folded) || isStartRequest(nlu))) {
      const r = this.ask(ctx, data, ['Dạ, mình đang kiểm tra dở, em hỏi tiếp nhé (gõ "làm lại" để bắt đầu lại từ đầu).']);
      r.replies[0].buttons?.unshift({ label: 'Làm lại', payload: `${NAME}:restart` });
      return r;
    }

    // The answer to the current step.
    const before = JSON.stringify(data);
    const notes: string[] = [];
    if (payload) {
      const area = /^elig:area:(rural|urban)$/.exec(payload);
      const members = /^elig:members:(\d{1,3})$/.exec(payload);
      const yn = /^elig:(yes|no|unknown)$/.exec(payload);
      if (area) data.area = area[1] as Area;
      else if (members) data.members = Math.max(1, Number(members[1]));
      else if (yn && step.startsWith('ind:')) data.answers[step.slice(4)] = yn[1] as YesNo;
      else if (!payload.startsWith(`${NAME}:`)) return null; // another module's button
    } else {
      this.answerStep(data, step, folded, notes);
    }

    if (JSON.stringify(data) === before) {
      if (!payload && this.looksUnrelated(folded, step)) {
        data.paused = true;
        ctx.session.flow = { ...state, data: data as Record<string, unknown> };
        return null;
      }
      data.reasks += 1;
      const lines = [this.reaskText(step, folded)];
      if (data.reasks >= 3) lines.push('Nếu muốn dừng kiểm tra, anh/chị gõ "hủy" ạ.');
      return this.ask(ctx, data, lines);
    }
    data.reasks = 0;
    data.paused = false;
    return this.ask(ctx, data, notes);
  }

  // ---------------------------------------------------------------- steps

  /** Fills facts from a message into data (without overwriting with nothing). */
  private absorb(data: EligData, f: ReturnType<typeof factsIn>): void {
    if (f.area) data.area = f.area;
    if (f.members) data.members = f.members;
    if (f.perCapita !== undefined) {
      data.perCapita = f.perCapita;
      delete data.monthly;
    } else if (f.monthly !== undefined) {
      data.monthly = f.monthly;
      delete data.perCapita;
    }
    if (f.deprivations) {
      data.answers = {};
      for (const id of f.deprivations) data.answers[id] = 'yes';
      data.listGiven = true;
    }
    if (f.date && f.date !== 'invalid') data.date = f.date;
    data.extras = { ...data.extras, ...f.extras };
  }

  private answerStep(data: EligData, step: string, folded: string, notes: string[]): void {
    // Lenient reading of the fact just asked for, then any other facts in the same message.
    if (step === 'area') {
      const a = parseArea(folded, true);
      if (a) data.area = a;
    } else if (step === 'members') {
      if (!saysZeroMembers(folded)) {
        const n = parseMembers(folded, true);
        if (n) data.members = n;
      }
    } else if (step === 'income') {
      const inc = parseIncome(folded, true);
      if (inc) {
        setIncome(data, inc);
        data.assumed = inc.raw.assumedMillions;
        if (inc.raw.perYear) notes.push(`Dạ, em đổi thu nhập cả năm ra mỗi tháng: ${vndExact(Math.round(inc.raw.vnd / 12))}.`);
      }
    } else if (step.startsWith('ind:')) {
      const yn = parseYesNo(folded);
      if (yn) data.answers[step.slice(4)] = yn;
    }
    const other = factsIn(folded);
    if (step !== 'area' && other.area) data.area = other.area;
    if (step !== 'members' && other.members && step !== 'income') data.members = other.members;
    if (step !== 'income' && (other.monthly !== undefined || other.perCapita !== undefined) && !step.startsWith('ind:'))
      setIncome(data, other);
    if (other.deprivations && !step.startsWith('ind:')) this.absorb(data, { extras: {}, deprivations: other.deprivations });
    data.extras = { ...data.extras, ...other.extras };
  }

  private looksUnrelated(folded: string, step: string): boolean {
    const words = folded.split(/\s+/).filter(Boolean);
    if (words.length < 4) return false;
    // Talking about the thing just asked is an unclear answer, not another question.
    if (step === 'income' && /\b(thu nhap|tien|luong|kiem duoc)\b/.test(folded)) return false;
    if (step === 'members' && /\b(nguoi|khau|thanh vien)\b/.test(folded)) return false;
    if (step === 'area' && /\b(nong thon|thanh thi|xa|phuong|thon|pho)\b/.test(folded)) return false;
    if (step.startsWith('ind:') && indicatorsIn(folded).includes(step.slice(4))) return false;
    return QUESTION_MARK.test(folded) || words.length >= 8;
  }

  private reaskText(step: string, folded: string): string {
    if (step === 'area') return 'Dạ, em chưa rõ khu vực. Nhà mình ở nông thôn (xã) hay thành thị (phường, thị trấn) ạ?';
    if (step === 'members') {
      if (saysZeroMembers(folded)) return 'Dạ, hộ phải có ít nhất 1 người. Anh/chị cho em biết số người trong hộ ạ.';
      return 'Dạ, anh/chị cho em biết số người trong hộ bằng con số, ví dụ "4" hoặc "4 người" ạ.';
    }
    if (step === 'income')
      return 'Dạ, em chưa đọc được số tiền. Anh/chị ghi giúp em, ví dụ "6 triệu", "6tr", "1tr5", "6.000.000đ" hoặc "1,5 triệu/người" ạ.';
    return 'Dạ, anh/chị trả lời giúp em "Có", "Không" hoặc "Không rõ" ạ.';
  }

  private correct(ctx: TurnContext, data: EligData, field: Field, folded: string): TurnResult {
    if (field === 'area') delete data.area;
    if (field === 'members') delete data.members;
    if (field === 'income') {
      delete data.monthly;
      delete data.perCapita;
    }
    if (field === 'deprivations') {
      data.answers = {};
      data.listGiven = false;
    }
    const notes: string[] = [];
    if (folded) {
      // "sửa thu nhập 5 triệu": the new value may come in the same message.
      const rest = folded.replace(
        /^.*?\b(thu nhap|so nguoi|so khau|nhan khau|so thanh vien|khu vuc|dia ban|noi o|chi so|thieu hut|cau tra loi)\b\s*(thanh|la|:)?\s*/,
        '',
      );
      if (rest && field !== 'deprivations') this.answerStep(data, field, rest, notes);
    }
    data.reasks = 0;
    data.paused = false;
    return this.ask(ctx, data, notes.length ? notes : ['Dạ, mình sửa lại nhé.']);
  }

  private begin(ctx: TurnContext, data: EligData, guided: boolean, prefix: string[] = []): TurnResult {
    const date = data.date ?? isoDateInVietnam(ctx.now);
    const std = this.standards.standardFor(date);
    if (!std) {
      delete ctx.session.flow;
      const cov = this.standards.coverage;
      return this.result(
        [
          {
            text: `Dạ, em chỉ có chuẩn nghèo từ ${formatDate(cov!.from)} đến ${formatDate(cov!.to)}, chưa kiểm tra được cho ngày ${formatDate(date)} ạ.`,
          },
        ],
        null,
        'declined',
      );
    }
    const lines = [...prefix];
    if (guided && !data.area) {
      lines.push(
        `Dạ, em giúp kiểm tra sơ bộ hộ có thuộc diện hộ nghèo, hộ cận nghèo không, theo ${std.title.charAt(0).toLowerCase() + std.title.slice(1)} (áp dụng đến ${formatDate(std.effective_to)}). Em hỏi vài câu ngắn; gõ "hủy" để dừng, "sửa thu nhập" để sửa.`,
      );
    }
    ctx.session.flow = { name: NAME, step: 'area', data: data as Record<string, unknown>, startedAt: ctx.clock.now().toISOString() };
    return this.ask(ctx, data, lines);
  }

  private restoreFromMemo(ctx: TurnContext): EligData | null {
    const memo = ctx.session.memo?.[NAME] as { data?: unknown; at?: string } | undefined;
    if (!memo?.at || ctx.clock.nowMs() - Date.parse(memo.at) > MEMO_TTL_MS) return null;
    const parsed = dataSchema.safeParse(memo.data);
    if (!parsed.success) return null;
    ctx.session.flow = { name: NAME, step: 'area', data: parsed.data as Record<string, unknown>, startedAt: ctx.clock.now().toISOString() };
    return parsed.data;
  }

  private standardOf(ctx: TurnContext, data: EligData): Standard | null {
    return this.standards.standardFor(data.date ?? isoDateInVietnam(ctx.now));
  }

  /** Moves to the first missing fact and asks for it, or gives the result when nothing is missing. */
  private ask(ctx: TurnContext, data: EligData, prefix: string[]): TurnResult {
    const std = this.standardOf(ctx, data);
    if (!std) return this.begin(ctx, data, false);
    const lines = [...prefix];
    const save = (step: string) => {
      const prev = ctx.session.flow;
      ctx.session.flow = {
        name: NAME,
        step,
        data: data as Record<string, unknown>,
        startedAt: prev?.name === NAME ? prev.startedAt : ctx.clock.now().toISOString(),
      };
    };
    const reply = (text: string, buttons: Button[]): TurnResult => {
      buttons.push({ label: 'Hủy', payload: `${NAME}:cancel` });
      const body = lines.length ? text : `Dạ, ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
      return this.result([{ text: [...lines, body].filter(Boolean).join('\n'), buttons }], null, 'flow');
    };

    if (!data.area) {
      save('area');
      return reply('Nhà mình ở nông thôn hay thành thị ạ?', [
        { label: 'Nông thôn', payload: `${NAME}:area:rural` },
        { label: 'Thành thị', payload: `${NAME}:area:urban` },
      ]);
    }
    if (data.perCapita === undefined && !data.members) {
      save('members');
      return reply(
        'Hộ mình có bao nhiêu người (tính cả người già, trẻ nhỏ cùng ăn ở chung) ạ?',
        [2, 3, 4, 5, 6].map((n) => ({ label: `${n} người`, payload: `${NAME}:members:${n}` })),
      );
    }
    if (data.perCapita === undefined && data.monthly === undefined) {
      save('income');
      return reply(
        'Tổng thu nhập một tháng của cả hộ khoảng bao nhiêu ạ? (tính cả tiền công, bán nông sản, lương hưu, trợ cấp...). Có thể ghi tổng, ví dụ "6 triệu", "6tr", "6.000.000đ", hoặc bình quân mỗi người, ví dụ "1,5 triệu/người".',
        [],
      );
    }
    const line = std.income_line_vnd[data.area];
    const perCapita = data.perCapita ?? data.monthly! / data.members!;
    const justGotIncome = ctx.session.flow?.step === 'income' || ctx.session.flow?.step === 'members';
    if (perCapita <= line && !data.listGiven) {
      const next = std.indicators.find((i) => data.answers[i.id] === undefined);
      if (next) {
        const index = std.indicators.indexOf(next) + 1;
        if (index === 1 || justGotIncome) {
          lines.push(
            `${incomeSummary(data, perCapita)} Mức này bằng hoặc thấp hơn chuẩn nghèo ${formatVndCompact(line)}/người/tháng ở khu vực ${areaLabel(data.area)}. Em hỏi thêm ${std.indicators.length} câu ngắn về điều kiện sống; bấm "Có" nếu đúng với nhà mình.`,
          );
        }
        save(`ind:${next.id}`);
        return reply(`Câu ${index}/${std.indicators.length} (${next.label}): ${next.question}`, [
          { label: 'Có', payload: `${NAME}:yes` },
          { label: 'Không', payload: `${NAME}:no` },
          { label: 'Không rõ', payload: `${NAME}:unknown` },
        ]);
      }
    }
    return this.finish(ctx, data, std, lines);
  }

  private finish(ctx: TurnContext, data: EligData, std: Standard, prefix: string[]): TurnResult {
    const date = data.date ?? isoDateInVietnam(ctx.now);
    const facts = {
      date,
      area: data.area,
      members: data.members ?? null,
      monthly_income_vnd: data.perCapita === undefined ? data.monthly : null,
      income_per_capita_vnd: data.perCapita ?? null,
      deprivations: Object.entries(data.answers)
        .filter(([, v]) => v === 'yes')
        .map(([k]) => k),
      unknown_indicators: Object.entries(data.answers)
        .filter(([, v]) => v === 'unknown')
        .map(([k]) => k),
    };
    const res = classify(facts, this.standards);
    const replies: Reply[] = [];
    const text: string[] = [...prefix];
    text.push(headline(res));
    text.push('Cách tính:');
    for (const r of res.reasons) text.push(`• ${r}`);
    if (data.assumed)
      text.push(
        `• Em hiểu số tiền anh/chị ghi là ${formatVndCompact(data.monthly ?? data.perCapita ?? 0)}; nếu chưa đúng, gõ "sửa thu nhập".`,
      );
    const complete = Boolean(data.listGiven) || std.indicators.every((i) => data.answers[i.id] !== undefined);
    const preview = this.preview(facts, std, date, complete);
    if (preview) text.push(preview);
    if (res.cautions.length) {
      text.push('Lưu ý:');
      for (const c of res.cautions.slice(0, 4)) text.push(`• ${c}`);
    }
    text.push(res.disclaimer);
    replies.push({
      text: text.join('\n'),
      citations: res.citations,
      buttons: [
        { label: 'Sửa thu nhập', payload: `${NAME}:fix:income` },
        { label: 'Sửa chỉ số thiếu hụt', payload: `${NAME}:fix:deprivations` },
        { label: 'Kiểm tra hộ khác', payload: `${NAME}:start` },
      ],
    });
    const ent = this.entitlementsReply(res, data.extras, ctx);
    if (ent) replies.push(ent);

    delete ctx.session.flow;
    ctx.session.memo = {
      ...(ctx.session.memo ?? {}),
      [NAME]: { data: { ...data, reasks: 0, paused: false }, at: ctx.clock.now().toISOString() },
    };
    const household: HouseholdType | null =
      res.category === 'poor' || res.category === 'near_poor' || res.category === 'average' ? res.category : null;
    return this.result(replies, household, 'flow');
  }

  /** In 2026, one line on what the same facts give under the 2027-2030 standard. */
  private preview(facts: Parameters<typeof classify>[0], std: Standard, date: string, complete: boolean): string | null {
    const nextStart = addDay(std.effective_to);
    const next = this.standards.standardFor(nextStart);
    if (!next || date.slice(0, 4) !== std.effective_to.slice(0, 4)) return null;
    let res: Classification;
    try {
      res = classify(
        {
          ...facts,
          date: nextStart,
          deprivations: complete ? facts.deprivations?.filter((d) => next.indicators.some((i) => i.id === d)) : undefined,
        },
        this.standards,
      );
    } catch {
      return null;
    }
    const newOnes = next.indicators.filter((i) => !std.indicators.some((j) => j.id === i.id)).map((i) => i.label);
    const newNote = newOnes.length ? ` Chỉ số mới (${newOnes.join(', ')}) chưa được hỏi nên chưa tính.` : '';
    const cat =
      res.category === 'need_more_info'
        ? 'thu nhập bình quân bằng hoặc thấp hơn chuẩn mới, nên hộ có thể là hộ nghèo hoặc hộ cận nghèo tùy số chỉ số thiếu hụt'
        : categoryLabel(res.category);
    return `Tham khảo: từ ${formatDate(nextStart)} áp dụng ${next.title.charAt(0).toLowerCase() + next.title.slice(1)} (chuẩn nghèo ${areaLabel(facts.area!)} ${formatVndCompact(res.income_line_vnd ?? 0)}/người/tháng); với cùng thông tin, kết quả sơ bộ sẽ là: ${cat}.${newNote}`;
  }

  private entitlementsReply(res: Classification, extras: Extras, ctx: TurnContext): Reply | null {
    const knowledge = ctx.services?.knowledge ?? this.knowledge;
    if (res.category === 'not_poor') {
      return {
        text: 'Dạ, hộ không thuộc diện hộ nghèo, hộ cận nghèo thì không hưởng các chính sách dành riêng cho hai diện này. Nếu hoàn cảnh thay đổi (ốm đau, mất việc, thiên tai...), hộ có thể làm giấy đề nghị rà soát gửi UBND xã.',
      };
    }
    if (res.category === 'need_more_info') return null;
    const list = entitlementsFor(res.category, extras, knowledge, ctx.now, this.map);
    if (!list.length) return null;
    const shown = list.slice(0, 6);
    const lines = [`Dạ, nếu được công nhận là ${categoryLabel(res.category)}, hộ thường được hưởng các hỗ trợ sau:`];
    for (const e of shown) {
      const body = firstSentences(stripDa(e.text), 1);
      const cond = e.condition ? ` (${e.condition})` : '';
      lines.push(`• ${e.title}${cond}: ${body}${e.note ? ` ${e.note}` : ''}`);
    }
    if (list.length > shown.length)
      lines.push(
        `Còn có: ${list
          .slice(shown.length)
          .map((e) => e.title)
          .join('; ')}.`,
      );
    lines.push('Mức hỗ trợ cụ thể có thể khác theo địa phương; hỏi cán bộ chính sách xã để biết chắc.');
    const citations: Citation[] = [];
    for (const e of shown) for (const c of e.citations) if (!citations.some((x) => x.instrument === c.instrument)) citations.push(c);
    return {
      text: lines.join('\n'),
      citations: citations.slice(0, 6),
      buttons: shown.slice(0, 3).map((e) => ({ label: shortTitle(e.title), payload: `kb:${e.id}` })),
    };
  }

  private result(replies: Reply[], household: HouseholdType | null, outcome: TurnResult['outcome']): TurnResult {
    return { replies, topic: TOPIC, household, confidence: 0.95, outcome };
  }
}

/** A finished check's facts are kept only briefly (for "sửa thu nhập"); drop them once expired. */
function forgetExpiredMemo(ctx: TurnContext): void {
  const memo = ctx.session.memo?.[NAME] as { at?: string } | undefined;
  if (!memo) return;
  if (!memo.at || ctx.clock.nowMs() - Date.parse(memo.at) > MEMO_TTL_MS) {
    const { [NAME]: _drop, ...rest } = ctx.session.memo!;
    ctx.session.memo = rest;
  }
}

// ------------------------------------------------------------------ text helpers

function startButton(): Button {
  return { label: 'Kiểm tra hộ nghèo', payload: `${NAME}:start` };
}

function incomeSummary(data: EligData, perCapita: number): string {
  if (data.perCapita !== undefined) return `Dạ, em ghi: thu nhập bình quân ${formatVndCompact(perCapita)}/người/tháng.`;
  return `Dạ, em ghi: tổng thu nhập ${formatVndCompact(data.monthly!)}/tháng, ${data.members} người, bình quân ${formatVndCompact(Math.round(perCapita))}/người/tháng.`;
}

function headline(res: Classification): string {
  const lead = 'Dạ, theo thông tin anh/chị nêu, kết quả sàng lọc:';
  switch (res.category) {
    case 'poor':
      return `${lead} hộ có thể thuộc diện HỘ NGHÈO.`;
    case 'near_poor':
      return `${lead} hộ có thể thuộc diện HỘ CẬN NGHÈO.`;
    case 'average':
      return `${lead} hộ không thuộc diện hộ nghèo hay cận nghèo, mà có thể thuộc diện HỘ CÓ MỨC SỐNG TRUNG BÌNH.`;
    case 'not_poor':
      return `${lead} hộ KHÔNG thuộc diện hộ nghèo hay hộ cận nghèo.`;
    default:
      return `${lead} chưa đủ thông tin để xếp loại.`;
  }
}

function stripDa(s: string): string {
  const t = s
    .replace(/^\s*Dạ,\s*/, '')
    .replace(/^có\.\s*/i, '')
    .trim();
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** The first `n` sentences ("150.000 đồng" and "1,5 triệu" are not sentence ends). */
export function firstSentences(s: string, n: number): string {
  const parts = s.split(/(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9"“(])/u);
  return parts.slice(0, n).join(' ').trim();
}

function shortTitle(title: string): string {
  const t = title.replace(/\s*\(.*\)\s*$/, '');
  return t.length > 40 ? t.slice(0, 39) + '…' : t;
}

function addDay(iso: string): string {
  const d = new Date(iso + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Records an income as either per person or household total, dropping the other form. */
function setIncome(data: { perCapita?: number; monthly?: number }, inc: { perCapita?: number; monthly?: number }): void {
  if (inc.perCapita !== undefined) {
    data.perCapita = inc.perCapita;
    delete data.monthly;
  } else {
    data.monthly = inc.monthly;
    delete data.perCapita;
  }
}
