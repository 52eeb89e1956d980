import type { MoneyMention } from './types.ts';

/**
 * Money amounts as residents type them: "1,5 triệu", "1.5tr", "1tr5", "1 triệu 2", "6 triệu rưỡi",
 * "1tr500k", "1.500.000đ", "1500000 đồng", "500k", "500 nghìn", "2 tỷ", "72 triệu một năm". Works on
 * folded text (no diacritics, lower case; `Understanding.matchText` or `folded`).
 *
 * This is the only money reader of the program: the topic decision and the guided check read the same
 * amounts. `lenient` is for a bare answer to the income question just asked: "6" → 6 triệu and "1500" →
 * 1.500.000 đồng (marked `assumed`), "không có thu nhập" → 0.
 */

/** A money amount with where it starts and whether a bare number was taken as an amount. */
export interface MoneyReading extends MoneyMention {
  /** A bare number read as millions or thousands because income was just asked ("6" → 6 triệu). */
  assumed: boolean;
  /** Offset of the amount in the text read. */
  index: number;
}

export interface MoneyOptions {
  /** The income question was just asked: a bare number is an amount. */
  lenient?: boolean;
}

const MULTIPLIER: Record<string, number> = {
  ty: 1e9,
  trieu: 1e6,
  tr: 1e6,
  cu: 1e6,
  nghin: 1e3,
  ngan: 1e3,
  k: 1e3,
  dong: 1,
  d: 1,
  vnd: 1,
};

const NUMBER = /(?<![\d.,a-z])(\d+(?:[.,]\d+)*)(?:\s*(ty|trieu|tr|cu|nghin|ngan|k|vnd|dong|d)(?![a-z]))?/g;
/** Words that look like a unit but are not one here: "ngân hàng", "tỷ lệ". */
const FALSE_UNIT: Record<string, RegExp> = { ngan: /^\s*hang\b/, ty: /^\s*le\b/ };
/** A count, size or time follows a bare number: "4 người", "3 tháng", "50 m2", "6,24%". */
const NOT_MONEY_AFTER =
  /^\s*(nguoi|ng\b|khau|nhan khau|thanh vien|tuoi|m2|met|m\b|thang|nam|lan|ngay|tuan|km|cay so|ha\b|%|\/\s*\d|[.-]\d)/;
/** A small number after "triệu" that is a count, not the hundreds of thousands ("6 triệu 4 người"). */
const NOT_TAIL_AFTER = /^\s*(nguoi|ng\b|khau|nhan khau|thanh vien|thang|nam|tuoi|ngay|tuan|lan|con|ho\b|m2|%|\/\s*\d)/;
const NO_INCOME = /\b(khong co thu nhap|khong co tien|khong co gi|khong thu nhap|khong co dong nao|khong kiem duoc)\b/;

/** "1.500.000" → 1500000, "1,5" → 1.5; null for what is not one number ("31.12.2023"). */
function parseNumber(s: string): number | null {
  if (/^\d{1,2}[.,]\d{1,2}[.,]\d{4}$/.test(s)) return null; // a date
  if (/^\d{1,3}([.,]\d{3})+$/.test(s)) return Number(s.replace(/[.,]/g, ''));
  const seps = s.match(/[.,]/g)?.length ?? 0;
  if (seps === 0) return Number(s);
  if (seps === 1) return Number(s.replace(',', '.'));
  return null;
}

/** "1tr5", "1 triệu 2", "6 triệu rưỡi", "1tr500k": what follows a million or billion unit. */
function tailOf(text: string, end: number, unit: number): { add: number; length: number } | null {
  const rest = text.slice(end);
  const half = /^\s*ruoi(?![a-z])/.exec(rest);
  if (half) return { add: unit / 2, length: half[0].length };
  const m = /^(\s*)(\d{1,3})(?![\d.,])(\s*(nghin|ngan|k)(?![a-z]))?/.exec(rest);
  if (!m) return null;
  const after = rest.slice(m[0].length);
  const glued = m[1] === '';
  if (m[4]) return { add: Number(m[2]) * 1e3, length: m[0].length };
  // "4tr1 tháng" is 4 triệu a month; "6 triệu 4 người" is 6 triệu and 4 people.
  if (glued ? m[2] === '1' && /^\s*(thang|nam|tuan|ngay)\b/.test(after) : NOT_TAIL_AFTER.test(after)) return null;
  if (/^[.,]\d/.test(after)) return null;
  return { add: Number(m[2]) * (unit / 10 ** m[2].length), length: m[0].length };
}

function flags(text: string, start: number, end: number, prevEnd: number) {
  // "1,5 triệu đồng/người/tháng": the currency word does not separate the amount from what it is per.
  const after = text.slice(end, end + 40).replace(/^\s*(dong|d|vnd)(?![a-z])/, '');
  const before = text.slice(Math.max(prevEnd, start - 30), start);
  return {
    perPerson:
      /^\s*(\/|\s)?\s*(mot |moi |1 |tren |cho |cua )?(nguoi|ng|dau nguoi|khau|nhan khau)(?![a-z])/.test(after) ||
      /\b(binh quan|dau nguoi|moi nguoi|tren nguoi|bq)\b/.test(before),
    perMonth:
      /^\s*(\/\s*)?((nguoi|ng)\s*\/?\s*)?(1 |mot |moi |hang |trong |\/)?\s*thang/.test(after) || /\b(moi|hang|1|mot) thang\b/.test(before),
    perYear:
      /^\s*(\/\s*)?((nguoi|ng)\s*\/?\s*)?(1 |mot |moi |hang |trong |ca |cua )?nam(?![a-z])/.test(after) ||
      /\b(moi nam|mot nam|1 nam|ca nam|hang nam)\b/.test(before),
  };
}

/**
 * Every money amount in folded text, in order. A bare number counts only as a full amount in đồng
 * ("6000000", "1.500.000") unless `lenient`; years, dates, counts and sizes are never amounts.
 */
export function readMoney(text: string, opts: MoneyOptions = {}): MoneyReading[] {
  const out: MoneyReading[] = [];
  const re = new RegExp(NUMBER.source, 'g');
  let prevEnd = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index;
    let end = start + m[0].length;
    let unitWord = m[2] ?? '';
    if (unitWord && FALSE_UNIT[unitWord]?.test(text.slice(end))) {
      unitWord = '';
      end = start + m[1].length;
      re.lastIndex = end;
    }
    const base = parseNumber(m[1]);
    if (base === null || !Number.isFinite(base)) continue;
    let vnd: number;
    let assumed = false;
    if (unitWord) {
      const unit = MULTIPLIER[unitWord];
      if (unit === 1 && base < 1000) continue; // "thứ 3 đóng", "6 đồng": not an income
      vnd = base * unit;
      if (unit >= 1e6 && /^\d+$/.test(m[1])) {
        const tail = tailOf(text, end, unit);
        if (tail) {
          vnd += tail.add;
          end += tail.length;
          re.lastIndex = end;
        }
      } else if (unit >= 1e6) {
        const half = /^\s*ruoi(?![a-z])/.exec(text.slice(end));
        if (half) {
          vnd += unit / 2;
          end += half[0].length;
          re.lastIndex = end;
        }
      }
    } else {
      if (NOT_MONEY_AFTER.test(text.slice(end))) continue;
      if (/\d\s*[/.-]\s*$/.test(text.slice(0, start))) continue; // part of a date
      if (/\bnam\s*$/.test(text.slice(Math.max(0, start - 8), start)) && base >= 1900 && base <= 2100) continue; // a year
      const digits = m[1].replace(/[.,]/g, '').length;
      const full = base >= 100_000 && digits <= 11 && Number.isInteger(base);
      if (full) vnd = base;
      else if (opts.lenient && base >= 10_000 && Number.isInteger(base)) vnd = base;
      else if (opts.lenient && base < 1000 && base > 0) {
        vnd = base * 1e6;
        assumed = true;
      } else if (opts.lenient && base >= 1000 && base < 10_000) {
        vnd = base * 1e3; // "1500" when asked for income: thousand đồng, rarely meant literally
        assumed = true;
      } else if (opts.lenient && base === 0) {
        vnd = 0;
        assumed = true;
      } else continue;
    }
    out.push({ vnd: Math.round(vnd), raw: text.slice(start, end).trim(), ...flags(text, start, end, prevEnd), assumed, index: start });
    prevEnd = end;
  }
  if (!out.length && opts.lenient && NO_INCOME.test(text)) {
    out.push({ vnd: 0, raw: '0', perPerson: false, perMonth: true, perYear: false, assumed: false, index: 0 });
  }
  return out;
}

/** Money amounts in folded text, as the Understanding carries them (never lenient). */
export function extractMoney(folded: string): MoneyMention[] {
  return readMoney(folded).map(({ vnd, perPerson, perMonth, perYear, raw }) => ({ vnd, perPerson, perMonth, perYear, raw }));
}
