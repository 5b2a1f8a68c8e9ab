import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@keypool/emulator';
import { createOpenAIPool } from '@keypool/openai';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDashboard } from '../src/index';
import { serve } from './serve';

const here = dirname(fileURLToPath(import.meta.url));
/** Where the screenshot goes (a test artifact, not committed). `KEYPOOL_UPDATE_SCREENSHOT=1` also refreshes the README's. */
const ARTIFACT = join(here, '..', 'test-artifacts', 'dashboard.png');
const README_SCREENSHOT = join(here, '..', 'docs', 'dashboard.png');
const CHROMIUM = process.env.KEYPOOL_CHROMIUM ?? '/usr/bin/chromium';

const secrets = {
  good1: 'sk-proj-browser-good-one-0123456789N5g4',
  good2: 'sk-proj-browser-good-two-0123456789Qe7R',
  revoked: 'sk-proj-browser-revoked-0123456789uX2c',
  quota: 'sk-proj-browser-quota-0123456789Lw9a',
};

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

it('shows a revoked key disabled, a cooling key counting down, an alert and moving charts in real Chromium', async () => {
  const emulator = await startEmulator({
    keys: {
      [secrets.good1]: { latencyMs: 40 },
      [secrets.good2]: { latencyMs: 80 },
      [secrets.revoked]: { revokeAfter: 2 },
      [secrets.quota]: { quotaExhausted: true },
    },
  });
  const pool = createOpenAIPool({
    keys: Object.entries(secrets).map(([id, secret]) => ({ id, secret })),
    strategy: 'round-robin',
    cooldown: { quotaMs: 90_000 },
    clientOptions: { baseURL: emulator.baseURLs.openai },
  });
  const dashboard = createDashboard({
    pools: [pool],
    title: 'Keypool (browser test)',
    bucketMs: 1_000,
    chartMs: 60_000,
  });
  const server = await serve(dashboard.fetch);
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const outside: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(server.url)) outside.push(request.url());
  });

  let running = true;
  const traffic = (async () => {
    let index = 0;
    while (running) {
      await pool.client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: `call ${index++}` }] })
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
  })();

  try {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-ready=true]');
    const callsTotal = async () => Number(await page.getAttribute('svg[data-chart=calls]', 'data-total'));

    // The revoked key: disabled, with the provider's reason.
    const revoked = page.locator('#pools tr[data-key=revoked]');
    await revoked.and(page.locator('[data-status=disabled]')).waitFor({ timeout: 20_000 });
    expect(await revoked.locator('.badge').textContent()).toBe('disabled');
    expect(await revoked.locator('td.reason').textContent()).not.toBe('');

    // The spent key: cooling, and its countdown goes down on its own.
    const cooling = page.locator('#pools tr[data-key=quota][data-status=cooling] td.countdown');
    await cooling.waitFor({ timeout: 20_000 });
    await expect.poll(async () => (await cooling.textContent()) ?? '').toMatch(/^\d/);
    const before = (await cooling.textContent()) ?? '';
    await page.waitForTimeout(1_500);
    const after = (await cooling.textContent()) ?? '';
    expect(after).toMatch(/^\d/);
    expect(after).not.toBe(before);

    // An alert for the revoked key.
    await page.locator('#alerts li.alert[data-rule=key_disabled]').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('#alerts').textContent()).toContain('revoked');

    // The charts move while calls run, and the failure history lists the failures.
    const first = await callsTotal();
    await expect.poll(callsTotal, { timeout: 10_000 }).toBeGreaterThan(first + 5);
    expect(Number(await page.getAttribute('svg[data-chart=errors]', 'data-total'))).toBeGreaterThan(0);
    expect(Number(await page.getAttribute('svg[data-chart=rateLimits]', 'data-total'))).toBeGreaterThan(0);
    expect(await page.locator('#history tr[data-key=revoked]').count()).toBeGreaterThan(0);
    await page.locator('#events li').first().waitFor();

    const html = await page.content();
    for (const secret of Object.values(secrets)) expect(html).not.toContain(secret);
    expect(pageErrors).toEqual([]);
    expect(outside).toEqual([]);

    const png = await page.screenshot({ fullPage: true });
    await mkdir(dirname(ARTIFACT), { recursive: true });
    await writeFile(ARTIFACT, png);
    if (process.env.KEYPOOL_UPDATE_SCREENSHOT === '1') await writeFile(README_SCREENSHOT, png);
  } finally {
    running = false;
    await traffic;
    await context.close();
    dashboard.close();
    await server.close();
    await pool.close();
    await emulator.close();
  }
});
