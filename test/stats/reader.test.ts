import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Session } from '../../src/domain/types.ts';
import { foldKey } from '../../src/nlu/text.ts';
import { readMemo, statsVocabulary } from '../../src/stats/index.ts';
import { readMessage } from '../../src/stats/read.ts';
import { loadWords } from '../../src/stats/words.ts';
import { understand } from '../helpers/nlu.ts';
import { KNOWLEDGE_DIR, makeCtx, newSession, openSkill, ROOT, removeDir, SEED_DIR, tempDir } from './helpers.ts';

/**
 * One reader: the statistics skill reads the NLU's understanding, keeps its words as data and its
 * memory in its own typed slice of the session.
 */

let dir: string;
let skill: Awaited<ReturnType<typeof openSkill>>;
beforeAll(async () => {
  dir = tempDir();
  skill = await openSkill(dir);
});
afterAll(async () => {
  await skill.close();
  removeDir(dir);
});

function sourceFiles(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = path.join(d, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('one reader', () => {
  const files = sourceFiles(path.join(ROOT, 'src', 'stats'));

  it('does not fold text itself: no Unicode decomposition anywhere in src/stats', () => {
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toContain(".normalize('NFD')");
  });

  it('keeps no word lists in code', () => {
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toMatch(/STAT_CUES|POLICY_CUES|FOLLOW_UP_STARTS|detectHousehold/);
  });

  it('reads the NLU forms: expansions from the common lexicon, dates and "%" from matchText', () => {
    const r = skill.resolve(makeCtx('Lũy kế đến 31/12/2023 NHCSXH cho bn hộ nghèo vay, chiếm mấy %?'));
    expect(r.allTokens.join(' ')).toContain('ngan hang chinh sach xa hoi');
    expect(r.allTokens.join(' ')).toContain('bao nhieu ho ngheo');
    expect(r.points).toContainEqual({ kind: 'date', date: '2023-12-31' });
    expect(r.kinds.has('rate')).toBe(true);
  });

  it("keeps the skill's own words where the general spelling corrector changed them", () => {
    const vocabulary = new Set(['ninh', 'thuan', 'bieu', 'do', 'so', 'sanh', 'ho', 'can', 'ngheo']);
    for (const [q, want] of [
      ['so ho ngheo tinh ninh thuan nam 2024', 'ninh thuan'],
      ['ve bieu do giup toi', 'bieu do'],
      ['so sanh ty le ho ngheo cua lao cai va yen bai', 'so sanh'],
      ['de nghi cung cap so ho can ngheo', 'cung cap so ho can ngheo'],
    ]) {
      const nlu = understand(q);
      expect(readMessage(nlu, vocabulary, new Map()).tokens.join(' '), q).toContain(want);
    }
  });

  it('offers its vocabulary to the NLU (so the spelling corrector can learn its words)', () => {
    const v = new Set(statsVocabulary(KNOWLEDGE_DIR, SEED_DIR));
    for (const w of ['ninh', 'quang', 'chau', 'bieu', 'sanh', 'chiem', 'hong']) expect(v.has(w), w).toBe(true);
  });

  it('takes follow-ups and household types from the NLU', () => {
    const s: Session = newSession();
    const first = skill.resolve(makeCtx('ty le ho ngheo binh thuan cuoi nam 2023', s));
    expect(first.followUp).toBe(false);
    s.memo = { stats: { indicators: ['poor_household_rate_pct'], areas: ['binh-thuan'], points: [] } };
    const r = skill.resolve(makeCtx('còn hộ cận nghèo thì sao?', s));
    expect(r.followUp).toBe(true);
    expect(r.household).toBe('near_poor');
  });

  it('the catalogue does not repeat the common abbreviations', () => {
    const lexicon = parseYaml(readFileSync(path.join(KNOWLEDGE_DIR, 'lexicon', 'abbreviations.yaml'), 'utf8')) as Record<string, string>;
    // A key written with accents ("ngèo") matches only that spelling, so only unaccented keys cover every spelling.
    const common = new Set(Object.keys(lexicon).filter((k) => foldKey(k) === k.toLowerCase()));
    for (const k of skill.catalog.abbreviations.keys()) expect(common.has(k), k).toBe(false);
  });

  it('refuses a broken word list, naming the file and the field', () => {
    const k = tempDir('stats-knowledge-');
    mkdirSync(path.join(k, 'stats'), { recursive: true });
    cpSync(path.join(KNOWLEDGE_DIR, 'stats', 'words.yaml'), path.join(k, 'stats', 'words.yaml'));
    const text = readFileSync(path.join(k, 'stats', 'words.yaml'), 'utf8').replace(/^trend: .*$/m, 'trend: 12');
    writeFileSync(path.join(k, 'stats', 'words.yaml'), text);
    expect(() => loadWords(k)).toThrow(/words\.yaml: trend/);
    removeDir(k);
  });
});

describe("the skill's slice of the session", () => {
  it('remembers in session.memo.stats only, validated when read', async () => {
    const s = newSession();
    await skill.answer(makeCtx('Số hộ cận nghèo toàn tỉnh cuối năm 2023?', s));
    expect(readMemo(s)).toEqual({ indicators: ['near_poor_households'], areas: ['binh-thuan'], points: [{ kind: 'end', year: 2023 }] });
    expect(s.indicator).toBeUndefined();
    expect(s.area).toBeUndefined();
    expect((await skill.answer(makeCtx('chiếm bao nhiêu %?', s)))?.replies[0].text).toContain('3,62%');
  });

  it('still reads sessions written before the slice existed', async () => {
    const old: Session = { ...newSession(), topic: 'statistics', indicator: 'poor_household_rate_pct', area: 'binh-thuan', year: 2023 };
    expect(readMemo(old)).toEqual({
      indicators: ['poor_household_rate_pct'],
      areas: ['binh-thuan'],
      points: [{ kind: 'year', year: 2023 }],
    });
    expect((await skill.answer(makeCtx('thế năm 2021?', old)))?.replies[0].text).toContain('3,2%');
  });

  it('ignores a damaged slice instead of trusting it', () => {
    const s: Session = { ...newSession(), memo: { stats: { indicators: 'poor_households', points: [{ kind: 'moon' }] } } };
    expect(readMemo(s)).toBeNull();
    expect(skill.resolve(makeCtx('thế năm 2022?', s)).followUp).toBe(false);
  });
});
