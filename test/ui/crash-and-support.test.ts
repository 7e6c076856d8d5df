// In Chromium against a real headless gate process: a screen that throws while drawing shows
// "Something went wrong — Reload" with the error, and Reload brings the UI back; a gate that stops
// answering shows why in a banner; Settings → Export diagnostics saves status, settings and logs
// without the token or the PIN hash.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import { makeTempDir, type TempDir } from '../relay/support.js';
import { launchChromium, screenshot } from './support.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stack(
  args: (temp: TempDir) => string[] = () => [],
): Promise<{ gate: GateProcess; browser: Browser; temp: TempDir }> {
  const temp = makeTempDir('gatehouse-ui-crash-');
  cleanups.push(() => temp.remove());
  const gate = await startGateProcess(['--data', temp.file('gate'), '--name', 'Door 9', ...args(temp)]);
  cleanups.push(() => gate.stop());
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  return { gate, browser, temp };
}

describe('error boundary and support (Chromium, real headless gate)', () => {
  it('a screen that throws while drawing shows “Something went wrong — Reload” with the error; Reload recovers', async () => {
    const { gate, browser } = await stack();
    const page = await browser.newPage();
    // The gate answers a status this UI cannot draw (as an older UI cached by a browser might get
    // from a newer gate): drawing the device badge throws.
    await page.route('**/api/status', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ ok: true, value: { gate: 'Door 9', scanner: null, turnstile: null } }),
      }),
    );
    await page.goto(gate.url);
    const crash = page.locator('[data-testid="crash-screen"]');
    await crash.waitFor();
    expect(await crash.locator('h1').innerText()).toBe('Something went wrong — Reload');
    expect(await page.locator('[data-testid="crash-error"]').innerText()).toMatch(/^TypeError: .+/);
    await screenshot(page, 'crash-screen');

    await page.unroute('**/api/status');
    // Reload has the focus: Enter from a keyboard (or a keyboard-wedge scanner) is enough.
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="gate-name"]').getByText('Door 9').waitFor();
    await page.locator('[data-testid="connection-badge"]').waitFor();
    expect(await crash.count()).toBe(0);
  });

  it('a gate that stops answering shows a banner with the reason', async () => {
    const { gate, browser } = await stack();
    const page = await browser.newPage();
    await page.goto(gate.url);
    await page.locator('[data-testid="connection-badge"]').waitFor();
    await gate.kill();
    const banner = page.locator('[data-testid="gate-unreachable-banner"]');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('The gate is not answering');
    // The reason follows with the next status poll that fails (the event socket may notice first).
    await banner.filter({ hasText: 'cannot reach the gate' }).waitFor();
  });

  it('Export diagnostics saves status, settings and logs, never the token or the PIN hash', async () => {
    const { gate, browser, temp } = await stack((dir) => [
      '--log-file',
      dir.file('logs/gate.log'),
      '--scanner',
      dir.file('no-scanner-here'),
    ]);
    await gate.value('updateSettings', { changes: { token: 'gate-token-SECRET-0123456789', pin: '4321' } });
    const page = await browser.newPage();
    await page.goto(gate.url);
    await page.locator('[data-testid="connection-badge"]').waitFor();
    await page.keyboard.press('F4');
    await page.locator('[data-testid="unlock-pin"]').fill('4321');
    await page.keyboard.press('Enter');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="export-diagnostics"]').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^gatehouse-diagnostics-Door-9-.+\.json$/);
    const path = temp.file('diagnostics.json');
    await download.saveAs(path);
    const text = readFileSync(path, 'utf8');
    const document = JSON.parse(text) as {
      status: { gate: string };
      settings: { hasToken: boolean; hasPin: boolean };
      logs: { tail: string }[];
    };
    expect(document.status.gate).toBe('Door 9');
    expect(document.settings).toMatchObject({ hasToken: true, hasPin: true });
    expect(document.logs[0]?.tail).toContain('gate.');
    expect(text).not.toContain('gate-token-SECRET-0123456789');
    expect(text).not.toContain('scrypt$');
    expect(text).not.toContain('4321');
    expect(await page.locator('[data-testid="support-notice"]').innerText()).toContain('Saved');
    // Without the PIN the gate refuses it.
    expect(await gate.call('diagnostics', {})).toMatchObject({ ok: false, error: { code: 'pin_required' } });
  });
});
