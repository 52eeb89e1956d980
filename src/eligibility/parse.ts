/**
 * Small parsers for the answers of the eligibility check, working on folded text
 * (lower case, diacritics removed, đ→d), as `Understanding.folded` provides.
 * `lenient` is used when the bot has just asked for that one fact, so a bare "4" or "6" counts.
 */
import type { Area } from './schema.ts';
import type { Extras } from './entitlements.ts';
import { isValidIsoDate } from './schema.ts';

/** Folds Vietnamese text the way the NLU does (for tests and callers without an Understanding). */
export function foldVi(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

const WORD_NUMBERS: Record<string, number> = {
  mot: 1,
  hai: 2,
  ba: 3,
  bon: 4,
  tu: 4,
  nam: 5,
  sau: 6,
  bay: 7,
  tam: 8,
  chin: 9,
  muoi: 10,
};

// ---------------------------------------------------------------- area

export function parseArea(folded: string, lenient = false): Area | null {
  const t = ` ${folded.replace(/[^a-z0-9]+/g, ' ')} `;
  const urban = /\s(thanh thi|do thi|thanh pho|thi tran|thi xa|noi thanh|noi thi|o phuong|tai phuong|khu pho)\s/.test(t);
  const rural = /\s(nong thon|vung que|o que|mien que|vung nong thon|o xa|tai xa|thon ban|ban lang|vung sau vung xa|mien nui)\s/.test(t);
  if (urban && !rural) return 'urban';
  if (rural && !urban) return 'rural';
  if (urban && rural) return null;
  if (!lenient) return null;
  if (/\s(phuong|pho|tp|thanh|thi)\s/.test(t)) return 'urban';
  if (/\s(xa|thon|ban|lang|que|ap|nong|buon|soc)\s/.test(t)) return 'rural';
  return null;
}

// ---------------------------------------------------------------- members

const MONEY_UNIT_BEFORE = /(trieu|tr|nghin|ngan|k|d|dong|vnd)\s*\/?\s*$/;

export function parseMembers(folded: string, lenient = false): number | null {
  const t = folded.replace(/[^a-z0-9,./ ]+/g, ' ');
  const re = /(?<![\d.,])(\d{1,3}|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi)\s*(nguoi|khau|nhan khau|thanh vien|mieng an)(?![a-z])/g;
  for (const m of t.matchAll(re)) {
    const before = t.slice(0, m.index);
    if (MONEY_UNIT_BEFORE.test(before)) continue; // "1,5 trieu 1 nguoi" is per person, not a size
    const n = /^\d+$/.test(m[1]) ? Number(m[1]) : WORD_NUMBERS[m[1]];
    if (n >= 1 && n <= 100) return n;
  }
  if (lenient) {
    const bare = /^\D*?(\d{1,3})\D*$/.exec(t.trim());
    if (bare && !/(trieu|tr|nghin|ngan|dong)/.test(t)) {
      const n = Number(bare[1]);
      if (n >= 1 && n <= 100) return n;
    }
    const word = t.trim().split(' ')[0];
    if (word in WORD_NUMBERS && t.trim().split(' ').length <= 3) return WORD_NUMBERS[word];
  }
  return null;
}

/** "0 người" or a bare 0 when asked: a member count that is not allowed (re-ask, do not accept). */
export function saysZeroMembers(folded: string): boolean {
  return /^\D*\b0\b\D*$/.test(folded.trim()) || /\b0\s*(nguoi|khau)\b/.test(folded);
}

// ---------------------------------------------------------------- money

export interface Money {
  vnd: number;
  perPerson: boolean;
  perYear: boolean;
  /** A bare small number taken as millions ("6" → 6 triệu) because income was just asked. */
  assumedMillions: boolean;
}

function parseNumber(s: string): number {
  if (/^\d{1,3}([.,]\d{3})+$/.test(s)) return Number(s.replace(/[.,]/g, ''));
  const seps = s.match(/[.,]/g)?.length ?? 0;
  if (seps === 1) return Number(s.replace(',', '.'));
  return Number(s.replace(/[.,]/g, ''));
}

const TAIL_GUARD = /^\s*(thang|nam|nguoi|khau|ngay|tuan|lan|con|ho|nhan|thanh vien|tuoi)/;

/** The first money amount in the text, or null. */
export function parseMoney(folded: string, lenient = false): Money | null {
  const t = folded;
  const re = /(?<![\d.,a-z])(\d+(?:[.,]\d+)*)\s*(trieu|tr|cu|nghin|ngan|k|vnd|dong|d)?/g;
  for (const m of t.matchAll(re)) {
    let unit = m[2] ?? '';
    let end = (m.index ?? 0) + m[0].length;
    // A unit glued to a longer word is not a unit ("5 trong", "4 khau").
    if (unit && /[a-z]/.test(t.charAt(end))) {
      unit = '';
      end = (m.index ?? 0) + m[1].length;
    }
    let value = parseNumber(m[1]);
    if (!Number.isFinite(value)) continue;
    let assumedMillions = false;
    if (unit === 'trieu' || unit === 'tr' || unit === 'cu') {
      value *= 1e6;
      const rest = t.slice(end);
      const tail = /^\s*(ruoi|\d{1,3})(?![\d.,])(\s*(nghin|ngan|k)(?![a-z]))?/.exec(rest);
      if (
        tail &&
        !TAIL_GUARD.test(rest.slice(tail[0].length)) &&
        !(tail[1] !== 'ruoi' && tail[3] === undefined && /^\s*\//.test(rest.slice(tail[0].length)))
      ) {
        if (tail[1] === 'ruoi') value += 500000;
        else if (tail[3]) value += Number(tail[1]) * 1000;
        else value += Number(tail[1]) * 10 ** (6 - tail[1].length);
        end += tail[0].length;
      }
    } else if (unit === 'nghin' || unit === 'ngan' || unit === 'k') {
      value *= 1e3;
    } else if (!unit) {
      const after = t.slice(end);
      if (/^\s*(nguoi|khau|nhan khau|thanh vien|tuoi|m2|met|m\b|thang|nam|lan|%|\/\d)/.test(after)) continue;
      if (/[/.-]\s*$/.test(t.slice(0, m.index)) && /\d\s*[/.-]\s*$/.test(t.slice(0, m.index))) continue; // part of a date
      if (value >= 10000) {
        /* a full amount in dong */
      } else if (lenient && value < 1000) {
        value *= 1e6;
        assumedMillions = true;
      } else if (lenient && value >= 1000) {
        value *= 1e3; // "1500" when asked for income: thousand dong, rarely meant literally
        assumedMillions = true;
      } else continue;
    }
    const after = t.slice(end, end + 24);
    const perPerson =
      /^\s*(\/|mot|1|moi|tren|cho|cua)?\s*(nguoi|ng|khau|nhan khau|dau nguoi)(?![a-z])/.test(after) ||
      /\b(binh quan|dau nguoi|moi nguoi|tren nguoi|mot nguoi\/|\/nguoi|bq)\b/.test(t);
    const perYear = /^\s*(\/|mot|1|moi|trong|cua|ca)?\s*nam(?![a-z])/.test(after) || /\b(\/nam|moi nam|mot nam|1 nam|ca nam)\b/.test(t);
    return { vnd: Math.round(value), perPerson, perYear, assumedMillions };
  }
  if (lenient && /\b(khong co thu nhap|khong co tien|khong co gi|khong thu nhap)\b/.test(t)) {
    return { vnd: 0, perPerson: false, perYear: false, assumedMillions: false };
  }
  return null;
}

/** Income as the check needs it: per month, total or per person. */
export interface IncomeAnswer {
  monthly?: number;
  perCapita?: number;
  raw: Money;
}

export function parseIncome(folded: string, lenient = false): IncomeAnswer | null {
  const m = parseMoney(folded, lenient);
  if (!m) return null;
  const perMonth = m.perYear ? m.vnd / 12 : m.vnd;
  const v = Math.round(perMonth);
  return m.perPerson ? { perCapita: v, raw: m } : { monthly: v, raw: m };
}

// ---------------------------------------------------------------- deprivations

const INDICATOR_PHRASES: [string, string][] = (
  [
    ['employment', ['viec lam', 'that nghiep', 'khong co viec', 'thieu viec']],
    ['dependents', ['nguoi phu thuoc', 'phu thuoc']],
    ['nutrition', ['suy dinh duong', 'dinh duong']],
    ['health_insurance', ['bao hiem y te', 'bhyt', 'the bao hiem', 'bao hiem']],
    [
      'adult_education',
      ['giao duc nguoi lon', 'trinh do giao duc', 'hoc van nguoi lon', 'trinh do hoc van', 'bang cap', 'trinh do', 'hoc van'],
    ],
    ['child_schooling', ['tre em di hoc', 'tre di hoc', 'tre bo hoc', 'bo hoc', 'di hoc']],
    ['housing_quality', ['chat luong nha', 'nha tam', 'nha don so', 'nha dot nat', 'nha khong ben', 'nha kien co', 'nha o']],
    ['housing_area', ['dien tich nha', 'dien tich']],
    ['water', ['nuoc sinh hoat', 'nguon nuoc', 'nuoc sach', 'nuoc']],
    ['sanitation', ['nha tieu', 'nha ve sinh', 'ho xi', 've sinh', 'toilet', 'wc']],
    ['telecom', ['dich vu vien thong', 'vien thong', 'internet', 'dich vu so', 'wifi', '4g', '3g']],
    ['information_access', ['phuong tien thong tin', 'tiep can thong tin', 'thong tin', 'tivi', 'ti vi', 'radio']],
    ['waste', ['rac thai', 'xu ly rac', 'thu gom rac', 'rac']],
  ] as [string, string[]][]
)
  .flatMap(([id, phrases]) => phrases.map((p) => [p, id] as [string, string]))
  .sort((a, b) => b[0].length - a[0].length);

/** Indicator ids named in a piece of text ("nước sạch, nhà tiêu, BHYT" → water, sanitation, health_insurance). */
export function indicatorsIn(folded: string): string[] {
  let t = ` ${folded.replace(/[^a-z0-9]+/g, ' ')} `;
  const found: string[] = [];
  for (const [phrase, id] of INDICATOR_PHRASES) {
    const needle = ` ${phrase} `;
    while (t.includes(needle)) {
      if (!found.includes(id)) found.push(id);
      t = t.replace(needle, ' | ');
    }
  }
  return found;
}

/**
 * The list after "thiếu:" / "thiếu hụt" in a form, or null when the text names none.
 * "thiếu: không" / "không thiếu chỉ số nào" → [].
 */
export function parseDeprivationList(folded: string): string[] | null {
  if (/\b(khong thieu|du ca|du het|khong thieu hut)\b/.test(folded) && !/\bthieu\s*:/.test(folded)) return [];
  const m = /(?<!gioi |toi |gioi\s|toi\s)\bthieu(?: hut)?(?: cac)?(?: chi so)?\s*:?\s*([^.?!\n]*)/.exec(folded);
  if (!m) return null;
  const list = m[1].trim();
  if (/^(khong|ko|k|0|khong co|khong gi|khong thieu gi|khong chi so nao)\b/.test(list)) return [];
  const ids = indicatorsIn(list);
  return ids.length ? ids : null;
}

// ---------------------------------------------------------------- yes / no

export type YesNo = 'yes' | 'no' | 'unknown';

export function parseYesNo(folded: string): YesNo | null {
  const t = folded
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!t) return null;
  if (/\b(khong ro|khong biet|chua ro|chua biet|ko biet|k biet|ko ro|khong chac|hong biet|ko chac|khong nho)\b/.test(t)) return 'unknown';
  const words = t.split(' ');
  let i = 0;
  while (i < words.length - 1 && ['da', 'thua', 'vang', 'a', 'uhm'].includes(words[i]) && words.length > 1) {
    if (words[i] === 'vang') break;
    i++;
  }
  const w = words[i];
  const w2 = words.slice(i, i + 2).join(' ');
  if (['khong', 'ko', 'k', 'hong', 'khg', 'kg', 'no', 'sai', 'khum'].includes(w) || w2 === 'khong co' || w2 === 'khong dung') return 'no';
  if (['co', 'dung', 'vang', 'u', 'uh', 'um', 'ok', 'phai', 'yes', 'roi', 'chinh', 'dung roi', 'thieu'].includes(w)) return 'yes';
  if (words.length === 1 && w === 'da') return 'yes';
  return null;
}

// ---------------------------------------------------------------- date, extras

/** "ngày 01/01/2027" → "2027-01-01"; an impossible date → "invalid". */
export function parseDate(folded: string): string | null | 'invalid' {
  const m = /\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b/.exec(folded);
  const iso = m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : /\b(\d{4}-\d{2}-\d{2})\b/.exec(folded)?.[1];
  if (!iso) return null;
  return isValidIsoDate(iso) ? iso : 'invalid';
}

export function parseExtras(folded: string): Extras {
  const out: Extras = {};
  if (/\b(dan toc thieu so|dtts|nguoi dan toc|dong bao dan toc)\b/.test(folded)) out.ethnic_minority = true;
  if (/\b(sinh vien|hoc dai hoc|hoc cao dang|hoc trung cap|hoc nghe|hoc sinh|con di hoc|chau di hoc|con dang hoc|con hoc)\b/.test(folded))
    out.has_students = true;
  if (/\b(do tuoi lao dong|nguoi lao dong|di lam)\b/.test(folded)) out.working_age = true;
  return out;
}
