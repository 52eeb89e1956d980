import { describe, it, expect } from 'vitest';
import { fold, normalizeTonePlacement, cleanText } from '../../src/nlu/text.ts';
import { extractMoney } from '../../src/nlu/money.ts';
import { extractEntities } from '../../src/nlu/entities.ts';
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
