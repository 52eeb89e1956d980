import { describe, it, expect } from 'vitest';
import { fold, normalizeTonePlacement, cleanText } from '../../src/nlu/text.ts';
import { extractMoney, readMoney } from '../../src/nlu/money.ts';
import {
  extractAreaType,
  extractEntities,
  extractMembers,
  extractMembersChange,
  MAX_HOUSEHOLD_SIZE,
  readDate,
  readMembers,
} from '../../src/nlu/entities.ts';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { buildLanguageKit } from '../../src/knowledge/language-kit.ts';

const kit = buildLanguageKit(KnowledgeBase.load('knowledge/policies'), 'knowledge');

describe('Vietnamese text handling', () => {
  it('folds diacritics including đ on both sides', () => {
    expect(fold('Hộ Cận Nghèo ĐƯỢC vay')).toBe('ho can ngheo duoc vay');
  });
  it('uses one tone-placement convention', () => {
    expect(normalizeTonePlacement('hoà thuỷ khoẻ')).toBe('hòa thủy khỏe');
  });
  it('removes control characters and caps length', () => {
    expect(cleanText('a\u0000b\u200Bc')).toBe('a b c');
    expect(cleanText('x'.repeat(50_000)).length).toBe(2000);
  });
  it('expands abbreviations and teencode', () => {
    const u = kit.nlu.understand('hcn ko dc vay NHCSXH a, BHYT bn %');
    expect(u.folded).toContain('ho can ngheo khong duoc vay ngan hang chinh sach xa hoi');
    expect(u.folded).toContain('bao hiem y te bao nhieu');
  });
  it('corrects small typos against the vocabulary', () => {
    expect(kit.nlu.understand('hoc phiii').folded).toBe('hoc phi');
    expect(kit.nlu.understand('cam onn').folded).toBe('cam on');
  });
});

describe('entities', () => {
  it.each([
    ['1,5 triệu', 1_500_000],
    ['1tr5', 1_500_000],
    ['1.500.000đ', 1_500_000],
    ['6 triệu rưỡi', 6_500_000],
    ['2tr25', 2_250_000],
    ['500k', 500_000],
  ])('reads money "%s"', (text, vnd) => {
    expect(extractMoney(fold(text))[0]?.vnd).toBe(vnd);
  });
  it('knows per-person and per-month', () => {
    const m = extractMoney(fold('thu nhập 1,6tr/người/tháng'))[0];
    expect(m).toMatchObject({ vnd: 1_600_000, perPerson: true, perMonth: true });
  });
  it('finds household type, area, members and year', () => {
    const e = extractEntities(fold('Nhà tôi 5 người ở nông thôn, hộ cận nghèo, năm 2025'));
    expect(e).toMatchObject({ household: 'near_poor', areaType: 'rural', members: 5, year: 2025 });
    expect(extractEntities(fold('mới thoát nghèo')).household).toBe('escaped');
    expect(extractEntities(fold('chuẩn nghèo 2027 là bao nhiêu')).household).toBeNull();
  });
  it('rejects impossible dates', () => {
    expect(extractEntities('31/12/2026').date).toBe('2026-12-31');
    expect(extractEntities('30/02/2026').date).toBeNull();
  });
  it.each([
    ['ngay 01/01/2027', '2027-01-01'],
    ['1-1-2027', '2027-01-01'],
    ['01.01.2027', '2027-01-01'],
    ['2027-01-01', '2027-01-01'],
    ['ngay 1 thang 1 nam 2027', '2027-01-01'],
    ['30/02/2027', 'invalid'],
    ['nam 2027', null],
  ])('reads the date in "%s" as %s', (text, date) => {
    expect(readDate(text)).toBe(date);
  });
});

describe('one reader for money, household size and area (strict, or lenient for the question just asked)', () => {
  it.each([
    ['1tr5/nguoi', 1_500_000, true],
    ['1 trieu 2/thang', 1_200_000, false],
    ['1tr8/nguoi/thang', 1_800_000, true],
    ['4tr1 thang', 4_000_000, false],
    ['1.5tr/ng', 1_500_000, true],
    ['thu nhap 6 trieu 4 nguoi', 6_000_000, false],
    ['2 ty', 2_000_000_000, false],
    ['1,5 trieu dong/nguoi/thang', 1_500_000, true],
  ])('money "%s" → %i (per person: %s)', (text, vnd, perPerson) => {
    expect(readMoney(text)[0]).toMatchObject({ vnd, perPerson });
  });
  it('does not read years, dates, counts or "tỷ lệ"/"ngân hàng" as money', () => {
    for (const t of [
      'luy ke den 31/12/2023 ngan hang chinh sach',
      'dau nam 2023 ty le ho ngheo',
      'nguoi thu 2, thu 3 dong bao nhieu',
      '31.12.2023',
      'nha 4 nguoi',
    ])
      expect(readMoney(t), t).toEqual([]);
  });
  it('reads a bare number as an amount only when income was just asked', () => {
    expect(readMoney('6')).toEqual([]);
    expect(readMoney('6', { lenient: true })[0]).toMatchObject({ vnd: 6_000_000, assumed: true });
    expect(readMoney('1500', { lenient: true })[0]).toMatchObject({ vnd: 1_500_000, assumed: true });
    expect(readMoney('1tr8 moi nguoi', { lenient: true })[0]).toMatchObject({ vnd: 1_800_000, perPerson: true, assumed: false });
    expect(readMoney('khong co thu nhap', { lenient: true })[0]).toMatchObject({ vnd: 0 });
    expect(readMoney('nam 2027 thi sao', { lenient: true })).toEqual([]);
  });
  it(`caps the household size at ${MAX_HOUSEHOLD_SIZE} in both modes`, () => {
    expect(extractMembers('nha 30 nguoi')).toBe(30);
    expect(extractMembers('nha 31 nguoi')).toBeNull();
    expect(readMembers('31 nguoi')).toEqual({ n: 31, valid: false });
    expect(readMembers('35', { lenient: true })).toEqual({ n: 35, valid: false });
    expect(readMembers('0', { lenient: true })).toEqual({ n: 0, valid: false });
  });
  it('reads a bare size only when it was just asked, and never a per-person amount or a change', () => {
    expect(extractMembers('6')).toBeNull();
    expect(extractMembers('6', { lenient: true })).toBe(6);
    expect(extractMembers('muoi hai', { lenient: true })).toBe(12);
    expect(extractMembers('hai muoi', { lenient: true })).toBe(20);
    expect(extractMembers('6 trieu', { lenient: true })).toBeNull();
    expect(extractMembers('thu nhap bao nhieu mot nguoi mot thang')).toBeNull();
    expect(extractMembers('thu nhap tu nguoi con gui ve')).toBeNull();
    expect(extractMembers('1,5 trieu 1 nguoi')).toBeNull();
    expect(extractMembers('neu co them 1 nguoi')).toBeNull();
    expect(extractMembersChange('neu co them 1 nguoi thi sao')).toBe(1);
    expect(extractMembersChange('bot hai nguoi')).toBe(-2);
    expect(extractMembersChange('sinh them dua con')).toBe(1);
  });
  it('reads "phường" and "xã" one way: as a place named ("ở phường", "tại xã"), or as the bare answer when asked', () => {
    expect(extractAreaType('o phuong 3')).toBe('urban');
    expect(extractAreaType('phuong phap cham diem')).toBeNull();
    expect(extractAreaType('don phuong ly hon')).toBeNull();
    expect(extractAreaType('con cai o xa')).toBeNull();
    expect(extractAreaType('tai xa phan son')).toBe('rural');
    expect(extractAreaType('phuong', { lenient: true })).toBe('urban');
    expect(extractAreaType('xa', { lenient: true })).toBe('rural');
    expect(extractAreaType('ubnd xa/phuong', { lenient: true })).toBeNull();
    expect(extractAreaType('nong thon hay thanh thi')).toBeNull();
    expect(extractAreaType('neu thu nhap 7 trieu thi sao', { lenient: true })).toBeNull();
  });
});

describe('ambiguous unaccented words', () => {
  it('reads "vay" as "vậy" where the context says so, and keeps loans as loans', () => {
    expect(kit.nlu.understand('vay co duoc vo ho can ngheo khong').folded).not.toMatch(/\bvay\b/);
    expect(kit.nlu.understand('vậy có được không').folded).not.toMatch(/\bvay\b/);
    expect(kit.nlu.understand('ho ngheo vay von duoc bao nhieu').folded).toMatch(/\bvay von\b/);
    expect(kit.nlu.understand('nhu vay thi sao').folded).toBe('nhu zay thi sao');
  });
});

describe('words that fold alike', () => {
  it('tells the household book (sổ) from the count (số) when the context says so', () => {
    expect(kit.nlu.understand('cai so ho ngheo cua tui bi mat').folded).toContain('giay chung nhan ho ngheo');
    expect(kit.nlu.understand('so ho ngheo binh thuan nam 2023').folded).toContain('so ho ngheo');
    expect(kit.nlu.understand('Tôi bị mất sổ hộ nghèo').folded).toContain('giay chung nhan ho ngheo');
  });
  it('reads a sentence-final "vay" as the particle unless borrowing precedes it', () => {
    expect(kit.nlu.understand('bot nay ai lam vay').folded).not.toMatch(/\bvay\b/);
    expect(kit.nlu.understand('nha toi muon vay').folded).toMatch(/\bvay\b/);
  });
  it('matches accented-only teencode keys exactly ("vô" is "vào", "vợ" stays)', () => {
    expect(kit.nlu.understand('có được vô hộ cận nghèo không').folded).toContain('vao ho can ngheo');
    expect(kit.nlu.understand('vợ chồng tôi').folded).toContain('vo chong');
  });
});

describe('negated household types', () => {
  it('does not read "không phải hộ nghèo" as a poor household', () => {
    expect(kit.nlu.understand('ho khong ngheo co duoc vay tin chap khong').entities.household).toBeNull();
    expect(kit.nlu.understand('nhà tôi không phải hộ nghèo, mức sống trung bình thôi').entities.household).toBe('average');
    expect(kit.nlu.understand('co giay chung nhan ho ngheo thi duoc loi gi').entities.household).toBe('poor');
  });
});
