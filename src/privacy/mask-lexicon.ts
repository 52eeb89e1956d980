/**
 * Words the personal-data scanner (mask.ts) looks for, all folded: lower case, no diacritics, "đ" → "d".
 *
 * Why a lexicon: a bare number is ambiguous (an amount, a year, an account?), the words around it are
 * not. "stk", "cccd", "sđt" or a bank name before a number make it personal even when its shape alone
 * would not; money units after it make it an amount.
 */

/**
 * What a keyword says about the number that follows it: an identity document ([CCCD]), a phone
 * ([SĐT]), an account or card number ([STK]: "account" after "stk", "tài khoản", "số thẻ"…, which
 * always name one; "bank" after a bank's name or "chuyển vào", which may also come before an amount),
 * or another personal number such as a tax code ([SỐ]).
 */
export type KeywordClass = 'id' | 'phone' | 'account' | 'bank' | 'other';

/** Keyword phrases (words separated by white space in the text), by class. */
const PHRASES: Record<KeywordClass, string[]> = {
  id: ['cccd', 'cmnd', 'cmt', 'cmtnd', 'can cuoc', 'chung minh', 'dinh danh', 'cancuoc', 'chungminh'],
  phone: ['sdt', 'dt', 'dthoai', 'dien thoai', 'phone', 'tel', 'zalo', 'di dong', 'mobile', 'viber', 'whatsapp'],
  account: ['stk', 'tk', 'tai khoan', 'so the', 'the atm', 'atm', 'the ngan hang', 'ck', 'chuyen khoan', 'account'],
  bank: ['ngan hang', 'chuyen vao', 'chuyen tien', 'gui vao'],
  other: ['mst', 'ma so thue', 'bhxh', 'bhyt', 'bao hiem xa hoi', 'bao hiem y te', 'ho chieu', 'passport', 'gplx', 'bang lai'],
};

/**
 * Banks and wallets whose name, before or after a number, marks it as an account number
 * ("ck 0123456789 vcb", "chuyển vào 87654321 bidv").
 */
export const BANK_NAMES: ReadonlySet<string> = new Set([
  'vietcombank',
  'vcb',
  'bidv',
  'agribank',
  'agr',
  'techcombank',
  'tcb',
  'vietinbank',
  'vtb',
  'ctg',
  'mbbank',
  'mb',
  'acb',
  'sacombank',
  'stb',
  'scb',
  'vpbank',
  'vpb',
  'tpbank',
  'tpb',
  'hdbank',
  'hdb',
  'shb',
  'vib',
  'ocb',
  'msb',
  'maritimebank',
  'seabank',
  'eximbank',
  'eib',
  'lienvietpostbank',
  'lpbank',
  'lpb',
  'bacabank',
  'abbank',
  'namabank',
  'pvcombank',
  'kienlongbank',
  'klb',
  'ncb',
  'vietabank',
  'baovietbank',
  'saigonbank',
  'sgb',
  'pgbank',
  'gpbank',
  'oceanbank',
  'cbbank',
  'vietbank',
  'bvbank',
  'vikki',
  'cake',
  'timo',
  'tnex',
  'ubank',
  'shinhan',
  'hsbc',
  'citibank',
  'woori',
  'uob',
  'vbsp',
  'nhcsxh',
  'momo',
  'zalopay',
  'viettelpay',
  'vnpay',
  'vietcom',
  'vietin',
  'techcom',
  'sacom',
]);

/** Words allowed between a number and a following bank name ("87654321 ngân hàng bidv", "… tại vcb"). */
export const BANK_FILLERS: ReadonlySet<string> = new Set(['ngan', 'hang', 'nh', 'tai', 'o', 'cua', 'ben', 'bank']);

/** Digits spelled out in Vietnamese ("không chín một hai…"), folded. */
export const SPELLED_DIGITS: ReadonlyMap<string, number> = new Map([
  ['khong', 0],
  ['mot', 1],
  ['hai', 2],
  ['ba', 3],
  ['bon', 4],
  ['nam', 5],
  ['sau', 6],
  ['bay', 7],
  ['tam', 8],
  ['chin', 9],
]);

/** Money units after a number that make it an amount, never an ID ("2.530.000 đồng", "100 triệu", "50000000đ"). */
export const MONEY_UNITS: ReadonlySet<string> = new Set(['d', 'dong', 'vnd', 'trieu', 'tr', 'ty', 'ti', 'nghin', 'ngan', 'k', 'usd', 'xu']);

/** Top-level domains accepted after a spelled-out "at"/"dot" ("le at gmail dot com"). */
export const TLDS: ReadonlySet<string> = new Set([
  'com',
  'net',
  'org',
  'edu',
  'gov',
  'vn',
  'info',
  'biz',
  'io',
  'me',
  'co',
  'us',
  'uk',
  'jp',
  'kr',
  'cn',
  'fr',
  'de',
  'au',
  'ca',
  'xyz',
  'online',
  'site',
  'app',
  'dev',
  'asia',
  'name',
  'mobi',
  'tv',
  'ai',
  'email',
  'mail',
]);

/** A keyword of one or more words, and what it says about the number after it. */
export interface Phrase {
  readonly words: readonly string[];
  readonly cls: KeywordClass;
}

/** Keyword phrases indexed by their first word, longest first. */
export const KEYWORDS: ReadonlyMap<string, readonly Phrase[]> = (() => {
  const map = new Map<string, Phrase[]>();
  for (const [cls, phrases] of Object.entries(PHRASES) as [KeywordClass, string[]][]) {
    for (const p of phrases) {
      const words = p.split(' ');
      const list = map.get(words[0]) ?? [];
      list.push({ words, cls });
      map.set(words[0], list);
    }
  }
  for (const name of BANK_NAMES) if (!map.has(name)) map.set(name, [{ words: [name], cls: 'bank' }]);
  for (const list of map.values()) list.sort((a, b) => b.words.length - a.words.length);
  return map;
})();

/** Longest keyword word, so longer words are rejected without a look-up. */
export const MAX_KEYWORD_WORD = Math.max(...[...KEYWORDS.keys(), ...BANK_FILLERS, ...MONEY_UNITS, ...TLDS].map((w) => w.length));
