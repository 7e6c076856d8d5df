// A headless gate shared beyond loopback (here 0.0.0.0) guards its API with the staff PIN: the page
// in Chromium shows a lock screen, refuses a wrong PIN, and works once the right one is given.
// Real gate process, real Chromium; its relay is configured but down (port 9), which is fine here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import { makeTempDir, type TempDir } from '../relay/support.js';
import { focusedId, launchChromium, nextResult, scanLikeScanner, screenshot } from './support.js';

const PIN = '97531';
let temp: TempDir;
let gate: GateProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  temp = makeTempDir('gatehouse-access-pin-');
  gate = await startGateProcess([
    '--data',
    temp.file('gate'),
    '--listen',
    '0.0.0.0:0',
    '--pin',
    PIN,
    '--name',
    'Tablet',
    '--relay',
    'http://127.0.0.1:9',
    '--token',
    'relay-is-down-token',
  ]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://127.0.0.1:${gate.port}/`);
});
afterAll(async () => {
  await browser?.close();
  await gate?.stop();
  temp?.remove();
});

describe('gate shared beyond loopback (Chromium, real gate)', () => {
  it('locks the screen until the staff PIN is given', async () => {
    await page.locator('[data-testid="access-pin"]').waitFor();
    expect(await focusedId(page)).toBe('access-pin-input');
    expect(await page.locator('[data-testid="scan-input"]').count()).toBe(0);
    await page.keyboard.type('1111');
    await page.keyboard.press('Enter');
    await page.getByText('Wrong PIN').waitFor();
    await screenshot(page, 'access-pin');
    await page.keyboard.type(PIN);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="scan-input"]').waitFor();
    await scanLikeScanner(page, 'ANY-BARCODE-1');
    const result = await nextResult(page, null);
    expect(result.verdict).toBe('deny');
  });
});
