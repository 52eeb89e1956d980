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

describe('conversation context', () => {
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
