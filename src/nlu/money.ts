import type { MoneyMention } from './types.ts';

/**
 * Money amounts as residents type them: "1,5 triệu", "1.5tr", "1tr5", "6 triệu rưỡi", "1.500.000đ",
 * "1500000 đồng", "500k", "500 nghìn", "2 tỷ". Works on folded text (no diacritics, lower case).
 */
const UNIT = '(ty|trieu|tr|cu|nghin|ngan|k|dong|d|vnd)';
const MONEY_RE = new RegExp(
  String.raw`(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?)\s*` +
    UNIT +
    String.raw`(?![a-z])((\d{1,3})(?![\d.,])|\s+(\d{1,3})(?![\d.,]*\s*(?:nguoi|khau|nhan|thanh vien|thang|nam|tuoi)))?(\s*ruoi)?`,
  'g',
);
const PLAIN_BIG_NUMBER = /(?<![\d.,])(\d{1,3}(?:[.,]\d{3}){2,}|\d{6,10})(?![\d.,])/g;

function parseNumber(s: string): number {
  if (/^\d{1,3}([.,]\d{3})+$/.test(s)) return Number(s.replace(/[.,]/g, ''));
  return Number(s.replace(',', '.'));
}

function multiplier(unit: string): number {
  switch (unit) {
    case 'ty':
      return 1e9;
    case 'trieu':
    case 'tr':
    case 'cu':
      return 1e6;
    case 'nghin':
    case 'ngan':
    case 'k':
      return 1e3;
    default:
      return 1;
  }
}

function context(folded: string, end: number) {
  const after = folded.slice(end, end + 40);
  const around = folded.slice(Math.max(0, end - 60), end + 40);
  return {
    perPerson:
      /^\s*(\/|\s)?\s*(mot |moi |1 |tren |cho )?(nguoi|dau nguoi|khau|nhan khau)/.test(after) ||
      /binh quan|dau nguoi|moi nguoi/.test(around),
    perMonth: /^\s*(\/\s*)?(nguoi\s*\/?\s*)?(1 |mot |moi |hang |trong |\/)?\s*thang/.test(after) || /(moi|hang|1|mot) thang/.test(around),
    perYear: /^\s*(\/\s*)?(1 |mot |moi |hang )?nam/.test(after),
  };
}

/** Finds money amounts in folded text. */
export function extractMoney(folded: string): MoneyMention[] {
  const out: MoneyMention[] = [];
  const taken: Array<[number, number]> = [];
  for (const m of folded.matchAll(MONEY_RE)) {
    const base = parseNumber(m[1]);
    if (!Number.isFinite(base)) continue;
    const unit = m[2];
    let mult = multiplier(unit);
    if ((unit === 'd' || unit === 'dong' || unit === 'vnd') && base < 1000) continue;
    let vnd = base * mult;
    // "1tr5" = 1.5 million, "2tr25" = 2.25 million, "1 triệu 2" = 1.2 million
    const fracDigits = m[4] ?? m[5];
    if (fracDigits && mult >= 1e6 && !/[.,]/.test(m[1])) {
      const frac = fracDigits;
      vnd += Number(frac) * (mult / 10 ** frac.length);
    }
    if (m[6]) vnd += mult / 2; // "rưỡi"
    if (unit === 'k' && base >= 1000) mult = 1;
    const end = (m.index ?? 0) + m[0].length;
    out.push({ vnd: Math.round(vnd), raw: m[0].trim(), ...context(folded, end) });
    taken.push([m.index ?? 0, end]);
  }
  for (const m of folded.matchAll(PLAIN_BIG_NUMBER)) {
    const start = m.index ?? 0;
    if (taken.some(([a, b]) => start >= a && start < b)) continue;
    const vnd = parseNumber(m[1]);
    if (vnd < 100_000 || vnd > 1e11) continue;
    out.push({ vnd, raw: m[0], ...context(folded, start + m[0].length) });
  }
  return out;
}
