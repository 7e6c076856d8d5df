// "Relays found on this network" in Chromium, with the real mDNS finder on this host's LAN: a venue
// relay and another relay, both real `relay serve --advertise` processes, announce themselves; a new
// headless gate's first-run screen lists them (venue relay first, labelled so); a click fills the
// relay URL and moves to the token, so the token is all staff type. Settings list them too.
// Where this host has no network interface to multicast on, the test prints why and skips (the
// namespaced LAN test in test/venue/advertise.test.ts covers the gate's side without one).
import { networkInterfaces } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
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
  VIEWPORTS,
  focusedId,
  horizontalOverflow,
  launchChromium,
  newPage,
  screenshot,
  seriousViolations,
} from './support.js';

const suffix = String(process.pid);
const VENUE_NAME = `Corner Hotel venue relay ${suffix}`;
const OTHER_NAME = `Back office relay ${suffix}`;

/** mDNS needs an interface that is up, not loopback, and can multicast; returns why not, or null. */
function noMulticast(): string | null {
  const external = Object.values(networkInterfaces())
    .flat()
    .some((address) => address && !address.internal && address.family === 'IPv4');
  return external ? null : 'no non-loopback IPv4 interface to announce relays on';
}

describe('relays found on this network (Chromium, real gate, real relays announcing by mDNS)', () => {
  const problem = noMulticast();
  /** Skips the test, saying why, when this host cannot multicast. */
  const skipWithoutLan = (context: TestContext) => {
    if (!problem) return;
    console.log(`skipped: ${problem}`);
    context.skip(problem);
  };
  let temp: TempDir;
  let venue: RelayProcess;
  let other: RelayProcess;
  let gate: GateProcess;
  let browser: Browser;
  let page: Page;
  const button = (name: string) => page.locator('[data-testid="found-relay"]', { hasText: name });

  beforeAll(async () => {
    if (problem) return;
    temp = makeTempDir('gatehouse-found-relays-');
    // Both listen on every interface: the URL a gate finds is this host's LAN address.
    venue = await startRelayProcess({
      dbPath: temp.file('venue.db'),
      extraArgs: [
        '--host',
        '0.0.0.0',
        '--advertise',
        '--advertise-name',
        VENUE_NAME,
        // The internet relay is out of reach: the venue relay serves all the same.
        '--upstream',
        'http://127.0.0.1:9',
      ],
      env: { GATEHOUSE_UPSTREAM_TOKEN: 'gh_unused' },
    });
    other = await startRelayProcess({
      dbPath: temp.file('other.db'),
      extraArgs: ['--host', '0.0.0.0', '--advertise', '--advertise-name', OTHER_NAME],
    });
    expect((await postDelivery(other.url, eventDelivery())).status).toBeLessThan(300);
    gate = await startGateProcess(['--data', temp.file('gate'), '--listen', '127.0.0.1:0']);
    browser = await launchChromium();
    page = await newPage(browser, VIEWPORTS[0] ?? { width: 1280, height: 800 });
    await page.goto(gate.url);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gate?.stop();
    await venue?.stop();
    await other?.stop();
    temp?.remove();
  });

  it('first run lists both, the venue relay first and labelled so; a click fills the URL and moves to the token', async (context) => {
    skipWithoutLan(context);
    await page.locator('[data-testid="first-run"]').waitFor();
    const found = page.locator('[data-testid="found-relays"]');
    expect(await found.innerText()).toContain('Relays found on this network');
    await button(VENUE_NAME).waitFor({ timeout: 15_000 });
    await button(OTHER_NAME).waitFor({ timeout: 15_000 });
    const labels = await page.locator('[data-testid="found-relay"]').allInnerTexts();
    const ours = labels.filter((label) => label.includes(suffix));
    expect(ours[0]).toContain(`${VENUE_NAME} · venue relay · http://`);
    expect(ours[1]).toContain(`${OTHER_NAME} · relay · http://`);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'first-run-found-relays');

    await button(VENUE_NAME).click();
    const url = page.locator('#setting-relayUrl');
    expect(await url.inputValue()).toMatch(new RegExp(`^http://[\\d.]+:${venue.port}$`));
    expect(await button(VENUE_NAME).getAttribute('aria-pressed')).toBe('true');
    expect(await focusedId(page)).toBe('setting-token');
  });

  it('with the other relay picked, its token is all it takes: events listed, the badge goes online', async (context) => {
    skipWithoutLan(context);
    await button(OTHER_NAME).click();
    const filled = await page.locator('#setting-relayUrl').inputValue();
    expect(filled).toMatch(new RegExp(`^http://[\\d.]+:${other.port}$`));
    const token = await addGateToken(temp.file('other.db'), 'Door 3');
    await page.keyboard.type(token);
    await page.keyboard.press('Enter');
    const events = page.locator('[data-testid="first-run-events"]');
    await events.waitFor({ timeout: 15_000 });
    await events.getByLabel(new RegExp(EVENT_NAME)).check();
    await page.locator('[data-testid="first-run-start"]').click();
    await waitFor(
      async () =>
        (await page.locator('[data-testid="connection-badge"]').getAttribute('data-state')) === 'online',
      { message: 'badge online after first run', timeoutMs: 15_000 },
    );
    expect(await gate.value('getSettings')).toMatchObject({ relayUrl: filled, hasToken: true });
  });

  it('Settings list them beside the relay URL too; a click fills the field, saved only with Save', async (context) => {
    skipWithoutLan(context);
    await page.keyboard.press('F4');
    await page.locator('[data-testid="setting-relayUrl"]').waitFor();
    await button(VENUE_NAME).waitFor({ timeout: 15_000 });
    const before = (await gate.value('getSettings')).relayUrl;
    await button(VENUE_NAME).click();
    expect(await page.locator('[data-testid="setting-relayUrl"]').inputValue()).toMatch(
      new RegExp(`^http://[\\d.]+:${venue.port}$`),
    );
    expect((await gate.value('getSettings')).relayUrl).toBe(before);
    await screenshot(page, 'settings-found-relays');
  });
});
