import type { Button, Reply } from '../domain/types.ts';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { formatDate, formatVndCompact } from '../format/vi.ts';
import {
  type Category,
  type Classification,
  type HouseholdFacts,
  areaLabel,
  categoryLabel,
  classify,
  DISCLAIMER,
  vndExact,
} from './classify.ts';
import type { EligData } from './data.ts';
import { entitlementsFor, type Extras } from './entitlements.ts';
import type { EntitlementMap, Standard } from './schema.ts';
import { sayOnce } from './memo.ts';
import type { Standards } from './standards.ts';
import { shortTitle } from '../core/policy-answer.ts';

/**
 * The words of a check result, apart from the routing. An officer checks many households in a row, so a
 * result is short and direct: the verdict, the income line used, the deprivations counted, and the
 * standard with its legal basis in one line (the full reasoning stays in `Classification.reasons` and
 * the batch output). What is the same for every household (the standard's cautions, the full
 * disclaimer, "mức hỗ trợ khác theo địa phương") is said once per conversation: the flow passes only
 * the sentences not said yet. Entitlements are a list of names; their details sit behind `kb:` buttons.
 */

/** Everything a result is rendered from. */
export interface ResultInput {
  res: Classification;
  data: EligData;
  /** One line on the next standard (2026 only), or null. */
  preview: string | null;
  /** Lines said first (what changed, in a re-run). */
  prefix: string[];
  /** The category of the same household before the change, in a re-run. */
  previous?: Category;
}

const VERDICT: Record<Category, string> = {
  poor: 'hộ có thể thuộc diện HỘ NGHÈO',
  near_poor: 'hộ có thể thuộc diện HỘ CẬN NGHÈO',
  average: 'hộ KHÔNG thuộc diện hộ nghèo, cận nghèo; có thể thuộc diện HỘ CÓ MỨC SỐNG TRUNG BÌNH',
  not_poor: 'hộ KHÔNG thuộc diện hộ nghèo hay hộ cận nghèo',
  need_more_info: 'chưa đủ thông tin để xếp loại',
};

/** "Kết quả sơ bộ (…): hộ có thể thuộc diện HỘ NGHÈO (trước: hộ cận nghèo)." */
export function headline(category: Category, previous?: Category): string {
  const change = previous && previous !== category ? ` (trước: ${categoryLabel(previous)})` : previous ? ' (như trước)' : '';
  return `Kết quả sơ bộ (UBND cấp xã quyết định công nhận): ${VERDICT[category]}${change}.`;
}

function incomeLine(res: Classification, data: EligData): string | null {
  const per = res.income_per_capita_vnd;
  const line = res.income_line_vnd;
  if (per == null || line == null || !res.area) return null;
  const how =
    data.perCapita !== undefined ? `${vndExact(per)}/tháng` : `${vndExact(data.monthly!)} ÷ ${data.members} người = ${vndExact(per)}/tháng`;
  const area = areaLabel(res.area);
  const band = res.average_band;
  let compare: string;
  if (per <= line) compare = `bằng hoặc thấp hơn chuẩn nghèo ${area} ${vndExact(line)}`;
  else if (band && per <= band.up_to)
    compare = `trên chuẩn nghèo ${area} ${vndExact(line)}, đến mức trần hộ có mức sống trung bình ${vndExact(band.up_to)}`;
  else if (band) compare = `trên mức trần hộ có mức sống trung bình ${vndExact(band.up_to)} (chuẩn nghèo ${area} ${vndExact(line)})`;
  else compare = `trên chuẩn nghèo ${area} ${vndExact(line)}`;
  const notes = [
    data.yearly ? 'thu nhập cả năm chia 12' : '',
    data.assumed
      ? `em hiểu số anh/chị ghi là ${formatVndCompact(data.monthly ?? data.perCapita ?? 0)}; nếu chưa đúng, gõ "sửa thu nhập"`
      : '',
  ].filter(Boolean);
  return `• Thu nhập bình quân đầu người: ${how}, ${compare}${notes.length ? ` (${notes.join('; ')})` : ''}.`;
}

function deprivationLine(res: Classification, std: Standard): string | null {
  if (res.deprivation_count == null || res.income_per_capita_vnd == null || res.income_line_vnd == null) return null;
  const n = res.deprivation_count;
  const names = res.deprivations.map((d) => d.label).join('; ');
  const min = std.poor_min_deprivations;
  if (res.income_per_capita_vnd > res.income_line_vnd)
    return n ? `• Thiếu hụt ${n} chỉ số (${names}), nhưng thu nhập trên chuẩn nghèo thì không xếp hộ nghèo, cận nghèo.` : null;
  if (!n) return `• Không thiếu hụt chỉ số nào (dưới ${min} chỉ số là hộ cận nghèo).`;
  const rule = n >= min ? `từ ${min} chỉ số trở lên là hộ nghèo` : `dưới ${min} chỉ số là hộ cận nghèo`;
  return `• Thiếu hụt ${n} chỉ số (${rule}): ${names}.`;
}

/** The result reply: the verdict and three or four short lines (five with the next standard's preview). */
export function resultReply(input: ResultInput, std: Standard): Reply {
  const { res, data } = input;
  const lines = [...input.prefix];
  const head = headline(res.category, input.previous);
  lines.push(lines.length ? head : `Dạ, ${head.charAt(0).toLowerCase()}${head.slice(1)}`);
  const income = incomeLine(res, data);
  if (income) lines.push(income);
  const dep = deprivationLine(res, std);
  if (dep) lines.push(dep);
  if (res.category === 'need_more_info') lines.push(`• ${res.reasons.at(-1)}`);
  for (const c of res.household_cautions) lines.push(`• ${c}`);
  lines.push(`• Theo ${lowerFirst(res.standard_title)}, ngày ${formatDate(res.date)} (${res.legal_basis}).`);
  if (input.preview) lines.push(`• ${input.preview}`);
  return {
    text: lines.join('\n'),
    citations: res.citations,
    buttons: [
      { label: 'Sửa thu nhập', payload: 'elig:fix:income' },
      { label: 'Sửa chỉ số thiếu hụt', payload: 'elig:fix:deprivations' },
      { label: 'Kiểm tra hộ khác', payload: 'elig:start' },
    ],
  };
}

/** The general sentences of a result, said once per conversation: standard cautions, then the full disclaimer. */
export function generalCautions(res: Classification): string[] {
  const own = new Set(res.household_cautions);
  return [...res.cautions.filter((c) => !own.has(c)).slice(0, 4), DISCLAIMER];
}

function addDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** In the last year of a standard, one line on what the same facts give under the next one. */
export function previewLine(standards: Standards, facts: HouseholdFacts, std: Standard, complete: boolean): string | null {
  const nextStart = addDay(std.effective_to);
  const next = standards.standardFor(nextStart);
  if (!next || facts.date.slice(0, 4) !== std.effective_to.slice(0, 4) || !facts.area) return null;
  let res: Classification;
  try {
    const deprivations = complete ? facts.deprivations?.filter((d) => next.indicators.some((i) => i.id === d)) : undefined;
    res = classify({ ...facts, date: nextStart, deprivations }, standards);
  } catch {
    return null;
  }
  const newOnes = next.indicators.filter((i) => !std.indicators.some((j) => j.id === i.id)).map((i) => i.label);
  const cat =
    res.category === 'need_more_info'
      ? 'hộ nghèo hoặc cận nghèo tùy số chỉ số thiếu hụt (thu nhập bằng hoặc thấp hơn chuẩn mới)'
      : categoryLabel(res.category);
  const unasked = newOnes.length ? `; chỉ số mới (${newOnes.join(', ')}) chưa hỏi nên chưa tính` : '';
  return `Từ ${formatDate(nextStart)} (chuẩn giai đoạn ${next.effective_from.slice(0, 4)}-${next.effective_to.slice(0, 4)}, ${areaLabel(facts.area)} ${formatVndCompact(res.income_line_vnd ?? 0)}/người/tháng), cùng thông tin này sơ bộ là: ${cat}${unasked}.`;
}

/** The entitlements' local-variation note, said once per conversation. */
export const LOCAL_NOTE = 'Mức hỗ trợ cụ thể có thể khác theo địa phương; hỏi cán bộ chính sách xã để biết chắc.';
/** What a household outside both categories is told, once per conversation. */
export const NOT_POOR_NOTE =
  'Dạ, hộ không thuộc hộ nghèo, cận nghèo thì không hưởng chính sách dành riêng cho hai diện này. Khi hoàn cảnh thay đổi (ốm đau, mất việc, thiên tai...), hộ có thể làm giấy đề nghị UBND xã rà soát.';

/**
 * The supports that come with the category, as names grouped by condition; details behind `kb:` buttons.
 * `listed`: the same category's list was already given in this conversation, so only the buttons are offered.
 */
export function entitlementsReply(
  category: Category,
  extras: Extras,
  knowledge: KnowledgeBase,
  now: Date,
  map: EntitlementMap,
  listed: boolean,
): Reply | null {
  if (category === 'need_more_info' || category === 'not_poor') return null;
  const list = entitlementsFor(category, extras, knowledge, now, map);
  if (!list.length) return null;
  const overview = list.filter((e) => knowledge.get(e.id)?.topic === 'benefits_overview');
  const items = list.filter((e) => !overview.includes(e));
  const buttons: Button[] = [
    ...overview.slice(0, 1).map((e) => ({ label: 'Tổng hợp quyền lợi', payload: `kb:${e.id}` })),
    ...items.map((e) => ({ label: shortTitle(e.title), payload: `kb:${e.id}` })),
  ].slice(0, 5);
  const label = categoryLabel(category);
  if (listed) return { text: `Dạ, các hỗ trợ cho ${label} như em đã liệt kê ở trên; bấm để xem chi tiết:`, buttons };
  const groups = new Map<string, string[]>();
  for (const e of items) {
    const key = e.condition ?? '';
    const note = e.note ? `: ${e.note.charAt(0).toLowerCase()}${e.note.slice(1).replace(/\.$/, '')}` : '';
    groups.set(key, [...(groups.get(key) ?? []), shortTitle(e.title, 90) + note]);
  }
  const lines = [`Dạ, nếu được công nhận là ${label}, hộ thường được (bấm để xem chi tiết):`];
  for (const [cond, names] of groups) {
    const text = `${cond ? `${cond.charAt(0).toUpperCase()}${cond.slice(1)}: ` : ''}${names.join('; ')}`;
    lines.push(`• ${text}${text.endsWith('…') ? '' : '.'}`);
  }
  return { text: lines.join('\n'), buttons };
}

/** The general sentences not said yet in this conversation, as one reply (null when all were said). */
export function notesReply(notes: string[]): Reply | null {
  if (!notes.length) return null;
  return { text: ['Dạ, lưu ý chung (em chỉ nhắc một lần):', ...notes.map((n) => `• ${n}`)].join('\n') };
}

/** What a finished check is rendered from, besides the classification. */
export interface FinishInput {
  data: EligData;
  std: Standard;
  standards: Standards;
  knowledge: KnowledgeBase;
  map: EntitlementMap;
  now: Date;
  /** Keys of what was said once in this conversation; updated with what this result says. */
  memo: { said: string[] };
  prefix: string[];
  previous?: Category;
}

/** The facts the classifier reads, from the check's data. */
export function factsOf(data: EligData, date: string): HouseholdFacts {
  const pick = (v: string) => Object.entries(data.answers).flatMap(([k, a]) => (a === v ? [k] : []));
  return {
    date,
    area: data.area,
    members: data.members ?? null,
    monthly_income_vnd: data.perCapita === undefined ? data.monthly : null,
    income_per_capita_vnd: data.perCapita ?? null,
    deprivations: pick('yes'),
    unknown_indicators: pick('unknown'),
  };
}

/**
 * Classifies the household and words the replies: the result, the entitlements (names once per category),
 * and the general notes not said yet in this conversation. Updates `o.memo.said`.
 */
export function finishCheck(o: FinishInput, date: string): { replies: Reply[]; category: Category } {
  const facts = factsOf(o.data, date);
  const res = classify(facts, o.standards);
  const complete = Boolean(o.data.listGiven) || o.std.indicators.every((i) => o.data.answers[i.id] !== undefined);
  const preview = previewLine(o.standards, facts, o.std, complete);
  const replies: Reply[] = [resultReply({ res, data: o.data, preview, prefix: o.prefix, previous: o.previous }, o.std)];
  const listed = !sayOnce(o.memo, [`entitlements:${res.category}`]).length;
  const ent = entitlementsReply(res.category, o.data.extras, o.knowledge, o.now, o.map, listed);
  if (ent) replies.push(ent);
  else if (res.category === 'not_poor' && sayOnce(o.memo, [NOT_POOR_NOTE]).length) replies.push({ text: NOT_POOR_NOTE });
  const notes = notesReply(sayOnce(o.memo, [...generalCautions(res), ...(ent ? [LOCAL_NOTE] : [])]));
  if (notes) replies.push(notes);
  return { replies, category: res.category };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
