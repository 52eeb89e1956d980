import { describe, it, expect } from 'vitest';
import { maskPersonalData } from '../../src/privacy/mask.ts';

/**
 * Formats of personal data seen in the wild (and found stored raw by a security probe), each with the
 * exact masked text expected and the secrets that must not survive, then figures the bot must still
 * read after masking (amounts, dates, decrees, percentages, household facts).
 */

type Case = [name: string, input: string, expected: string, secrets?: string[]];

const ZWSP = '\u200B';
const ZWNJ = '\u200C';
const ZWJ = '\u200D';
const BOM = '\uFEFF';
const WJ = '\u2060';

/** Full-width form of an ASCII string: "079" → "０７９". */
const wide = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

const FORMATS: Case[] = [
  // CCCD (12 digits) and CMND (9 digits)
  ['CCCD after a keyword', 'CCCD của tôi là 079123456789', 'CCCD của tôi là [CCCD]'],
  ['CCCD in groups of three', 'số cccd 079 123 456 789 nhé', 'số cccd [CCCD] nhé'],
  ['CCCD with dots', 'CCCD 079.203.001.234', 'CCCD [CCCD]'],
  ['CCCD with dashes', 'cccd 079-203-001-234', 'cccd [CCCD]'],
  ['CCCD with en dashes', 'số 079–203–001–234 nhé', 'số [CCCD] nhé', ['079', '203', '001']],
  ['CCCD with slashes, no keyword', 'số 079/203/001/240', 'số [CCCD]', ['079/203/001/240']],
  ['CCCD with commas, no keyword', 'của em 079,203,001,241 ạ', 'của em [CCCD] ạ', ['079,203,001,241']],
  ['CCCD with underscores', 'id 079_203_001_242', 'id [CCCD]', ['079_203_001_242']],
  ['CCCD in groups of four', 'căn cước 0792 0300 1246', 'căn cước [CCCD]'],
  ['CCCD in full-width digits', `cccd ${wide('079203001243')}`, 'cccd [CCCD]', [wide('079203001243')]],
  ['CCCD in full-width digits with spaces', wide('079 203 001 244'), '[CCCD]'],
  ['CCCD in full-width digits with full-width dots', `cccd ${wide('079.203.001.234')}`, 'cccd [CCCD]'],
  ['CCCD with U+200B inside', `079${ZWSP}203${ZWSP}001${ZWSP}245`, '[CCCD]', ['245']],
  ['CCCD with U+200C inside', `0792${ZWNJ}03001246 nè`, '[CCCD] nè', ['03001246']],
  ['CCCD with U+200D inside', `07920${ZWJ}3001247`, '[CCCD]', ['3001247']],
  ['CCCD with U+FEFF inside', `079203${BOM}001248`, '[CCCD]', ['001248']],
  ['CCCD with U+2060 inside', `0792030${WJ}01249`, '[CCCD]', ['01249']],
  ['CCCD glued to its keyword', 'CCCD079203001234', 'CCCD[CCCD]'],
  ['CCCD after a colon', 'cccd:079203001234', 'cccd:[CCCD]'],
  ['CCCD after a long keyword phrase', 'số căn cước công dân của tôi là 079203001234', 'số căn cước công dân của tôi là [CCCD]'],
  ['CCCD after "mã định danh"', 'mã định danh 079203001234', 'mã định danh [CCCD]'],
  ['CCCD with mixed separators', 'cc 079.203 001-234', 'cc [CCCD]'],
  ['CCCD with no-break spaces', 'CCCD\u00A0079\u00A0203\u00A0001\u00A0234', 'CCCD\u00A0[CCCD]'],
  ['CMND plain', 'CMND 271234567', 'CMND [CCCD]'],
  ['CMND with dots after keyword', 'cmnd 271.234.567', 'cmnd [CCCD]'],
  ['CMND in groups after "chứng minh"', 'chứng minh nhân dân 271 234 567', 'chứng minh nhân dân [CCCD]'],

  // Phone numbers
  ['mobile plain', 'gọi em 0912345678 với', 'gọi em [SĐT] với'],
  ['mobile with dots', 'sđt 0912.345.678', 'sđt [SĐT]'],
  ['mobile with spaces', 'số em 0912 345 678 nha', 'số em [SĐT] nha'],
  ['mobile with dashes', 'gọi 0912-345-678', 'gọi [SĐT]'],
  ['mobile grouped 3-3-4', 'alo 091 234 5678', 'alo [SĐT]'],
  ['mobile with +84 and spaces', 'liên hệ +84 912 345 678', 'liên hệ [SĐT]'],
  ['mobile with +84 glued', 'liên hệ +84912345678', 'liên hệ [SĐT]'],
  ['mobile with (+84)', 'gọi (+84) 912 345 678', 'gọi [SĐT]', ['912 345 678']],
  ['mobile with +84 and dashes', '+84-912-345-678', '[SĐT]'],
  ['mobile with 84 and no plus', 'số 84912345678', 'số [SĐT]'],
  ['mobile with mixed separators', 'gọi 0912 345.678', 'gọi [SĐT]'],
  ['mobile with +84 and mixed separators', '(+84) 912.345-678', '[SĐT]'],
  ['mobile in full-width digits', `sdt ${wide('0912345678')}`, 'sdt [SĐT]', [wide('0912345678')]],
  ['mobile partly spelled out', 'gọi không chín 1 2 3 4 5 6 7 8 nhé', 'gọi [SĐT] nhé', ['1 2 3 4 5 6 7 8']],
  ['mobile spelled out', 'gọi không chín một hai ba bốn năm sáu bảy tám nha', 'gọi [SĐT] nha', ['một hai ba']],
  ['mobile spelled out without diacritics', 'sdt khong chin mot hai ba bon nam sau bay tam', 'sdt [SĐT]'],
  ['mobile spelled after a keyword', 'số điện thoại là không chín không chín một hai ba bốn năm sáu', 'số điện thoại là [SĐT]'],
  ['mobile digit by digit', 'số 0 9 1 2 3 4 5 6 7 8', 'số [SĐT]'],
  ['mobile with zero-width spaces', `0912${ZWSP}345${ZWSP}678`, '[SĐT]', ['345']],
  ['mobile missing its 0 after a keyword', 'đt: 912345678', 'đt: [SĐT]'],
  ['Zalo number', 'zalo 0987.654.321', 'zalo [SĐT]'],
  ['landline with area code in brackets', 'bàn (028) 3823 4567', 'bàn [SĐT]', ['3823']],
  ['landline with spaces', 'Đt 0283 823 4567', 'Đt [SĐT]'],
  ['two phones', 'sđt 0912345678 hoặc 0987654321', 'sđt [SĐT] hoặc [SĐT]'],
  ['two phones with a slash', '0912345678/0987654321', '[SĐT]/[SĐT]'],
  ['two spaced phones in a list', 'liên hệ 0912 345 678, 0987 654 321', 'liên hệ [SĐT], [SĐT]'],

  // E-mail addresses
  ['e-mail plain', 'mail nguyenvana@gmail.com nha', 'mail [EMAIL] nha'],
  ['e-mail with spaces around @', 'mail le.c @ gmail.com nhé', 'mail [EMAIL] nhé', ['gmail.com', 'le.c']],
  ['e-mail with (at) and (dot)', 'le.d(at)gmail(dot)com', '[EMAIL]'],
  ['e-mail with [at] and [dot]', 'gửi le [at] gmail [dot] com', 'gửi [EMAIL]'],
  ['e-mail with {at} and {dot}', 'le{at}gmail{dot}com', '[EMAIL]'],
  ['e-mail with words at and dot', 'le at gmail dot com', '[EMAIL]'],
  ['e-mail spelled in Vietnamese', 'nguyen van a a còng gmail chấm com', 'nguyen van [EMAIL]'],
  ['e-mail on a bare host', 'pham@localhost', '[EMAIL]'],
  ['e-mail with diacritics and a long domain', 'Trần.Văn_B+tag@Sở-LĐTBXH.gov.vn', '[EMAIL]'],
  ['e-mail in full-width', `le${wide('@')}gmail${wide('.')}com`, '[EMAIL]', ['gmail']],
  ['e-mail with several dots', 'email: pham(at)yahoo(dot)com(dot)vn', 'email: [EMAIL]', ['yahoo']],
  ['e-mail and phone together', 'mail: le.van.c@yahoo.com.vn, sđt 0912345678', 'mail: [EMAIL], sđt [SĐT]'],

  // Bank accounts and cards
  ['account after stk, bank name after', 'stk 1903 6688 9999 12 techcombank', 'stk [STK] techcombank'],
  ['account after stk and a bank name', 'stk agribank 5100 2050 12345', 'stk agribank [STK]', ['5100', '2050', '12345']],
  ['ATM card number', 'the ATM 9704 1234 5678 9012', 'the ATM [STK]'],
  ['account after tai khoan and a colon', 'tai khoan techcombank: 1903 4567 8901 23', 'tai khoan techcombank: [STK]'],
  ['account before a bank name, no keyword', 'chuyển vào 87654321 bidv', 'chuyển vào [STK] bidv'],
  ['account after ck, bank abbreviation after', 'ck 0123456789 vcb', 'ck [STK] vcb'],
  ['account after stk and bank, grouped 4-4-2', 'stk vietcombank 1234 5678 90', 'stk vietcombank [STK]'],
  ['account before "(tại agribank)"', '87654321 (tại agribank)', '[STK] (tại agribank)'],
  ['account after số tài khoản', 'số tài khoản: 0011004123456', 'số tài khoản: [STK]'],
  ['card number without keyword', 'thẻ 9704 1234 5678 9012', 'thẻ [STK]'],
  ['wallet number', 'momo 0912345678', 'momo [STK]'],

  // Other identifiers and long numbers
  ['tax code', 'mã số thuế 8123456789', 'mã số thuế [SỐ]'],
  ['social insurance number', 'số bhxh 7912345678', 'số bhxh [SỐ]'],
  ['passport number with its letter', 'hộ chiếu C1234567', 'hộ chiếu [SỐ]'],
  ['health insurance card', 'thẻ bhyt DN4010123456789', 'thẻ bhyt [SỐ]'],
  ['any long number', 'mã hồ sơ 123456789012345', 'mã hồ sơ [SỐ]'],
  ['a very long digit run', '12345678901234567890123', '[SỐ]'],
];

const UNCHANGED: [name: string, text: string][] = [
  ['monthly income', 'thu nhập 1.500.000 đồng/tháng'],
  ['income per person', 'thu nhập 2.530.000 đồng/người/tháng'],
  ['income written 1tr5', 'hộ 5 khẩu thu nhập 1tr5 một người'],
  ['a loan in millions', 'vay tối đa 100 triệu trong 5 năm'],
  ['a billion with thousands dots', 'tổng 1.500.000.000 đồng'],
  ['an amount with commas', '2,530,000 đồng'],
  ['an amount with spaces and a unit', 'giá 1 500 000 000 đồng'],
  ['a round amount without unit', 'vay 100000000'],
  ['an amount after a bank name', 'vay ngân hàng chính sách 50.000.000'],
  ['an amount after tài khoản', 'tài khoản của tôi bị trừ 1.500.000'],
  ['a range of amounts', 'giá 1.500.000 - 2.000.000'],
  ['two amounts in a row', 'trả 1.500.000 200.000'],
  ['a very large amount', 'ngân sách 1.000.000.000.000 đồng'],
  ['an amount in đ', 'tháng 7/2025 nhận 750.000đ'],
  ['a percentage', 'vay 100 triệu lãi 6,24%'],
  ['a yearly rate', 'lãi suất 6,24%/năm'],
  ['a year and a count', 'năm 2023 có 6.621 hộ nghèo'],
  ['a year and household size', 'năm nay 2025, hộ 3 người'],
  ['a list of years', 'các năm 2021 2022 2023'],
  ['a period', 'chuẩn nghèo 2022-2025'],
  ['a start date', 'từ ngày 01/07/2026'],
  ['an end date', 'đến hết 31/12/2023'],
  ['dates without leading zeros', 'ngày 1/7/2025 đến 30/6/2026'],
  ['a dotted date', 'ngày 12.03.2021'],
  ['a dotted date then a count', 'ngày 01.07.2026 100 hộ'],
  ['an ISO date', '2023-12-31'],
  ['a date after a CCCD keyword', 'cccd cấp ngày 12/03/2021'],
  ['a decree', 'Nghị định 338/2025/NĐ-CP'],
  ['a decision', 'Quyết định 24/2021/QĐ-TTg'],
  ['a circular', 'Thông tư 07/2021/TT-BLĐTBXH'],
  ['a toll-free number', 'gọi 1800.1233 miễn phí'],
  ['a hotline', 'hotline 1900 1234'],
  ['a hotline after an insurance keyword', 'Tổng đài Bảo hiểm xã hội Việt Nam 1900 9068'],
  ['a round loan ceiling', 'mức vay tối đa 500000000'],
  ['household facts', 'nhà tôi 4 người, 2 con đi học'],
  ['household facts with income', 'năm 2025 hộ tôi có 5 người, thu nhập bình quân 1.800.000 đồng/người/tháng'],
  ['an age', 'tôi 45 tuổi, có 2 con'],
  ['a loan term', 'vay 50tr 36 tháng'],
  ['a time and a date', 'lúc 10:30 ngày 12/03/2021'],
  ['an address', '123 Nguyễn Trãi, P.5, Q.1'],
  ['land area', '0.5 ha đất, dt 120 m2'],
  ['counting words', 'hai ba bốn năm sáu bảy tám chín'],
  ['a mention, not an e-mail', 'hỏi @admin giúp'],
  ['an at sign between words', 'xin chào @ mọi người'],
];

describe('maskPersonalData: formats of personal data', () => {
  it('covers at least 45 formats and 15 texts to leave alone', () => {
    expect(FORMATS.length).toBeGreaterThanOrEqual(45);
    expect(UNCHANGED.length).toBeGreaterThanOrEqual(15);
  });

  it.each(FORMATS)('masks %s', (_name, input, expected, secrets = []) => {
    const out = maskPersonalData(input);
    expect(out).toBe(expected);
    for (const secret of secrets) expect(out).not.toContain(secret);
    // No digit of the input survives unless it is outside the masked part (none of these keep digits).
    expect(out.replace(/\[(CCCD|SĐT|EMAIL|STK|SỐ)\]/gu, '')).not.toMatch(/\d{3}/);
  });

  it.each(UNCHANGED)('leaves %s alone', (_name, text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  it('keeps the words around a masked number, so household facts still read', () => {
    const text = 'nhà tôi 4 người, thu nhập 5 triệu, cccd 079203001234, sdt 0912345678, stk 1903 6688 9999 12 vcb';
    expect(maskPersonalData(text)).toBe('nhà tôi 4 người, thu nhập 5 triệu, cccd [CCCD], sdt [SĐT], stk [STK] vcb');
  });

  it('masks every occurrence, not only the first', () => {
    const text = Array.from({ length: 50 }, (_, i) => `cccd 0792030${String(10000 + i)} sđt 09123${String(10000 + i)}`).join('; ');
    const out = maskPersonalData(text);
    expect(out.match(/\[CCCD\]/g)).toHaveLength(50);
    expect(out.match(/\[SĐT\]/g)).toHaveLength(50);
    expect(out).not.toMatch(/\d/);
  });

  it('masks IDs at both ends of a very long run of numbers', () => {
    const text = `0912 345 678 ${'1 '.repeat(20_000)}079 203 001 234`;
    const out = maskPersonalData(text);
    expect(out.startsWith('[SĐT] 1 1 ')).toBe(true);
    expect(out.endsWith(' 1 [CCCD]')).toBe(true);
  });

  it('returns empty and short texts as they are', () => {
    expect(maskPersonalData('')).toBe('');
    expect(maskPersonalData('a')).toBe('a');
    expect(maskPersonalData('@')).toBe('@');
    expect(maskPersonalData('😀')).toBe('😀');
  });

  it('keeps the head and the tail of an over-long text, cut between words', () => {
    const head = 'cccd 079203001234 ' + 'hộ nghèo '.repeat(8000);
    const tail = 'lời cuối sđt 0912345678';
    const out = maskPersonalData(head + tail);
    expect(out.length).toBeLessThanOrEqual(65_536);
    expect(out.startsWith('cccd [CCCD] hộ nghèo')).toBe(true);
    expect(out.endsWith('lời cuối sđt [SĐT]')).toBe(true);
    expect(out).toContain(' ... ');
    expect(out).not.toMatch(/\d{3}/);
  });
});
