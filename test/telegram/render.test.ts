import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildKeyboard,
  escapeAttr,
  escapeHtml,
  htmlToPlain,
  renderCaption,
  renderReply,
  renderReplyHtml,
  renderText,
  splitHtml,
  TELEGRAM_TEXT_LIMIT,
} from '../../src/channels/telegram/render.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Api } from 'grammy';
import { TelegramSender } from '../../src/channels/telegram/send.ts';
import { TelegramLog } from '../../src/channels/telegram/log.ts';
import { InFlight } from '../../src/channels/kit/in-flight.ts';
import { ChatLimiter } from '../../src/channels/kit/limiter.ts';
import { FilePayloadStore, PAYLOAD_FILE } from '../../src/storage/file/payload-store.ts';
import { MemoryRateCounter } from '../../src/storage/memory/rate-counter.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { systemClock } from '../../src/time/clock.ts';
import { parseCommand, secretMatches } from '../../src/channels/telegram/index.ts';
import { tempDir } from './helpers.ts';

/** Every tag closed in the chunk it was opened in, in order. */
function balanced(html: string): boolean {
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-z-]+)[^>]*>/g)) {
    if (!m[1]) stack.push(m[2]);
    else if (stack.pop() !== m[2]) return false;
  }
  return stack.length === 0;
}

/** No cut entity ("&am") and no cut tag ("<a hr"): every & starts a full entity, every < a full tag. */
function wellFormed(html: string): boolean {
  const withoutEntities = html.replace(/&(?:amp|lt|gt|quot|#\d+);/g, '');
  if (withoutEntities.includes('&')) return false;
  const withoutTags = withoutEntities.replace(/<\/?[a-z-]+(?:\s[^<>]*)?>/g, '');
  return !withoutTags.includes('<') && !withoutTags.includes('>');
}

const squash = (s: string) => s.replace(/\s+/g, '');

describe('escaping and text rendering', () => {
  it('escapes &, <, > in text and " in attributes', () => {
    expect(escapeHtml('<b>Tom & "Jerry"</b>')).toBe('&lt;b&gt;Tom &amp; "Jerry"&lt;/b&gt;');
    expect(escapeAttr('a"b<c>&')).toBe('a&quot;b&lt;c&gt;&amp;');
    expect(htmlToPlain(escapeAttr('a"b<c>&amp;'))).toBe('a"b<c>&amp;');
  });

  it('renders dangerous text inert and *emphasis* as bold', () => {
    expect(renderText('<b>không in đậm</b> & <script>')).toBe('&lt;b&gt;không in đậm&lt;/b&gt; &amp; &lt;script&gt;');
    expect(renderText('Mức vay *tối đa* là 100 triệu.')).toBe('Mức vay <b>tối đa</b> là 100 triệu.');
    expect(renderText('5 * 3 * 2 = 30')).toBe('5 * 3 * 2 = 30');
    expect(renderText('*<i>*')).toBe('<b>&lt;i&gt;</b>');
    expect(renderText('a\r\nb')).toBe('a\nb');
  });

  it('puts one short source line under the text, each instrument once, escaped', () => {
    const c = { instrument: 'Luật A', article: 'Điều 1' };
    expect(renderReplyHtml({ text: 'Dạ, có ạ.', citations: [c, c] })).toBe('Dạ, có ạ.\n\nCăn cứ: Luật A.');
    expect(renderReplyHtml({ text: 'x', citations: [{ instrument: 'QĐ <x>', url: 'https://vbpl.vn/a' }] })).toBe(
      'x\n\nCăn cứ: QĐ &lt;x&gt;.',
    );
  });

  it('captions are escaped and bounded', () => {
    expect(renderCaption('Biểu đồ <tỷ lệ> & số hộ')).toBe('Biểu đồ &lt;tỷ lệ&gt; &amp; số hộ');
    expect([...htmlToPlain(renderCaption('x'.repeat(5000))!)].length).toBeLessThanOrEqual(1000);
    expect(renderCaption('  ')).toBeUndefined();
  });
});

describe('splitting under the 4096 limit', () => {
  it('keeps short texts whole', () => {
    expect(splitHtml('Dạ, xin chào.')).toEqual(['Dạ, xin chào.']);
    expect(renderReply({ text: '' })).toEqual([]);
  });

  it('splits on paragraph boundaries and keeps paragraphs intact', () => {
    const paragraphs = Array.from({ length: 12 }, (_, i) => `Đoạn ${i}: ${'hộ nghèo được hỗ trợ & vay vốn <ưu đãi>. '.repeat(25)}`.trim());
    const chunks = renderReply({ text: paragraphs.join('\n\n') });
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    const rendered = paragraphs.map(renderText);
    for (const p of rendered) expect(chunks.filter((c) => c.includes(p))).toHaveLength(1);
    expect(chunks.join('\n\n')).toBe(rendered.join('\n\n'));
  });

  it('falls back to lines, then spaces, then a hard split, never cutting an entity', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `• Dòng ${i} ${'&'.repeat(40)}`);
    const chunks = splitHtml(escapeHtml(lines.join('\n')), 500);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(500);
      expect(wellFormed(c)).toBe(true);
      expect(c.startsWith('• Dòng')).toBe(true);
    }
    const word = escapeHtml('&<'.repeat(1000));
    const hard = splitHtml(word, 100);
    for (const c of hard) {
      expect(c.length).toBeLessThanOrEqual(100);
      expect(wellFormed(c)).toBe(true);
    }
    expect(hard.join('')).toBe(word);
  });

  it('closes and reopens a tag cut in the middle', () => {
    const html = `<b>${'chữ '.repeat(60)}</b> <a href="https://x.vn/?a=1&amp;b=2">${'liên kết '.repeat(30)}</a>`;
    const chunks = splitHtml(html, 120);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(120);
      expect(balanced(c)).toBe(true);
      expect(wellFormed(c)).toBe(true);
    }
    expect(chunks[1].startsWith('<b>')).toBe(true);
    expect(squash(htmlToPlain(chunks.join('')))).toBe(squash(htmlToPlain(html)));
  });

  it('property: chunks within the limit, well-formed, balanced, and nothing lost', () => {
    const piece = fc.constantFrom('hộ', 'nghèo', '&', '<b>', '"x"', '*đậm*', 'vay', '\n', '\n\n', ' ', 'Điều 3', '😀', 'a'.repeat(70));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 400 }), fc.integer({ min: 80, max: 400 }), (parts, limit) => {
        const html = renderReplyHtml({ text: parts.join(' '), citations: [{ instrument: 'NĐ <1>', url: 'https://a.vn/?x=1&y=2' }] });
        const chunks = splitHtml(html, limit);
        for (const c of chunks) {
          if (c.length > limit) return false;
          if (!balanced(c) || !wellFormed(c)) return false;
          if (!c.trim()) return false;
        }
        return squash(htmlToPlain(chunks.join(''))) === squash(htmlToPlain(html));
      }),
      { numRuns: 300 },
    );
  });
});

describe('keyboards and callback data', () => {
  it('lays out buttons and encodes payloads', () => {
    const kb = buildKeyboard(
      [
        { label: 'Vay vốn', payload: 'topic:loan' },
        { label: 'BHYT', payload: 'topic:health_insurance' },
        { label: 'Học phí', payload: 'topic:tuition' },
      ],
      (p) => p.toUpperCase(),
    )!;
    expect(kb).toEqual([
      [
        { text: 'Vay vốn', callback_data: 'TOPIC:LOAN' },
        { text: 'BHYT', callback_data: 'TOPIC:HEALTH_INSURANCE' },
      ],
      [{ text: 'Học phí', callback_data: 'TOPIC:TUITION' }],
    ]);
    const long = buildKeyboard(
      [
        { label: 'Một nhãn rất dài cho một nút bấm', payload: 'a' },
        { label: 'B', payload: 'b' },
      ],
      (p) => p,
    )!;
    expect(long).toHaveLength(2);
    expect(buildKeyboard([], (p) => p)).toBeUndefined();
  });

  it('maps payloads over 64 bytes to short ids that survive a restart', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, PAYLOAD_FILE);
      const sender = (store: FilePayloadStore) =>
        new TelegramSender({} as Api, store, new TelegramLog(silentLogger(), undefined, systemClock), new InFlight(), 4000);
      const store = new FilePayloadStore(file);
      const send = sender(store);
      const short = 'kb:loan-poor-household';
      expect(await send.callbackData(short)).toBe(short);
      const long = `elig:answer:${'thu nhập bình quân đầu người '.repeat(3)}`;
      expect(Buffer.byteLength(long)).toBeGreaterThan(64);
      const id = await send.callbackData(long);
      expect(Buffer.byteLength(id)).toBeLessThanOrEqual(64);
      expect(await send.payloadOf(id)).toBe(long);
      expect(await send.callbackData(long)).toBe(id);
      expect(await send.payloadOf('~unknown')).toBeUndefined();
      const marked = '~not-an-id';
      expect(await send.payloadOf(await send.callbackData(marked))).toBe(marked);
      await store.flush();
      const reopened = sender(new FilePayloadStore(file));
      expect(await reopened.payloadOf(id)).toBe(long);
    } finally {
      tmp.cleanup();
    }
  });

  it('masks personal data in stored payloads', async () => {
    const tmp = tempDir();
    try {
      const store = new FilePayloadStore(path.join(tmp.dir, PAYLOAD_FILE));
      const send = new TelegramSender({} as Api, store, new TelegramLog(silentLogger(), undefined, systemClock), new InFlight(), 4000);
      const id = await send.callbackData('ask:kiểm tra hộ nghèo: gọi tôi số 0912345678 nhé, nhà 4 người');
      expect(await send.payloadOf(id)).not.toContain('0912345678');
      await store.flush();
      expect(readFileSync(path.join(tmp.dir, PAYLOAD_FILE), 'utf8')).not.toContain('0912345678');
    } finally {
      tmp.cleanup();
    }
  });
});

describe('helpers', () => {
  it('rate limiter: N per window, one "first-over" per burst', async () => {
    let t = 0;
    const rl = new ChatLimiter(new MemoryRateCounter(1000, () => t), 'telegram', 2, 60_000);
    expect([await rl.hit('u'), await rl.hit('u'), await rl.hit('u'), await rl.hit('u')]).toEqual(['ok', 'ok', 'first-over', 'over']);
    expect(await rl.hit('v')).toBe('ok');
    t = 60_000;
    expect([await rl.hit('u'), await rl.hit('u'), await rl.hit('u')]).toEqual(['ok', 'ok', 'first-over']);
  });

  it('parses commands with and without @bot', () => {
    expect(parseCommand('/start')).toEqual({ name: 'start', rest: '' });
    expect(parseCommand('/Start@TroLyBot  hello')).toEqual({ name: 'start', target: 'TroLyBot', rest: 'hello' });
    expect(parseCommand('hello /start')).toBeNull();
    expect(parseCommand('/start/x')).toBeNull();
  });

  it('compares webhook secrets exactly', () => {
    expect(secretMatches('abc_DEF-123', 'abc_DEF-123')).toBe(true);
    expect(secretMatches('abc_DEF-124', 'abc_DEF-123')).toBe(false);
    expect(secretMatches('abc', 'abc_DEF-123')).toBe(false);
    expect(secretMatches(undefined, 'abc')).toBe(false);
    expect(secretMatches(['abc', 'abc'], 'abc')).toBe(false);
    expect(secretMatches('', '')).toBe(false);
  });
});
