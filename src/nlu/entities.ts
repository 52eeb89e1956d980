import type { HouseholdType } from '../domain/types.ts';
import type { Entities } from './types.ts';
import { extractMoney } from './money.ts';

/**
 * Entity extraction on folded text: household type, rural/urban, year, date, money, household size.
 * Patterns, not lists of sentences, so unseen questions work.
 */

const HOUSEHOLD_PATTERNS: Array<[HouseholdType, RegExp]> = [
  ['escaped', /\b(moi thoat ngheo|thoat ngheo|thoat can ngheo|vua thoat|da thoat ngheo|ra khoi ho ngheo)\b/],
  ['near_poor', /\b(can ngheo|hcn|ho cn)\b/],
  ['average', /\b(muc song trung binh|ho trung binh|mstb)\b/],
  ['poor', /\b(ho ngheo|nha ngheo|gia dinh ngheo|nguoi ngheo|ho dac biet kho khan|ngheo)\b/],
];
// "nghèo" inside these phrases is about the policy, not the asker's household.
const NON_HOUSEHOLD_NGHEO =
  /\b(chuan ngheo|giam ngheo|ngheo da chieu|xa ngheo|huyen ngheo|vi nguoi ngheo|ty le ho ngheo|so ho ngheo|ho ngheo giam)\b/g;

// "không phải hộ nghèo", "nhà không nghèo": the asker says what they are not.
const NEGATED_HOUSEHOLD = /\b(khong phai|chang phai|khong thuoc|khong con la|khong duoc xep|khong)( la)?( dien)?( ho)? (can )?ngheo\b/g;

export function extractHousehold(folded: string): HouseholdType | null {
  const negated = NEGATED_HOUSEHOLD.test(folded);
  NEGATED_HOUSEHOLD.lastIndex = 0;
  const t = folded.replace(NON_HOUSEHOLD_NGHEO, ' ').replace(NEGATED_HOUSEHOLD, ' ');
  if (negated && !/\b(muc song trung binh|trung binh|thoat ngheo)\b/.test(t)) {
    const rest = HOUSEHOLD_PATTERNS.find(([, re]) => re.test(t));
    return rest ? rest[0] : null;
  }
  for (const [type, re] of HOUSEHOLD_PATTERNS) if (re.test(t)) return type;
  return null;
}

export function extractAreaType(folded: string): 'rural' | 'urban' | null {
  if (/\b(nong thon|o que|vung que|mien nui|vung cao|xa ngheo)\b/.test(folded)) return 'rural';
  if (/\b(thanh thi|do thi|thanh pho|noi thanh|phuong)\b/.test(folded)) return 'urban';
  return null;
}

export function extractYear(folded: string): number | null {
  const m = /\b(?:nam\s*)?(20[12]\d|2030)\b/.exec(folded.replace(/\d{1,2}\/\d{1,2}\/(\d{4})/g, ' $1 '));
  return m ? Number(m[1]) : null;
}

export function extractDate(folded: string): string | null {
  const m = /\b(\d{1,2})[/.-](\d{1,2})[/.-](20\d{2})\b/.exec(folded);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return dt.toISOString().slice(0, 10);
}

const NUMBER_WORDS: Record<string, number> = { mot: 1, hai: 2, ba: 3, bon: 4, tu: 4, nam: 5, sau: 6, bay: 7, tam: 8, chin: 9, muoi: 10 };

export function extractMembers(folded: string): number | null {
  const m = /(?<![/\d.,])\b(\d{1,2}|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)\s*(nguoi|khau|nhan khau|thanh vien|mieng an)\b(?!\s*\/)/.exec(
    folded,
  );
  if (!m) return null;
  const before = folded.slice(Math.max(0, (m.index ?? 0) - 12), m.index);
  if (/(tren|moi|\/)\s*$/.test(before)) return null;
  const n = /\d/.test(m[1]) ? Number(m[1]) : NUMBER_WORDS[m[1]];
  return n >= 1 && n <= 30 ? n : null;
}

export function extractEntities(folded: string): Entities {
  return {
    household: extractHousehold(folded),
    areaType: extractAreaType(folded),
    year: extractYear(folded),
    date: extractDate(folded),
    money: extractMoney(folded),
    members: extractMembers(folded),
  };
}
