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
    expect(await answer.locator('.sources').textContent()).toContain('2553/QĐ-TTg');

    const before = await page.locator('.bot').count();
    await answer.locator('.buttons button', { hasText: 'Xem đầy đủ' }).click();
    await expect.poll(() => page.locator('.bot').count()).toBeGreaterThan(before);
    const last = page.locator('.bot').last();
    await expect.poll(() => last.textContent()).toContain('Tổ');
    expect(errors).toEqual([]);
    await page.close();
  });
});
