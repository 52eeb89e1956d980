import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { MORE_NOTE, packMessages, pickChoice, renderTurn, splitText } from '../../src/channels/zalo-common/text.ts';
import { computeMac, verifySignature } from '../../src/channels/zalo-oa/signature.ts';
import { extractUpdates } from '../../src/channels/zalo-bot/updates.ts';
import { safeEqual } from '../../src/privacy/safe-equal.ts';

const squash = (s: string) => s.replace(/\s+/g, '');

describe('splitText', () => {
  it('keeps short text whole and splits on paragraphs first', () => {
    expect(splitText('Dạ, chào anh/chị.')).toEqual(['Dạ, chào anh/chị.']);
    const a = 'a'.repeat(1500);
    const b = 'b'.repeat(1500);
    expect(splitText(`${a}\n\n${b}`)).toEqual([a, b]);
  });

  it('never exceeds the limit, never loses text, never splits a surrogate pair', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.constantFrom('\n', '\n\n', ' ', '. ', 'ạ', '😀', 'Hộ nghèo được vay vốn ưu đãi. '),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 20, max: 400 }), (parts, max) => {
        const text = parts.join('');
        const chunks = splitText(text, max);
        for (const c of chunks) {
          expect(c.length).toBeLessThanOrEqual(max);
          expect(c.length).toBeGreaterThan(0);
          expect(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(c)).toBe(false);
        }
        expect(squash(chunks.join(''))).toBe(squash(text.replace(/\r\n?/g, '\n')));
      }),
      { numRuns: 300 },
    );
  });

  it('uses as few messages as the paragraphs allow', () => {
    const paras = Array.from({ length: 9 }, (_, i) => String(i).repeat(600));
    // 600 + 2 + 600 + 2 + 600 = 1804 ≤ 2000: three paragraphs per message.
    expect(splitText(paras.join('\n\n'))).toHaveLength(3);
  });
});

describe('packMessages', () => {
  it('keeps the numbered choices whole in the last message and respects the budget', () => {
    const body = Array.from({ length: 100 }, (_, i) => `Dòng ${i} ` + 'x'.repeat(90)).join('\n');
    const out = packMessages({ body, footer: 'Trả lời bằng số:\n1. A\n2. B' }, { maxMessages: 3 });
    expect(out).toHaveLength(3);
    expect(out[2].endsWith(`${MORE_NOTE}\n\nTrả lời bằng số:\n1. A\n2. B`)).toBe(true);
    for (const m of out) expect(m.length).toBeLessThanOrEqual(2000);
  });
});

describe('renderTurn and pickChoice', () => {
  it('renders citations and distinct choices, strips emphasis', () => {
    const r = renderTurn([
      {
        text: 'Dạ, *hộ nghèo* được vay.',
        citations: [{ instrument: 'Quyết định 05/2024', url: 'https://example.vn' }],
        buttons: [{ label: 'A', payload: 'kb:a' }],
      },
      {
        text: 'Thêm',
        buttons: [
          { label: 'A', payload: 'kb:a' },
          { label: 'B', payload: 'kb:b' },
        ],
      },
    ]);
    expect(renderTurn([{ text: 'Giá 2 * 3 * 4 đồng' }]).body).toBe('Giá 2 * 3 * 4 đồng');
    expect(r.body).toBe('Dạ, hộ nghèo được vay.\nCăn cứ: Quyết định 05/2024.\n\nThêm');
    expect(r.footer).toBe('Trả lời bằng số:\n1. A\n2. B');
    expect(pickChoice(' 2 ', r.choices)?.payload).toBe('kb:b');
    expect(pickChoice('số 1', r.choices)?.payload).toBe('kb:a');
    expect(pickChoice('3', r.choices)).toBeUndefined();
    expect(pickChoice('b', r.choices)?.payload).toBe('kb:b');
    expect(pickChoice('2', undefined)).toBeUndefined();
  });
});

describe('OA signature', () => {
  it('matches sha256(app_id + body + timestamp + secret) and is checked on raw bytes', () => {
    const body = '{"app_id":"123","timestamp":"1700000000000","event_name":"user_send_text"}';
    const mac = computeMac('123', body, '1700000000000', 's3cret');
    expect(mac).toBe(createHash('sha256').update(`123${body}1700000000000s3cret`).digest('hex'));
    const raw = Buffer.from(body);
    const parsed = JSON.parse(body);
    expect(verifySignature(raw, parsed, `mac=${mac}`, 's3cret').ok).toBe(true);
    expect(verifySignature(raw, parsed, mac.toUpperCase(), 's3cret').ok).toBe(true);
    expect(verifySignature(raw, parsed, `mac=${mac}`, 'other')).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(Buffer.from(body + ' '), parsed, `mac=${mac}`, 's3cret').ok).toBe(false);
    expect(verifySignature(raw, parsed, undefined, 's3cret')).toEqual({ ok: false, reason: 'missing' });
  });

  it('uses numeric app ids and timestamps in their literal form', () => {
    const body = '{"app_id":4123456789012345678,"timestamp":1700000000000}';
    const mac = computeMac('4123456789012345678', body, '1700000000000', 'k');
    expect(verifySignature(Buffer.from(body), JSON.parse(body), `mac=${mac}`, 'k').ok).toBe(true);
  });
});

describe('Bot Platform updates and secrets', () => {
  it('accepts wrapped, bare and list bodies', () => {
    const u = { event_name: 'message.text.received', message: { message_id: 'm', from: { id: 'u' }, chat: { id: 'c' }, text: 'hi' } };
    expect(extractUpdates({ ok: true, result: u }).updates).toHaveLength(1);
    expect(extractUpdates(u).updates).toHaveLength(1);
    expect(extractUpdates({ ok: true, result: [u, u] }).updates).toHaveLength(2);
    expect(extractUpdates({ ok: true, result: null }).updates).toHaveLength(0);
    expect(extractUpdates({ ok: true, result: {} })).toEqual({ updates: [], invalid: 0 });
    expect(extractUpdates({ ok: true, result: [] })).toEqual({ updates: [], invalid: 0 });
    expect(extractUpdates({ event_name: 'x' }).invalid).toBe(1);
  });

  it('compares secrets exactly', () => {
    expect(safeEqual('abcdefgh', 'abcdefgh')).toBe(true);
    expect(safeEqual('abcdefgh', 'abcdefgi')).toBe(false);
    expect(safeEqual('abcdefgh', 'abcdefg')).toBe(false);
  });
});

describe('numbered choices that are numbers themselves', () => {
  it('reads "4" as four people, not the fourth button; an unlisted number passes through', async () => {
    const { pickChoice } = await import('../../src/channels/zalo-common/text.ts');
    const members = [2, 3, 4, 5, 6]
      .map((n) => ({ label: `${n} người`, payload: `elig:members:${n}` }))
      .concat([{ label: 'Hủy', payload: 'elig:cancel' }]);
    expect(pickChoice('4', members)?.payload).toBe('elig:members:4');
    expect(pickChoice('6', members)?.payload).toBe('elig:members:6');
    expect(pickChoice('8', members)).toBeUndefined();
    const topics = [
      { label: 'Vay vốn', payload: 'topic:loan' },
      { label: 'BHYT', payload: 'topic:health_insurance' },
    ];
    expect(pickChoice('2', topics)?.payload).toBe('topic:health_insurance');
  });
});
