import { describe, it, expect, afterEach } from 'vitest';
import { testCore, tempDir } from '../helpers/core.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function core(today = '2026-11-27', dataDir?: string) {
  const t = await testCore({ today, dataDir });
  cleanups.push(t.cleanup);
  return t.core;
}

const ask = (c: Awaited<ReturnType<typeof core>>, text: string, conversationId = 'c1') =>
  c.engine.handle({ channel: 'test', conversationId, text });

describe('policy answers depend on the date', () => {
  it('gives the current poor-household loan rate, and the old one before 01/12/2025', async () => {
    const now = await core('2026-11-27');
    const r = await ask(now, 'lai suat vay ho ngheo hien nay');
    expect(r.topic).toBe('loan');
    expect(r.replies[0].text).toContain('6,24%/năm');
    expect(r.replies[0].text).toContain('0,52%/tháng');
    const before = await core('2025-11-15');
    const r2 = await ask(before, 'lai suat vay ho ngheo hien nay');
    expect(r2.replies[0].text).toContain('6,6%/năm');
    expect(r2.replies[0].text).not.toContain('6,24%');
  });

  it('answers unaccented questions like accented ones', async () => {
    const c = await core();
    const a = await ask(c, 'hộ cận nghèo có được vay vốn không', 'a');
    const b = await ask(c, 'ho can ngheo co duoc vay von khong', 'b');
    expect(a.topic).toBe('loan');
    expect(b.topic).toBe('loan');
    expect(b.replies[0].text).toBe(a.replies[0].text);
  });
});

describe('small talk, declines and fallbacks', () => {
  it('greets with an introduction and a topic menu', async () => {
    const r = await ask(await core(), 'xin chào');
    expect(r.topic).toBe('smalltalk');
    expect(r.replies[0].text).toContain('Trợ lý Giảm nghèo');
    expect(r.replies[0].buttons?.length).toBeGreaterThan(5);
  });

  it.each([
    'giá vàng hôm nay bao nhiêu',
    'kết quả xổ số hôm nay',
    'vay vietcombank mua xe lãi bao nhiêu',
    'xe máy vượt đèn đỏ phạt bao nhiêu',
  ])('politely declines "%s" and says what it can do', async (q) => {
    const r = await ask(await core(), q);
    expect(r.topic).toBe('out_of_scope');
    expect(r.replies[0].text).toContain('ngoài phạm vi');
    expect(r.replies[0].text).toContain('vay vốn');
  });
});

describe('conversation context', () => {
  it('reuses topic and household in follow-ups', async () => {
    const c = await core();
    await ask(c, 'hộ nghèo có được trợ giúp pháp lý miễn phí không', 'f');
    const r = await ask(c, 'thế cận nghèo thì sao?', 'f');
    expect(r.topic).toBe('legal_aid');
    expect(r.household).toBe('near_poor');
  });

  it('keeps the session across a restart', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const first = await testCore({ dataDir: tmp.dir });
    await ask(first.core, 'hộ nghèo vay vốn lãi suất bao nhiêu', 'restart');
    await first.core.close();
    const second = await testCore({ dataDir: tmp.dir });
    cleanups.push(second.cleanup);
    const r = await ask(second.core, 'còn hộ cận nghèo thì sao?', 'restart');
    expect(r.topic).toBe('loan');
    expect(r.household).toBe('near_poor');
  });
});

describe('yes/no verdicts', () => {
  it('leads with the verdict only when the question is a yes/no question', async () => {
    const c = await core();
    const yn = await ask(c, 'hộ nghèo có được vay vốn ngân hàng chính sách không ạ', 'y1');
    expect(yn.replies[0].text).toMatch(/^Dạ, có\./);
    const how = await ask(c, 'hộ nghèo vay vốn ngân hàng chính sách được bao nhiêu ạ', 'y2');
    expect(how.replies[0].text).not.toMatch(/^Dạ, có\./);
    expect(how.replies[0].text).toContain('100 triệu');
  });

  it('says "it depends" for near-poor legal aid, never a bare yes', async () => {
    const r = await ask(await core(), 'hộ cận nghèo có được trợ giúp pháp lý miễn phí không?');
    expect(r.topic).toBe('legal_aid');
    expect(r.replies[0].text).not.toMatch(/^Dạ, có\./);
    expect(r.replies[0].text).toContain('tùy trường hợp');
  });
});

describe('across the 01/01/2027 boundary', () => {
  it('answers "chuẩn nghèo hiện nay" with the standard in force on the day asked', async () => {
    const before = await ask(await core('2026-12-31'), 'chuẩn nghèo hiện nay là bao nhiêu');
    expect(before.replies[0].text).toContain('1,5 triệu');
    const after = await ask(await core('2027-01-01'), 'chuẩn nghèo hiện nay là bao nhiêu');
    expect(after.replies[0].text).toMatch(/2\.200\.000|2,2 triệu/);
    expect(after.replies[0].text).not.toContain('chưa có mức áp dụng');
  });
});

describe('questions about another year', () => {
  it('answers "thế năm 2022?" after a loan question with the rate in force then, on the same entry', async () => {
    const c = await core();
    await ask(c, 'hộ nghèo vay vốn được bao nhiêu', 'y22');
    const r = await ask(c, 'thế năm 2022?', 'y22');
    expect(r.topic).toBe('loan');
    expect(r.replies[0].text).toContain('năm 2022');
    expect(r.replies[0].text).toContain('6,6%');
    expect(r.replies[0].text).not.toContain('6,24%');
    expect(r.replies[0].text).not.toContain('28/2022');
  });
});
