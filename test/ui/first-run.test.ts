// First run in Chromium, at both screen sizes: a headless gate with no relay yet shows "connect to a
// relay" and says truthfully where its token will be kept (a file only its user can read); the
// relay URL and token are tested before anything is saved — an unreachable relay and a refused
// token are each named in words, nothing saved; the real ones list the relay's events to pick from,
// and the badge goes online. Real relay process, real gate process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import {
  addGateToken,
  makeTempDir,
  postDelivery,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import { EVENT_NAME, eventDelivery } from './door-fixtures.js';
import {
  EVENT_ID,
  VIEWPORTS,
  focusedId,
  horizontalOverflow,
  launchChromium,
  newPage,
  screenshot,
} from './support.js';

describe.each(VIEWPORTS)('first run, $name (Chromium, real gate, real relay)', (viewport) => {
  let temp: TempDir;
  let relay: RelayProcess;
  let gate: GateProcess;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => screenshot(page, `${name}-${viewport.name}`);

  beforeAll(async () => {
    temp = makeTempDir('gatehouse-first-run-');
    relay = await startRelayProcess({ dbPath: temp.file('relay.db') });
    expect((await postDelivery(relay.url, eventDelivery())).status).toBeLessThan(300);
    gate = await startGateProcess(['--data', temp.file('gate'), '--listen', '127.0.0.1:0']);
    browser = await launchChromium();
    page = await newPage(browser, viewport);
    await page.goto(gate.url);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gate?.stop();
    await relay?.stop();
    temp?.remove();
  });

  it('offers to connect to a relay, with the URL field focused and the token storage told truthfully', async () => {
    await page.locator('[data-testid="first-run"]').waitFor();
    expect(await focusedId(page)).toBe('setting-relayUrl');
    const text = await page.locator('[data-testid="first-run"]').innerText();
    expect(text).not.toMatch(/encrypted/i);
    expect(text).toContain("a file readable only by this PC's gate user");
    expect(await horizontalOverflow(page)).toBe(0);
    await shot('first-run');
  });

  it('refuses a malformed relay URL naming the field', async () => {
    await page.keyboard.type('relay.example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('gate-token-that-is-long-enough');
    await page.keyboard.press('Enter');
    const error = page.locator('[data-testid="error-relayUrl"]');
    await error.waitFor();
    expect(await error.innerText()).toContain('Relay URL must be a ws://, wss://, http:// or https:// URL');
    expect((await gate.value('getSettings')).relayUrl).toBeNull();
  });

  it('tests an unreachable relay before saving, and says so in words', async () => {
    await page.locator('#setting-relayUrl').fill('http://127.0.0.1:9');
    await page.locator('#setting-relayUrl').press('Enter');
    const problem = page.locator('[data-testid="first-run-problem"]');
    await problem.waitFor({ timeout: 15_000 });
    expect(await problem.innerText()).toMatch(/Cannot reach a relay at http:\/\/127\.0\.0\.1:9/);
    expect(await problem.innerText()).not.toMatch(/ECONNREFUSED/);
    expect((await gate.value('getSettings')).relayUrl).toBeNull();
    await shot('first-run-unreachable');
  });

  it('tests the token: a refused one is named and nothing is saved', async () => {
    await page.locator('#setting-relayUrl').fill(relay.url);
    await page.locator('#setting-token').fill('not-a-token-the-relay-knows');
    await page.locator('#setting-token').press('Enter');
    const problem = page.locator('[data-testid="first-run-problem"]');
    await waitFor(async () => /refused this gate token/.test(await problem.innerText()), {
      message: 'token refused',
    });
    const settings = await gate.value('getSettings');
    expect(settings).toMatchObject({ relayUrl: null, hasToken: false });
  });

  it('the real relay and token: events listed to choose from, saved, and the badge goes online', async () => {
    const token = await addGateToken(temp.file('relay.db'), 'Door 9');
    await page.locator('#setting-token').fill(token);
    await page.locator('#setting-token').press('Enter');
    const events = page.locator('[data-testid="first-run-events"]');
    await events.waitFor({ timeout: 15_000 });
    expect(await events.innerText()).toContain(EVENT_NAME);
    expect(await page.locator('[data-testid="first-run"]').innerText()).toContain('Door 9');
    await shot('first-run-events');
    await events.getByLabel(new RegExp(EVENT_NAME)).check();
    await page.locator('[data-testid="first-run-start"]').click();
    await page.locator('[data-testid="scan-input"]').waitFor();
    await waitFor(
      async () =>
        (await page.locator('[data-testid="connection-badge"]').getAttribute('data-state')) === 'online',
      { message: 'badge online after first run' },
    );
    const settings = await gate.value('getSettings');
    expect(settings).toMatchObject({ relayUrl: relay.url, hasToken: true, events: [String(EVENT_ID)] });
    expect(JSON.stringify(settings)).not.toContain(token);
  });
});
