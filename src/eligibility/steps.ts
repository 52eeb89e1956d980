import type { Button, Reply } from '../domain/types.ts';
import { formatDate, formatVndCompact } from '../format/vi.ts';
import { extractAreaType, extractMembers, MAX_HOUSEHOLD_SIZE, readMembers } from '../nlu/entities.ts';
import { readMoney } from '../nlu/money.ts';
import type { Understanding } from '../nlu/types.ts';
import { deprivationList, indicatorsNamed, yesNo } from './answers.ts';
import { areaLabel, vndExact } from './classify.ts';
import { type EligData, perCapitaOf } from './data.ts';
import { type EligLexicon, textsOf } from './lexicon.ts';
import type { Standard } from './schema.ts';

/**
 * The guided check as a table of steps (the aides-jeunes questionnaire / grammY router shape). Each
 * step says whether it is still needed, how it asks, how it reads an answer and how it asks again; the
 * order of the table is the order of the questions. `read(nlu, true)` is the lenient reading of an
 * answer to this very question ("6" is 6 people when members were asked, 6 triệu when income was);
 * `read(nlu, false)` is what any message says about this fact. Money, size and area are read by the
 * NLU's extractors; only this domain's answers (yes/no, indicator names) are read here.
 */

/** The questions of the check, in the order they are asked. */
export const STEP_NAMES = ['area', 'members', 'income', 'indicator'] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** Where the check stands: the stored step key ("area", "members", "income", "ind:<id>"), data and standard. */
export interface StepAt {
  key: string;
  data: EligData;
  std: Standard;
}

/** A question of the check: the reply to send and the step key to store in `session.flow.step`. */
export interface Question extends Reply {
  key: string;
  /** Lines said before the question (the income summary before the indicator questions). */
  lead?: string[];
}

/** One question of the check: when it is needed, how it asks, reads an answer and asks again. */
export interface Step {
  isNeeded(data: EligData, std: Standard): boolean;
  /** `arriving`: the previous question was another step (so the indicator questions are introduced). */
  ask(data: EligData, std: Standard, arriving?: boolean): Question;
  read(nlu: Understanding, lenient: boolean, at?: StepAt): Partial<EligData>;
  reask(nlu: Understanding, at: StepAt): string;
  /** The message talks about this step's subject: an unclear answer, re-asked rather than read as leaving. */
  mentions(nlu: Understanding, at: StepAt): boolean;
}

/** The step a stored key belongs to. */
export function stepOf(key: string): StepName {
  return key.startsWith('ind:') ? 'indicator' : (STEP_NAMES as readonly string[]).includes(key) ? (key as StepName) : 'area';
}

/** While answering one step, the facts of these other steps are also taken from the same message. */
export const ALSO_READS: Record<StepName, StepName[]> = {
  area: ['members', 'income', 'indicator'],
  members: ['area', 'income', 'indicator'],
  income: ['area', 'indicator'],
  indicator: ['area', 'members'],
};

/** The income in a message: the first amount, per month, total or per person. */
function incomeOf(nlu: Understanding, lenient: boolean): Partial<EligData> {
  const m = lenient ? readMoney(nlu.matchText, { lenient: true })[0] : (nlu.entities.money[0] ?? readMoney(nlu.matchText)[0]);
  if (!m) return {};
  const v = Math.round(m.perYear ? m.vnd / 12 : m.vnd);
  const assumed = 'assumed' in m ? Boolean(m.assumed) : false;
  return { ...(m.perPerson ? { perCapita: v } : { monthly: v }), assumed: assumed || undefined, yearly: m.perYear || undefined };
}

/** The summary said before the indicator questions: what was noted and how it compares with the line. */
function incomeSummary(data: EligData, std: Standard): string {
  const line = std.income_line_vnd[data.area!];
  const per = perCapitaOf(data)!;
  const noted =
    data.perCapita !== undefined
      ? `Dạ, em ghi: thu nhập bình quân ${formatVndCompact(per)}/người/tháng.`
      : `Dạ, em ghi: tổng thu nhập ${formatVndCompact(data.monthly!)}/tháng, ${data.members} người, bình quân ${formatVndCompact(Math.round(per))}/người/tháng.`;
  const left = std.indicators.filter((i) => data.answers[i.id] === undefined).length;
  return `${noted} Mức này bằng hoặc thấp hơn chuẩn nghèo ${formatVndCompact(line)}/người/tháng ở khu vực ${areaLabel(data.area!)}. Em hỏi thêm ${left} câu ngắn về điều kiện sống; bấm "Có" nếu đúng với nhà mình.`;
}

/** The first lines of a guided check: what it does, by which standard, and how to stop or correct. */
export function introLine(std: Standard): string {
  const title = std.title.charAt(0).toLowerCase() + std.title.slice(1);
  return `Dạ, em giúp kiểm tra sơ bộ hộ có thuộc diện hộ nghèo, hộ cận nghèo không, theo ${title} (áp dụng đến ${formatDate(std.effective_to)}). Em hỏi vài câu ngắn; gõ "hủy" để dừng, "sửa thu nhập" để sửa.`;
}

/** Said once per conversation when a guided check starts: staff can check a household in one line. */
export const FORM_TIP =
  'Cán bộ kiểm tra nhiều hộ có thể gõ một dòng, ví dụ: "kiểm tra: nông thôn, 4 người, thu nhập 5 triệu, thiếu bhyt, nhà tạm".';

/** The note said when an income given per year was turned into a monthly one. */
export function incomeNote(patch: Partial<EligData>): string | null {
  if (!patch.yearly) return null;
  const v = patch.monthly ?? patch.perCapita;
  return v === undefined ? null : `Dạ, em đổi thu nhập cả năm ra mỗi tháng: ${vndExact(v)}.`;
}

/** The table. `lex` is the vocabulary of `knowledge/lexicon/eligibility.yaml`. */
export function stepTable(lex: EligLexicon): Record<StepName, Step> {
  return {
    area: {
      isNeeded: (data) => !data.area,
      ask: () => ({
        key: 'area',
        text: 'Nhà mình ở nông thôn hay thành thị ạ?',
        buttons: [
          { label: 'Nông thôn', payload: 'elig:area:rural' },
          { label: 'Thành thị', payload: 'elig:area:urban' },
        ],
      }),
      read: (nlu, lenient) => {
        const area = lenient
          ? (extractAreaType(nlu.matchText, { lenient }) ?? extractAreaType(nlu.folded, { lenient }))
          : (nlu.entities.areaType ?? extractAreaType(nlu.matchText));
        return area ? { area } : {};
      },
      reask: () => 'Dạ, em chưa rõ khu vực. Nhà mình ở nông thôn (xã) hay thành thị (phường, thị trấn) ạ?',
      mentions: (nlu) => lex.aboutStep.area.any(textsOf(nlu)),
    },
    members: {
      isNeeded: (data) => data.perCapita === undefined && !data.members,
      ask: () => ({
        key: 'members',
        text: 'Hộ mình có bao nhiêu người (tính cả người già, trẻ nhỏ cùng ăn ở chung) ạ?',
        buttons: [2, 3, 4, 5, 6].map((n) => ({ label: `${n} người`, payload: `elig:members:${n}` })),
      }),
      read: (nlu, lenient) => {
        const n = lenient
          ? (() => {
              const r = readMembers(nlu.matchText, { lenient }) ?? readMembers(nlu.folded, { lenient });
              return r?.valid ? r.n : null;
            })()
          : (nlu.entities.members ?? extractMembers(nlu.matchText));
        return n ? { members: n } : {};
      },
      reask: (nlu) => {
        const r = readMembers(nlu.matchText, { lenient: true }) ?? readMembers(nlu.folded, { lenient: true });
        if (r && r.n < 1) return 'Dạ, hộ phải có ít nhất 1 người. Anh/chị cho em biết số người trong hộ ạ.';
        if (r && !r.valid)
          return `Dạ, em chỉ nhận hộ từ 1 đến ${MAX_HOUSEHOLD_SIZE} người. Anh/chị ghi lại số người cùng ăn ở trong hộ giúp em ạ.`;
        return 'Dạ, anh/chị cho em biết số người trong hộ bằng con số, ví dụ "4" hoặc "4 người" ạ.';
      },
      mentions: (nlu) => lex.aboutStep.members.any(textsOf(nlu)),
    },
    income: {
      isNeeded: (data) => data.perCapita === undefined && data.monthly === undefined,
      ask: () => ({
        key: 'income',
        text: 'Tổng thu nhập một tháng của cả hộ khoảng bao nhiêu ạ? (tính cả tiền công, bán nông sản, lương hưu, trợ cấp...). Có thể ghi tổng, ví dụ "6 triệu", "6tr", "6.000.000đ", hoặc bình quân mỗi người, ví dụ "1,5 triệu/người".',
        buttons: [],
      }),
      read: (nlu, lenient) => incomeOf(nlu, lenient),
      reask: () =>
        'Dạ, em chưa đọc được số tiền. Anh/chị ghi giúp em, ví dụ "6 triệu", "6tr", "1tr5", "6.000.000đ" hoặc "1,5 triệu/người" ạ.',
      mentions: (nlu) => lex.aboutStep.income.any(textsOf(nlu)),
    },
    indicator: {
      isNeeded: (data, std) => {
        const per = perCapitaOf(data);
        return (
          per !== null &&
          Boolean(data.area) &&
          per <= std.income_line_vnd[data.area!] &&
          !data.listGiven &&
          std.indicators.some((i) => data.answers[i.id] === undefined)
        );
      },
      ask: (data, std, arriving) => {
        const next = std.indicators.find((i) => data.answers[i.id] === undefined)!;
        const index = std.indicators.indexOf(next) + 1;
        const buttons: Button[] = [
          { label: 'Có', payload: 'elig:yes' },
          { label: 'Không', payload: 'elig:no' },
          { label: 'Không rõ', payload: 'elig:unknown' },
        ];
        return {
          key: `ind:${next.id}`,
          lead: index === 1 || arriving ? [incomeSummary(data, std)] : [],
          text: `Câu ${index}/${std.indicators.length} (${next.label}): ${next.question}`,
          buttons,
        };
      },
      read: (nlu, lenient, at) => {
        if (lenient) {
          const yn = at?.key.startsWith('ind:') ? yesNo(lex, nlu) : null;
          return yn && at ? { answers: { [at.key.slice(4)]: yn } } : {};
        }
        const list = deprivationList(lex, nlu);
        return list ? { answers: Object.fromEntries(list.map((id) => [id, 'yes' as const])), listGiven: true } : {};
      },
      reask: () => 'Dạ, anh/chị trả lời giúp em "Có", "Không" hoặc "Không rõ" ạ.',
      mentions: (nlu, at) => indicatorsNamed(lex, nlu).includes(at.key.slice(4) as never),
    },
  };
}

/** The first step still needed, in the table's order, or null when the result can be given. */
export function nextStep(steps: Record<StepName, Step>, data: EligData, std: Standard): StepName | null {
  return STEP_NAMES.find((name) => steps[name].isNeeded(data, std)) ?? null;
}
