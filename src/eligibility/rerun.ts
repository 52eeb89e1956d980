import { formatDate, formatVndCompact } from '../format/vi.ts';
import { MAX_HOUSEHOLD_SIZE } from '../nlu/entities.ts';
import { areaLabel } from './classify.ts';
import { applyFacts, type EligData } from './data.ts';
import type { WhatIf } from './intent.ts';
import type { Standards } from './standards.ts';

/**
 * A question about the household just checked ("năm 2027 thì sao", "nếu thu nhập 7 triệu thì sao",
 * "nếu có thêm 1 người thì sao") re-runs the check on the stored facts with one thing changed, instead
 * of asking the fifteen questions again. This module applies the change and says, in words, what changed.
 */

/** The re-run data and the sentence saying what changed, or why the change cannot be applied. */
export type Rerun = { data: EligData; said: string } | { problem: string };

function incomeText(d: Partial<EligData>): string | null {
  if (d.perCapita !== undefined) return `${formatVndCompact(d.perCapita)}/người/tháng`;
  if (d.monthly !== undefined) return `${formatVndCompact(d.monthly)}/tháng`;
  return null;
}

/** The date a year stands for: today in this year, 1 January of a later year, 31 December of an earlier one. */
export function dateForYear(year: number, today: string): string {
  const now = Number(today.slice(0, 4));
  return year === now ? today : year > now ? `${year}-01-01` : `${year}-12-31`;
}

/** Applies a what-if to the stored facts; the new data and the sentence that says what changed. */
export function applyWhatIf(stored: EligData, w: WhatIf, today: string, standards: Standards): Rerun {
  const data: EligData = structuredClone({ ...stored, reasks: 0, paused: false });
  const changed: string[] = [];
  const before = standards.standardFor(stored.date ?? today);
  if (w.date || w.year) {
    const date = w.date ?? dateForYear(w.year!, today);
    data.date = date;
    changed.push(w.date ? `ngày ${formatDate(date)}` : `năm ${w.year} (tính theo ngày ${formatDate(date)})`);
  }
  if (w.membersDelta) {
    if (!stored.members)
      return {
        problem:
          'Dạ, lần kiểm tra trước chỉ có thu nhập bình quân đầu người, chưa có số người trong hộ, nên em chưa tính lại được khi thêm, bớt người. Anh/chị gõ "kiểm tra hộ nghèo" để kiểm tra lại với tổng thu nhập của hộ ạ.',
      };
    const n = stored.members + w.membersDelta;
    if (n < 1 || n > MAX_HOUSEHOLD_SIZE)
      return { problem: `Dạ, hộ sẽ có ${n} người; em chỉ tính được cho hộ từ 1 đến ${MAX_HOUSEHOLD_SIZE} người ạ.` };
    data.members = n;
    changed.push(`${n} người (trước: ${stored.members})`);
  }
  const f = w.facts;
  if (f.members && f.members !== stored.members) changed.push(`${f.members} người (trước: ${stored.members ?? 'chưa rõ'})`);
  const newIncome = incomeText(f);
  if (newIncome) changed.push(`thu nhập ${newIncome} (trước: ${incomeText(stored) ?? 'chưa rõ'})`);
  if (f.area && f.area !== stored.area) changed.push(`khu vực ${areaLabel(f.area)}`);
  if (f.listGiven) changed.push('danh sách chỉ số thiếu hụt mới');
  applyFacts(data, f);
  const after = standards.standardFor(data.date ?? today);
  let note = '';
  if (after && before && after.id !== before.id) {
    // Only the indicators of the standard applied count; a new one is asked, or named as not counted.
    for (const id of Object.keys(data.answers)) if (!after.indicators.some((i) => i.id === id)) delete data.answers[id];
    const added = after.indicators.filter((i) => !before.indicators.some((j) => j.id === i.id)).map((i) => i.label);
    const lacks = Object.values(data.answers).filter((a) => a === 'yes').length;
    if (added.length && !data.listGiven && lacks >= after.poor_min_deprivations) {
      // The new questions cannot change the result: the household already lacks enough indicators.
      data.listGiven = true;
      note = ` Hộ đã thiếu ${lacks} chỉ số nên không cần hỏi thêm chỉ số mới (${added.join(', ')}).`;
    } else if (added.length && data.listGiven) note = ` Chỉ số mới (${added.join(', ')}) chưa có trong danh sách nên chưa tính.`;
  }
  if (!changed.length) changed.push('thông tin như cũ');
  return { data, said: `Dạ, em tính lại hộ vừa kiểm tra với ${changed.join(', ')}; các thông tin khác giữ nguyên.${note}` };
}
