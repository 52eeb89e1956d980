import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Incoming, TurnResult } from '../../src/domain/types.ts';

/**
 * The core's answers are replaced here by fixed, structural replies (long texts, dangerous
 * characters, citations, long button payloads, an image, a failure), so the adapter's rendering is
 * tested end to end whatever the real core says.
 */
const LONG_PAYLOAD = `elig:answer:${'thu nhập bình quân đầu người mỗi tháng '.repeat(3)}`;
const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const PARAGRAPHS = Array.from({ length: 14 }, (_, i) =>
  `Đoạn ${i + 1}. ${'Hộ nghèo được vay vốn ưu đãi & hỗ trợ <BHYT>. '.repeat(22)}`.trim(),
);

vi.mock('../../src/core/respond.ts', () => ({
  respond: async (incoming: Incoming): Promise<TurnResult> => {
    const base = { topic: 'loan' as const, household: null, confidence: 1 };
    const key = incoming.payload ?? incoming.text ?? '';
    if (key === 'menu')
      return {
        ...base,
        replies: [
          {
            text: 'Dạ, em có thể giúp anh/chị về:',
            buttons: [
              { label: 'Vay vốn', payload: 'topic:loan' },
              { label: 'Kiểm tra nhanh', payload: LONG_PAYLOAD },
            ],
          },
        ],
      };
    if (key === 'long') return { ...base, replies: [{ text: PARAGRAPHS.join('\n\n'), buttons: [{ label: 'Thêm', payload: 'more' }] }] };
    if (key === 'html')
      return {
        ...base,
        replies: [
          {
            text: '<b>không đậm</b> & "ngoặc" <script>alert(1)</script> *đậm thật*',
            citations: [
              { instrument: 'Nghị định 07/2021/NĐ-CP', article: 'Điều 3', effectiveFrom: '2022-01-01', url: 'https://vbpl.vn/x?a=1&b="2"' },
              { instrument: 'Quyết định <90>/QĐ-TTg' },
            ],
          },
        ],
      };
    if (key === 'image')
      return {
        ...base,
        replies: [{ text: 'Biểu đồ dưới đây.', image: { mime: 'image/png', base64: PNG_1x1, alt: 'Tỷ lệ hộ nghèo <2024>' } }],
      };
    if (key === 'boom') throw new Error('core exploded');
    if (key === 'slow') await new Promise((r) => setTimeout(r, 600));
    return { ...base, replies: [{ text: `Đã nhận: ${key}` }] };
  },
}));

const { FakeBotApi } = await import('./fake-bot-api.ts');
const { makeChannel, tempDir, keyboardLabels } = await import('./helpers.ts');
const { TELEGRAM_TEXT_LIMIT, renderText, escapeHtml } = await import('../../src/channels/telegram/render.ts');
const { TEXTS } = await import('../../src/channels/telegram/texts.ts');

describe('telegram rendering end to end (core replaced by fixed replies)', () => {
  let api: InstanceType<typeof FakeBotApi>;
  let h: ReturnType<typeof makeChannel> | undefined;
  let tmp: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    api = await new FakeBotApi().start();
    tmp = tempDir();
    h = makeChannel({ env: { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot }, dataDir: tmp.dir });
    await h.channel.start();
  });

  afterEach(async () => {
    await h?.close();
    h = undefined;
    await api.close();
    tmp.cleanup();
  });

  it('/start shows the menu as an inline keyboard; a long payload travels as a short id and comes back whole', async () => {
    const user = api.user(5001);
    api.sendText(user, '/start');
    await api.waitForTexts(5001, 1);
    const sent = api.callsOf('sendMessage', 5001)[0];
    expect(keyboardLabels(sent.params)).toEqual(['Vay vốn', 'Kiểm tra nhanh']);
    const data = sent.params.reply_markup.inline_keyboard.flat().map((b: { callback_data: string }) => b.callback_data);
    expect(data[0]).toBe('topic:loan');
    expect(Buffer.byteLength(data[1])).toBeLessThanOrEqual(64);
    expect(data[1]).not.toBe(LONG_PAYLOAD);

    api.press(user, data[1]);
    await api.waitForTexts(5001, 2);
    expect(h!.seen[1].payload).toBe(LONG_PAYLOAD);
    expect(api.textsTo(5001)[1]).toBe(escapeHtml(`Đã nhận: ${LONG_PAYLOAD}`.trim()));
    expect(api.callsOf('answerCallbackQuery')).toHaveLength(1);

    // An unknown short id (e.g. from a wiped data folder): the press is answered, nothing else.
    api.press(user, '~doesnotexist');
    await api.waitFor(() => api.callsOf('answerCallbackQuery').length === 2, 3000, 'answer');
    expect(api.callsOf('answerCallbackQuery')[1].params.text).toBe(TEXTS.expiredButton);
    expect(h!.seen).toHaveLength(2);
  });

  it('splits a long answer at paragraph boundaries (≤ 4096 each), keyboard on the last chunk', async () => {
    const user = api.user(5002);
    api.sendText(user, 'long');
    await api.waitFor(() => api.callsOf('sendMessage', 5002).some((c) => c.params.reply_markup), 4000, 'last chunk');
    const calls = api.callsOf('sendMessage', 5002);
    expect(calls.length).toBeGreaterThan(1);
    for (const c of calls) expect(String(c.params.text).length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    const texts = calls.map((c) => String(c.params.text));
    for (const p of PARAGRAPHS) expect(texts.filter((t) => t.includes(renderText(p)))).toHaveLength(1);
    expect(texts.join('\n\n')).toBe(PARAGRAPHS.map(renderText).join('\n\n'));
    expect(calls.map((c) => !!c.params.reply_markup)).toEqual([...Array(calls.length - 1).fill(false), true]);
  });

  it('escapes HTML-dangerous text and renders the sources as one short line', async () => {
    const user = api.user(5003);
    api.sendText(user, 'html');
    const [text] = await api.waitForTexts(5003, 1);
    expect(text).toContain('&lt;b&gt;không đậm&lt;/b&gt; &amp; "ngoặc" &lt;script&gt;alert(1)&lt;/script&gt; <b>đậm thật</b>');
    expect(text).not.toContain('<script>');
    expect(text).toContain('\n\nCăn cứ: Nghị định 07/2021/NĐ-CP (từ 01/01/2022); Quyết định &lt;90&gt;/QĐ-TTg.');
    expect(text).not.toContain('https://');
    expect(api.callsOf('sendMessage', 5003)[0].params.parse_mode).toBe('HTML');
  });

  it('sends a chart with sendPhoto and an escaped caption', async () => {
    const user = api.user(5004);
    api.sendText(user, 'image');
    await api.waitFor(() => api.callsOf('sendPhoto').length === 1, 3000, 'photo');
    const photo = api.callsOf('sendPhoto')[0];
    expect(String(photo.params.chat_id)).toBe('5004');
    expect(photo.params.caption).toBe('Tỷ lệ hộ nghèo &lt;2024&gt;');
    expect(photo.params.photo).toMatchObject({ size: Buffer.from(PNG_1x1, 'base64').length });
    expect(api.textsTo(5004)).toEqual(['Biểu đồ dưới đây.']);
  });

  it('handles chats concurrently while keeping each chat in order', async () => {
    const a = api.user(5006);
    const b = api.user(5007);
    api.sendText(a, 'slow');
    api.sendText(a, 'sau chậm');
    api.sendText(b, 'nhanh');
    await api.waitForTexts(5006, 2);
    const [slow, after] = api.callsOf('sendMessage', 5006);
    const [fast] = api.callsOf('sendMessage', 5007);
    expect(slow.params.text).toBe('Đã nhận: slow');
    expect(after.params.text).toBe('Đã nhận: sau chậm');
    expect(fast.at).toBeLessThan(slow.at); // chat B was not held up by chat A's slow turn
    expect(after.at).toBeGreaterThanOrEqual(slow.at);
  });

  it('apologises when the core fails, and keeps going', async () => {
    const user = api.user(5005);
    api.sendText(user, 'boom');
    api.sendText(user, 'sau đó');
    const texts = await api.waitForTexts(5005, 2);
    // The engine may answer a failing turn with its own apology; if it throws, the adapter apologises.
    expect(texts[0] === escapeHtml(TEXTS.failure) || /^Dạ, em xin lỗi/.test(texts[0])).toBe(true);
    expect(texts[1]).toBe(escapeHtml('Đã nhận: sau đó'));
  });
});
