import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, post } from '../helpers/server.ts';

/** The guided eligibility check and the one-line staff form, through POST /api/chat as a client sees them. */
let s: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  s = await startTestServer({ RATE_LIMIT_PER_MINUTE: '100000' });
});
afterAll(async () => {
  await s.close();
});

const chat = async (conversationId: string, body: { text?: string; payload?: string }) => {
  const r = await post(`${s.url}/api/chat`, { conversationId, ...body });
  expect(r.status).toBe(200);
  return r.json as {
    replies: Array<{ text: string; buttons?: Array<{ label: string; payload: string }> }>;
    topic: string;
    household: string | null;
  };
};
const allText = (j: { replies: Array<{ text: string }> }) => j.replies.map((r) => r.text).join('\n');

describe('eligibility in chat', () => {
  it('answers the one-line staff form at once, with the rule and the standard', async () => {
    const j = await chat('form-1', { text: 'kiểm tra: nông thôn, 4 người, thu nhập 5 triệu/tháng, thiếu: nước sạch, nhà tiêu, BHYT' });
    const text = allText(j);
    expect(j.topic).toBe('poverty_standard');
    expect(j.household).toBe('poor');
    expect(text).toContain('HỘ NGHÈO');
    expect(text).toContain('1.250.000');
    expect(text).toContain('07/2021/NĐ-CP');
    expect(text).toMatch(/UBND (cấp )?xã/);
  });

  it('walks a resident through the guided check with buttons, and the result follows the answers', async () => {
    const id = 'guided-1';
    let j = await chat(id, { text: 'kiem tra ho ngheo' });
    expect(j.replies.at(-1)!.buttons!.map((b) => b.payload)).toContain('elig:area:rural');
    j = await chat(id, { payload: 'elig:area:rural' });
    j = await chat(id, { text: '4' });
    j = await chat(id, { text: '6tr' });
    expect(allText(j)).toContain('1,5 triệu');
    // Answer the indicator questions: "có" for the first two, "không" for the rest.
    let guard = 0;
    let yes = 0;
    while (j.replies.at(-1)!.buttons?.some((b) => b.payload === 'elig:yes') && guard++ < 20) {
      j = await chat(id, { payload: yes++ < 2 ? 'elig:yes' : 'elig:no' });
    }
    const text = allText(j);
    expect(text).toContain('CẬN NGHÈO');
    expect(j.household).toBe('near_poor');
  });

  it('answers a free-text question that already has the facts, asking only for what is missing', async () => {
    const j = await chat('free-1', { text: 'nhà tôi 5 người ở nông thôn, tổng thu nhập 6 triệu 1 tháng, có được là hộ nghèo không' });
    const text = allText(j);
    expect(j.topic).toBe('poverty_standard');
    expect(text).toContain('1,2 triệu');
    expect(text).not.toMatch(/nông thôn hay thành thị/);
    expect(text).not.toMatch(/bao nhiêu người/);
  });

  it('can be cancelled and says so', async () => {
    await chat('cancel-1', { text: 'kiểm tra hộ nghèo' });
    const j = await chat('cancel-1', { text: 'hủy' });
    expect(allText(j)).toMatch(/dừng|hủy/);
    const after = await chat('cancel-1', { text: 'lãi suất vay hộ nghèo' });
    expect(after.topic).toBe('loan');
  });

  it('gives a household above the line "not poor" however many indicators it lacks', async () => {
    const j = await chat('above-1', {
      text: 'kiểm tra: thành thị, 2 người, thu nhập 4.100.000đ/tháng, thiếu: nước sạch, nhà tiêu, BHYT, nhà ở, viễn thông',
    });
    const text = allText(j);
    expect(text).not.toContain('HỘ NGHÈO');
    expect(text).not.toContain('CẬN NGHÈO');
    expect(j.household).not.toBe('poor');
  });
});
