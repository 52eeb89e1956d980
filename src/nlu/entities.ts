import type { HouseholdType } from '../domain/types.ts';
import type { Entities } from './types.ts';
import { extractMoney } from './money.ts';

/**
 * Entity extraction on folded text: household type, rural/urban, year, date, money, household size.
 * Patterns, not lists of sentences, so unseen questions work.
 *
 * These are the program's only readers of these facts. The Understanding carries their strict reading
 * of a message; the guided check calls the same functions with `lenient` for a bare answer to the
 * question it just asked ("6" when asked how many people, "phường" when asked where the household lives).
 */

/** Options of the readers: `lenient` when the message answers the question just asked. */
export interface ReadOptions {
  lenient?: boolean;
}

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

/** The household type the asker says they are ("hộ cận nghèo", "mới thoát nghèo"), not negated ones. */
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

// ---------------------------------------------------------------- area

/**
 * Where the household lives. Unaccented "xa" is also "xa" (far) and "phuong" also "phương"
 * (địa phương, phương pháp), so in running text "xã" and "phường" count only where they name the
 * place ("ở phường", "tại xã", "phường 3"); a bare "xã" or "phường" counts only as the answer to
 * "nông thôn hay thành thị?" (lenient). A text naming both kinds says nothing.
 */
const URBAN = /\b(thanh thi|do thi|thanh pho|noi thanh|noi thi|thi tran|khu pho|(o|tai|thuoc) (thi xa|phuong)|phuong \d+)\b/g;
const RURAL =
  /\b(nong thon|vung nong thon|vung que|mien que|o que|mien nui|vung cao|vung sau vung xa|thon ban|ban lang|xa ngheo|(tai|thuoc) xa)\b/g;
/** In an answer, bare words also count ("phường", "xã", "tp", "thị xã"; not "thì", "thành"). */
const URBAN_WORD = /\b(thi xa|phuong|pho|tp)\b/;
const RURAL_WORD = /\b(xa|thon|ban|lang|que|ap|nong|buon|soc)\b/;

/** Rural or urban, read as described above; null when the text names neither or both. */
export function extractAreaType(folded: string, opts: ReadOptions = {}): 'rural' | 'urban' | null {
  const t = ` ${folded.replace(/[^a-z0-9]+/g, ' ')} `;
  const urban = new RegExp(URBAN.source).test(t);
  const rural = new RegExp(RURAL.source).test(t);
  if (!opts.lenient) return urban === rural ? null : urban ? 'urban' : 'rural';
  const rest = t.replace(URBAN, ' ').replace(RURAL, ' ');
  const u = urban || URBAN_WORD.test(rest);
  const r = rural || RURAL_WORD.test(rest.replace(/\bthi xa\b/g, ' '));
  return u === r ? null : u ? 'urban' : 'rural';
}

// ---------------------------------------------------------------- year, date

/** A four-digit year 2010-2030 ("năm 2027", or the year of a date). */
export function extractYear(folded: string): number | null {
  const m = /\b(?:nam\s*)?(20[12]\d|2030)\b/.exec(folded.replace(/\d{1,2}\/\d{1,2}\/(\d{4})/g, ' $1 '));
  return m ? Number(m[1]) : null;
}

/**
 * A full date: "31/12/2026", "1-1-2027", "01.01.2027", "2027-01-01", "ngày 1 tháng 1 năm 2027".
 * Returns the ISO date, "invalid" for a date that does not exist (30/02/2027), or null when none is written.
 */
export function readDate(folded: string): string | 'invalid' | null {
  const m =
    /\b(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d{2})\b/.exec(folded) ??
    /\bngay (\d{1,2}) thang (\d{1,2}) nam ((?:19|20)\d{2})\b/.exec(folded.replace(/[^a-z0-9]+/g, ' '));
  let y: number;
  let mo: number;
  let d: number;
  if (m) [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    const iso = /\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b/.exec(folded);
    if (!iso) return null;
    [y, mo, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  }
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return 'invalid';
  return dt.toISOString().slice(0, 10);
}

/** A real calendar date in the text (ISO), or null. */
export function extractDate(folded: string): string | null {
  const d = readDate(folded);
  return d === 'invalid' ? null : d;
}

// ---------------------------------------------------------------- household size

/** The largest household the program accepts: larger numbers are typing slips, not households. */
export const MAX_HOUSEHOLD_SIZE = 30;

const UNITS: Record<string, number> = { mot: 1, hai: 2, ba: 3, bon: 4, tu: 4, nam: 5, lam: 5, sau: 6, bay: 7, tam: 8, chin: 9 };
const UNIT_WORDS = 'hai|ba|bon|nam|sau|bay|tam|chin';
/** Number words in running text ("năm người", "mười hai khẩu"); "một" and "tư" only when answering. */
const WORD_NUMBER = `(?:(?:${UNIT_WORDS}) muoi(?: (?:mot|${UNIT_WORDS}|lam|tu))?|muoi(?: (?:mot|${UNIT_WORDS}|lam))?|${UNIT_WORDS})`;
const PERSON = '(?:nguoi|khau|nhan khau|thanh vien|mieng an)';
const COUNT_RE = new RegExp(String.raw`(?<![\d.,/])\b(\d{1,3}|${WORD_NUMBER})\s*${PERSON}(?![a-z])(?!\s*\/)`, 'g');

/** "4", "bốn", "mười hai", "hai mươi" → the number; null when it is not a number. */
export function numberFromWords(words: string): number | null {
  const w = words.trim();
  if (/^\d+$/.test(w)) return Number(w);
  const parts = w.split(/\s+/);
  if (parts.length === 1) return parts[0] === 'muoi' ? 10 : (UNITS[parts[0]] ?? null);
  if (parts[0] === 'muoi') return parts.length === 2 && UNITS[parts[1]] ? 10 + UNITS[parts[1]] : null;
  if (parts[1] === 'muoi' && UNITS[parts[0]] && parts[0] !== 'mot')
    return parts.length === 2
      ? UNITS[parts[0]] * 10
      : parts.length === 3 && UNITS[parts[2]]
        ? UNITS[parts[0]] * 10 + UNITS[parts[2]]
        : null;
  return null;
}

/** A household size as read: `valid` is false for 0 or more than {@link MAX_HOUSEHOLD_SIZE}. */
export interface MembersReading {
  n: number;
  valid: boolean;
}

function reading(n: number): MembersReading {
  return { n, valid: n >= 1 && n <= MAX_HOUSEHOLD_SIZE };
}

/**
 * The household size in folded text: "4 người", "nhà 5 khẩu", "năm nhân khẩu". Not a size: "mỗi người",
 * "1,5 triệu/người", "1tr5 1 người" (per person), "thêm 1 người" (a change, see
 * {@link extractMembersChange}). With `lenient` (the size was just asked) a bare "6", "sáu" or "một" counts.
 */
export function readMembers(folded: string, opts: ReadOptions = {}): MembersReading | null {
  const t = folded.replace(/[^a-z0-9,./ ]+/g, ' ').replace(/\s+/g, ' ');
  for (const m of t.matchAll(COUNT_RE)) {
    const n = numberFromWords(m[1]);
    if (n === null) continue;
    const before = t.slice(Math.max(0, (m.index ?? 0) - 16), m.index);
    if (/(\b(tren|moi|them|bot|giam|tang|it hon|nhieu hon)|\/)\s*$/.test(before)) continue;
    if (/(trieu|tr|cu|nghin|ngan|k|d|dong|vnd)$/.test(before)) continue; // glued to an amount: "1tr5 người"
    if (n === 1 && /(trieu|tr|cu|nghin|ngan|k|d|dong|vnd)\s*$/.test(before)) continue; // "1,5 triệu 1 người"
    return reading(n);
  }
  if (!opts.lenient) return null;
  const s = t.replace(/[,./]+/g, ' ').trim();
  if (/\b(trieu|tr|nghin|ngan|dong|k|cu|ty)\b|\d\s*(tr|k|d)\b/.test(s)) return null;
  const bare = /^\D*?(\d{1,3})\D*$/.exec(s);
  if (bare) return reading(Number(bare[1]));
  const words = s.split(' ');
  if (/\d/.test(s)) return null;
  for (let len = Math.min(3, words.length); len >= 1; len--) {
    const n = numberFromWords(words.slice(0, len).join(' '));
    if (n !== null && words.length <= len + 2) return reading(n);
  }
  return null;
}

/** The household size when it is a valid one, else null. */
export function extractMembers(folded: string, opts: ReadOptions = {}): number | null {
  const r = readMembers(folded, opts);
  return r?.valid ? r.n : null;
}

/** "thêm 1 người", "có thêm một khẩu", "bớt 2 người", "sinh thêm đứa con": how the household size changes. */
export function extractMembersChange(folded: string): number | null {
  const t = folded.replace(/[^a-z0-9 ]+/g, ' ').replace(/\s+/g, ' ');
  const m = new RegExp(
    String.raw`\b(them|bot|giam|bot di|giam di|tang them|it hon|nhieu hon)(?: (\d{1,2}|mot|${WORD_NUMBER}))? (?:${PERSON}|dua con|dua tre|dua|con|chau)\b`,
  ).exec(t);
  if (!m) return null;
  const n = m[2] ? numberFromWords(m[2]) : 1;
  if (!n) return null;
  return /^(bot|giam|it)/.test(m[1]) ? -n : n;
}

/** The strict reading of a message that the Understanding carries. */
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
