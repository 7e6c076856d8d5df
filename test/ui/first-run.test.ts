// First run in Chromium: a headless gate with no relay yet shows "connect to a relay"; a bad URL
// is refused naming the field; the real relay URL and a gate token connect it, and the badge goes
// online. Real relay process, real gate process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import {
  addGateToken,
  makeTempDir,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import { focusedId, launchChromium, screenshot } from './support.js';

let temp: TempDir;
let relay: RelayProcess;
let gate: GateProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  temp = makeTempDir('gatehouse-first-run-');
  relay = await startRelayProcess({ dbPath: temp.file('relay.db') });
  gate = await startGateProcess(['--data', temp.file('gate'), '--listen', '127.0.0.1:0']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(gate.url);
});
afterAll(async () => {
  await browser?.close();
  await gate?.stop();
  await relay?.stop();
  temp?.remove();
});

describe('first run (Chromium, real gate, real relay)', () => {
  it('offers to connect to a relay, with the URL field focused', async () => {
    await page.locator('[data-testid="first-run"]').waitFor();
    expect(await focusedId(page)).toBe('setting-relayUrl');
    await screenshot(page, 'first-run');
  });

  it('refuses a bad relay URL naming the field, then connects with the real one', async () => {
    await page.keyboard.type('relay.example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('gate-token-that-is-long-enough');
    await page.keyboard.press('Enter');
    const error = page.locator('[data-testid="error-relayUrl"]');
    await error.waitFor();
    expect(await error.innerText()).toContain('Relay URL');
    expect((await gate.value('getSettings')).relayUrl).toBeNull();

    const token = await addGateToken(temp.file('relay.db'), 'Door 9');
    await page.locator('#setting-relayUrl').fill('');
    await page.locator('#setting-relayUrl').focus();
    await page.keyboard.type(relay.url);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(token);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="scan-input"]').waitFor();
    await waitFor(
      async () =>
        (await page.locator('[data-testid="connection-badge"]').getAttribute('data-state')) === 'online',
      { message: 'badge online after first run' },
    );
    const settings = await gate.value('getSettings');
    expect(settings).toMatchObject({ relayUrl: relay.url, hasToken: true });
    expect(JSON.stringify(settings)).not.toContain(token);
  });
});
