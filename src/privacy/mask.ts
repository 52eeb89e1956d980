/**
 * Masks residents' personal data in free text before it is logged or stored:
 * Vietnamese citizen ID numbers (CCCD, 12 digits; old CMND, 9 digits), phone numbers,
 * e-mail addresses and bank account numbers. Amounts of money are left alone.
 */

const EMAIL = /[\p{L}0-9._%+-]+@[\p{L}0-9.-]+\.[\p{L}]{2,}/gu;
// Phone: +84 or 0 followed by 9-10 digits, allowing spaces/dots/dashes between groups.
const PHONE = /(?<![\d.,])(?:\+?84|0)(?:[\s.-]?\d){8,10}(?![\d.,]*\d)/g;
// CCCD: 12 digits, possibly spaced in groups of 3 or 4. CMND: 9 digits.
const CCCD = /(?<![\d.,])(?:\d{12}|\d{3}[\s.-]\d{3}[\s.-]\d{3}[\s.-]\d{3}|\d{4}[\s.-]\d{4}[\s.-]\d{4})(?![\d])/g;
const ID_NUMBER = /(?<![\d.,])\d{3}[\s.-]?\d{3}[\s.-]?\d{3}(?![\d])/g;
// Bank accounts and cards: 8-19 digits after an account keyword, allowing a bank name in between.
const BANK = /((?:stk|số tài khoản|so tai khoan|tài khoản|tai khoan|tk|thẻ atm|the atm|atm|số thẻ|so the)\s*[:.]?\s*(?:[\p{L}]+\s+){0,3}[:.]?\s*)(\d[\d\s.-]{6,22}\d)/giu;
// Card numbers: 16 digits in groups of four.
const CARD = /(?<![\d.,])\d{4}[\s.-]\d{4}[\s.-]\d{4}[\s.-]\d{4}(?![\d])/g;
// Anything number-like right after an identity-document keyword ("CCCD 079.203.001.234", "cmnd: 271.234.567").
const KEYED_ID = /((?:cccd|cmnd|cmt|căn cước|can cuoc|chứng minh|chung minh|định danh|dinh danh)(?:\s+(?:công dân|cong dan|nhân dân|nhan dan|của \p{L}+|cua \p{L}+))?\s*(?:là|la|số|so)?\s*[:.]?\s*)(\d[\d\s.-]{7,16}\d)/giu;
const LONG_DIGITS = /(?<![\d.,])\d{10,19}(?![\d])/g;

/** Returns `text` with personal identifiers replaced by placeholders such as [SĐT] and [CCCD]. */
export function maskPersonalData(text: string): string {
  if (!text) return text;
  return text
    .replace(EMAIL, '[EMAIL]')
    .replace(KEYED_ID, (_m, prefix: string) => `${prefix}[CCCD]`)
    .replace(BANK, (_m, prefix: string) => `${prefix}[STK]`)
    .replace(CARD, '[STK]')
    .replace(CCCD, (m) => (isMoneyLike(m) ? m : '[CCCD]'))
    .replace(PHONE, '[SĐT]')
    .replace(ID_NUMBER, (m) => (isMoneyLike(m) ? m : '[CCCD]'))
    .replace(LONG_DIGITS, '[SỐ]');
}

function isMoneyLike(m: string): boolean {
  // "1.500.000" style thousands grouping is money, not an ID; amounts never start with 0 (IDs often do).
  return /^[1-9]\d{0,2}(\.\d{3})+$/.test(m);
}
