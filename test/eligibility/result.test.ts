import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEligibilityFlow } from '../../src/eligibility/index.ts';
import { loadEligLexicon } from '../../src/eligibility/lexicon.ts';
import { ROOT, talker, testKnowledge, textOf } from './helpers.ts';

/**
 * The result as an officer checking many households reads it: short and direct, the same cautions said
 * once per conversation, the one-line form offered once, and entitlements as names behind buttons.
 */
const flow = createEligibilityFlow({ knowledgeDir: `${ROOT}/knowledge`, knowledge: testKnowledge() });
const NOW = new Date('2026-11-27T03:00:00Z');
const talk = talker(flow, NOW);
const POOR = 'kiểm tra: nông thôn, 4 người, thu nhập 5 triệu/tháng, thiếu: nước sạch, nhà tiêu, BHYT';
const NEAR = 'kiểm tra: nông thôn, 4 người, thu nhập 5 triệu/tháng, thiếu: nước sạch';

describe('the result', () => {
  it('is short: verdict, income against the line, deprivations counted, standard and basis, next standard', () => {
    const { last } = talk([POOR]);
    const first = last!.replies[0];
    const lines = first.text.split('\n');
    expect(lines[0]).toBe('Dạ, kết quả sơ bộ (UBND cấp xã quyết định công nhận): hộ có thể thuộc diện HỘ NGHÈO.');
    expect(lines[1]).toContain('5.000.000 đồng ÷ 4 người = 1.250.000 đồng/tháng, bằng hoặc thấp hơn chuẩn nghèo nông thôn 1.500.000 đồng');
    expect(lines[2]).toBe(
      '• Thiếu hụt 3 chỉ số (từ 3 chỉ số trở lên là hộ nghèo): nguồn nước sinh hoạt; nhà tiêu hợp vệ sinh; bảo hiểm y tế.',
    );
    expect(lines[3]).toContain(
      'chuẩn nghèo đa chiều giai đoạn 2022-2025, ngày 27/11/2026 (Nghị định 07/2021/NĐ-CP, Điều 3; Nghị định 351/2025/NĐ-CP)',
    );
    expect(lines[4]).toContain('Từ 01/01/2027');
    expect(lines).toHaveLength(5);
    expect(first.text.length).toBeLessThan(800);
    expect(first.citations?.map((c) => c.instrument)).toEqual(['Nghị định 07/2021/NĐ-CP', 'Nghị định 351/2025/NĐ-CP']);
    expect(first.buttons?.map((b) => b.payload)).toEqual(['elig:fix:income', 'elig:fix:deprivations', 'elig:start']);
  });

  it('says the general cautions and the full disclaimer once per conversation', () => {
    const { results } = talk([POOR, NEAR, POOR]);
    const [a, b, c] = results.map(textOf);
    expect(a).toContain('lưu ý chung');
    expect(a).toContain('Một số tỉnh, thành phố có thể áp dụng chuẩn nghèo riêng');
    expect(a).toContain('rà soát hằng năm');
    for (const later of [b, c]) {
      expect(later).not.toContain('lưu ý chung');
      expect(later).not.toContain('Một số tỉnh, thành phố');
      expect(later).toContain('UBND cấp xã quyết định công nhận');
    }
    expect(c.length).toBeLessThan(a.length / 2);
  });

  it('says the cautions of another standard when a check uses it', () => {
    const dec = talk([POOR], new Date('2026-12-31T16:30:00Z')); // 23:30 on 31/12/2026 in Vietnam
    const jan = talk([POOR], new Date('2026-12-31T17:30:00Z'), dec.session); // 00:30 on 01/01/2027
    expect(textOf(jan.last)).toContain('giai đoạn 2027-2030');
    expect(textOf(jan.last)).toContain('lưu ý chung');
    expect(textOf(jan.last)).not.toContain('rà soát hằng năm'); // the disclaimer was already said
  });

  it('lists entitlements by name once per category, then offers only the buttons', () => {
    const { results } = talk([POOR, POOR]);
    const [first, second] = results.map((r) => r!.replies[1]);
    expect(first.text).toContain('Vay vốn hộ nghèo');
    expect(first.text).not.toContain('100 triệu đồng');
    expect(first.buttons?.map((b) => b.payload)).toEqual(['kb:benefits-poor', 'kb:loan-poor-household', 'kb:loan-student']);
    expect(first.buttons?.[0].label).toBe('Tổng hợp quyền lợi');
    expect(second.text).toContain('như em đã liệt kê');
    expect(second.buttons).toEqual(first.buttons);
  });

  it('names a condition once for the supports that need it', () => {
    const { last } = talk([POOR]);
    expect(last!.replies[1].text).toContain('• Nếu có người đang đi học: Vay vốn học sinh, sinh viên.');
    const student = talk([`${POOR}, con đang học đại học`]);
    expect(student.last!.replies[1].text).toContain('• Vay vốn hộ nghèo; Vay vốn học sinh, sinh viên.');
  });

  it('tells a household above the line what follows, once', () => {
    const above = 'kiểm tra: thành thị, 2 người, thu nhập 6,5 triệu, thiếu: không';
    const { results } = talk([above, above]);
    expect(textOf(results[0])).toContain('không hưởng chính sách dành riêng');
    expect(textOf(results[1])).not.toContain('không hưởng chính sách dành riêng');
    expect(results[1]!.household).toBeNull();
  });

  it('offers the one-line form once when a guided check starts', () => {
    const { results } = talk(['kiểm tra hộ nghèo', 'hủy', 'kiểm tra hộ nghèo']);
    expect(textOf(results[0])).toContain('"kiểm tra: nông thôn, 4 người, thu nhập 5 triệu, thiếu bhyt, nhà tạm"');
    expect(textOf(results[2])).not.toContain('kiểm tra: nông thôn');
  });

  it('keeps its memory in its own slice, with a real-time stamp', () => {
    const { session } = talk([POOR]);
    const memo = session.memo?.elig as { data: Record<string, unknown>; at: string; category: string; said: string[] };
    expect(memo.category).toBe('poor');
    expect(memo.data).toMatchObject({ area: 'rural', members: 4, monthly: 5_000_000, listGiven: true });
    expect(memo.at).toBe(NOW.toISOString());
    expect(memo.said.length).toBeGreaterThan(0);
    expect(Object.keys(session.memo ?? {})).toEqual(['elig']);
  });
});

describe('the vocabulary file (knowledge/lexicon/eligibility.yaml)', () => {
  it('loads, and matches phrases written with accents or abbreviations in either form of a message', () => {
    const lex = loadEligLexicon(path.join(ROOT, 'knowledge'));
    expect(lex.cancel.test(['huy'])).toBe(true);
    expect(lex.answers.no.keys).toEqual(expect.arrayContaining(['khong', 'ko']));
    expect(lex.indicators.find(([id]) => id === 'health_insurance')![1].keys).toEqual(expect.arrayContaining(['bhyt', 'bao hiem y te']));
  });

  it('refuses a broken file, naming the field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'elig-lex-'));
    mkdirSync(path.join(dir, 'lexicon'));
    copyFileSync(path.join(ROOT, 'knowledge/lexicon/abbreviations.yaml'), path.join(dir, 'lexicon/abbreviations.yaml'));
    copyFileSync(path.join(ROOT, 'knowledge/lexicon/topics.yaml'), path.join(dir, 'lexicon/topics.yaml'));
    copyFileSync(path.join(ROOT, 'knowledge/lexicon/cues.yaml'), path.join(dir, 'lexicon/cues.yaml'));
    const text = readFileSync(path.join(ROOT, 'knowledge/lexicon/eligibility.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'lexicon/eligibility.yaml'), text.replace('  water:', '  nuoc_sach:'));
    expect(() => loadEligLexicon(dir)).toThrow(/eligibility\.yaml: indicators/);
  });

  it('is the only vocabulary: no module of the check folds text itself', () => {
    const dir = path.join(ROOT, 'src/eligibility');
    for (const f of readdirSync(dir)) {
      const src = readFileSync(path.join(dir, f), 'utf8');
      expect(src, f).not.toMatch(/normalize\('NFD'\)|foldVi|nlu\.original/);
    }
  });
});
