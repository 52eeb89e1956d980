import { describe, it, expect } from 'vitest';
import { maskPersonalData } from '../../src/privacy/mask.ts';
import { testCore } from '../helpers/core.ts';

describe('personal data is masked before logging or storing', () => {
  it.each([
    ['CCCD của tôi là 079123456789', '079123456789', '[CCCD]'],
    ['số cccd 079 123 456 789 nhé', '079 123 456 789', '[CCCD]'],
    ['gọi em 0912345678 với', '0912345678', '[SĐT]'],
    ['sđt 0912.345.678', '0912.345.678', '[SĐT]'],
    ['liên hệ +84 912 345 678', '+84 912 345 678', '[SĐT]'],
    ['mail nguyenvana@gmail.com nha', 'nguyenvana@gmail.com', '[EMAIL]'],
    ['stk 1903 6688 9999 12 techcombank', '1903 6688 9999 12', '[STK]'],
    ['CMND 271234567', '271234567', '[CCCD]'],
  ])('masks "%s"', (text, secret, placeholder) => {
    const out = maskPersonalData(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(placeholder);
  });

  it.each(['thu nhập 1.500.000 đồng/tháng', 'năm 2023 có 6.621 hộ nghèo', 'vay 100 triệu lãi 6,24%', 'gọi 1800.1233 miễn phí'])(
    'leaves figures alone: "%s"',
    (text) => {
      expect(maskPersonalData(text)).toBe(text);
    },
  );

  it('stores only masked text in the inbox', async () => {
    const { core, cleanup } = await testCore();
    try {
      await core.engine.handle({
        channel: 'web',
        conversationId: 'p1',
        text: 'tôi tên A cccd 079123456789 sdt 0912345678 hỏi cái này abc xyz',
      });
      const items = await core.learning!.inbox();
      expect(items.length).toBeGreaterThan(0);
      const stored = JSON.stringify(items);
      expect(stored).not.toContain('079123456789');
      expect(stored).not.toContain('0912345678');
      expect(stored).not.toContain('p1');
    } finally {
      await cleanup();
    }
  });

  it('erases a conversation on /xoadulieu', async () => {
    const { core, cleanup } = await testCore();
    try {
      await core.engine.handle({ channel: 'web', conversationId: 'e1', text: 'hộ nghèo vay vốn' });
      expect(await core.sessions.size()).toBe(1);
      const r = await core.engine.handle({ channel: 'web', conversationId: 'e1', text: '/xoadulieu' });
      expect(r.replies[0].text).toContain('đã xóa');
      expect(await core.sessions.size()).toBe(0);
    } finally {
      await cleanup();
    }
  });
});

describe('identity and account formats seen in the wild', () => {
  it.each([
    ['CCCD 079.203.001.234', '079.203.001.234'],
    ['cmnd 271.234.567', '271.234.567'],
    ['số căn cước công dân của tôi là 079203001234', '079203001234'],
    ['stk agribank 5100 2050 12345', '5100 2050 12345'],
    ['the ATM 9704 1234 5678 9012', '9704 1234 5678 9012'],
    ['tai khoan techcombank: 1903 4567 8901 23', '1903 4567 8901 23'],
  ])('masks "%s"', (text, secret) => {
    const out = maskPersonalData(text);
    expect(out).not.toContain(secret);
    for (const group of secret.split(/[\s.]/).filter((g) => g.length >= 4)) expect(out).not.toContain(group);
  });
});

describe('nothing personal reaches the stores', () => {
  it('keeps only masked text in sessions, buttons and the inbox on disk', async () => {
    const { core, config, cleanup } = await testCore();
    try {
      const r = await core.engine.handle({
        channel: 'web',
        conversationId: 'pii',
        text: 'nhà tôi 4 người, thu nhập 5 triệu, cccd 079203001234, sdt 0912345678',
      });
      await core.engine.handle({ channel: 'web', conversationId: 'pii2', payload: 'fb:down:x sdt 0987654321 cccd 079.203.001.234' });
      await core.sessions.flush();
      await core.learning!.flush();
      const { readFileSync, readdirSync, statSync } = await import('node:fs');
      const path = (await import('node:path')).default;
      // Everything under DATA_DIR, whatever the stores call their files.
      const files = readdirSync(config.DATA_DIR)
        .map((n) => path.join(config.DATA_DIR, n))
        .filter((f) => statSync(f).isFile());
      const stored = [JSON.stringify(r), ...files.map((f) => readFileSync(f, 'utf8'))].join('\n');
      for (const secret of ['079203001234', '0912345678', '0987654321', '079.203.001.234']) expect(stored).not.toContain(secret);
    } finally {
      await cleanup();
    }
  });
});
