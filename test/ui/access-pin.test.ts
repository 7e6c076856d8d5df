// A headless gate shared beyond loopback (here 0.0.0.0) guards its API with the staff PIN: the page
// in Chromium shows a lock screen, refuses a wrong PIN, and works once the right one is given.
// The lock screen is not an error: no red "Gate unreachable" badge while it waits for the PIN. A
// wrong PIN typed counts once toward the lockout, however the page polls.
// Real gate process, real Chromium; its relay is configured but down (port 9), which is fine here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import { makeTempDir, waitFor, type TempDir } from '../relay/support.js';
import {
  VIEWPORTS,
  focusedId,
  horizontalOverflow,
  launchChromium,
  newPage,
  nextResult,
  scanLikeScanner,
  screenshot,
  seriousViolations,
} from './support.js';

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
  page = await newPage(browser, { width: 1280, height: 800 });
  await page.goto(`http://127.0.0.1:${gate.port}/`);
}, 120_000);
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
    // Locked is not broken: no red "Gate unreachable" while the gate waits for its PIN.
    const badge = page.locator('[data-testid="connection-badge"]');
    await waitFor(async () => (await badge.getAttribute('data-state')) === 'locked', {
      message: 'badge says locked',
    });
    expect(await page.locator('body').innerText()).not.toMatch(/unreachable/i);
    for (const viewport of [...VIEWPORTS].reverse()) {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      expect(await horizontalOverflow(page)).toBe(0);
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `access-pin-locked-${viewport.name}`);
    }
    await page.locator('#access-pin-input').focus();
    // Four typos in a row stay below the lock (five wrong PINs): each PIN typed is checked once. A
    // wrong one kept by the page was repeated by its polls and its event stream, and locked it early.
    for (let typo = 0; typo < 4; typo += 1) {
      await page.keyboard.type('1111');
      await page.keyboard.press('Enter');
      await page.getByText('Wrong PIN').waitFor();
      await waitFor(async () => (await page.locator('#access-pin-input').inputValue()) === '', {
        message: 'the refused PIN is cleared',
      });
    }
    await screenshot(page, 'access-pin');
    await page.keyboard.type(PIN);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="scan-input"]').waitFor();
    await scanLikeScanner(page, 'ANY-BARCODE-1');
    const result = await nextResult(page, null);
    expect(result.verdict).toBe('deny');
  });
});
