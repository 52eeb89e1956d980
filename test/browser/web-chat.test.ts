import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startTestServer } from '../helpers/server.ts';

const CHROMIUM =
  process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? '/usr/bin/chromium';

let s: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
let profile: string;

beforeAll(async () => {
  s = await startTestServer();
  profile = mkdtempSync(path.join(os.tmpdir(), 'tlgn-chromium-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
  rmSync(profile, { recursive: true, force: true });
});

describe('web chat in a real browser', () => {
  it('shows the menu, answers a typed question with its source, and follows a button', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(s.url + '/');
    await expect.poll(() => page.locator('.bot').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.bot').first().textContent()).toContain('Trợ lý Giảm nghèo');

    await page.fill('#q', 'lai suat vay ho ngheo hien nay bao nhieu');
    await page.click('#send');
    const answer = page.locator('.bot', { hasText: '6,24%' });
    await answer.waitFor({ timeout: 10_000 });
    expect(await answer.locator('.sources summary').textContent()).toContain('2553/QĐ-TTg');

    const before = await page.locator('.bot').count();
    await answer.locator('.buttons button', { hasText: 'Xem chi tiết' }).click();
    await expect.poll(() => page.locator('.bot').count()).toBeGreaterThan(before);
    const last = page.locator('.bot').last();
    await expect.poll(() => last.textContent()).toContain('Tổ');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits the first answer to a phone screen (390 px), with a favicon and no cut button labels', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const favicon = await page.request.get(`${s.url}/favicon.ico`);
    expect(favicon.status()).toBe(200);
    await page.goto(s.url + '/');
    await expect.poll(() => page.locator('.bot').count()).toBeGreaterThan(0);
    for (const q of [
      'ho ngheo vay dc bao nhieu tien',
      'thẻ bhyt hộ cận nghèo được hỗ trợ bao nhiêu',
      'hộ nghèo có được trợ giúp pháp lý miễn phí không',
    ]) {
      const count = await page.locator('.bot').count();
      await page.fill('#q', q);
      await page.click('#send');
      await expect.poll(() => page.locator('.bot:not(.typing)').count()).toBeGreaterThan(count);
      const last = page.locator('.bot').last();
      const box = await last.boundingBox();
      // The whole first answer, with its source line and buttons, fits in one screen.
      expect(box!.height, q).toBeLessThanOrEqual(844);
      // The full references are folded away until asked for.
      if (await last.locator('.sources').count()) expect(await last.locator('.sources').getAttribute('open')).toBeNull();
      for (const label of await last.locator('.buttons button').allTextContents())
        expect(label.endsWith('…') ? label.length > 50 : true, label).toBe(true);
    }
    await page.close();
  });
});
