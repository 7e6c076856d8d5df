// The idle Scan screen, at both screen sizes, in Chromium against a real gate and relay: it names the
// event(s) it admits for with their date and counters per event; it warns before any scan when no
// event is selected; the offline banner keeps technical detail behind a "details" toggle; a revoked
// token gets an "action needed" banner; and F7 with no camera leaves the counters on screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGatehouse, startRelayProcess, waitFor } from '../relay/support.js';
import {
  EVENT_NAME,
  EVENT_START,
  VENUE,
  doorOrderDelivery,
  eventDelivery,
  SOLO_ORDERS,
} from './door-fixtures.js';
import {
  EVENT_ID,
  HOLDERS,
  VIEWPORTS,
  horizontalOverflow,
  isInViewport,
  nextResult,
  scanLikeScanner,
  screenshot,
  startStack,
  type Stack,
} from './support.js';

describe.each(VIEWPORTS)('idle scan screen, $name (Chromium, real gate, real relay)', (viewport) => {
  let stack: Stack;
  const solo = SOLO_ORDERS[viewport.name === 'landscape' ? 0 : 1];
  const shot = (name: string) => screenshot(stack.page, `${name}-${viewport.name}`);

  beforeAll(async () => {
    stack = await startStack({
      viewport,
      deliveries: [eventDelivery(), ...(solo ? [doorOrderDelivery(solo)] : [])],
      tickets: HOLDERS.length + 1,
    });
    await stack.page.locator('[data-testid="connection-badge"][data-state="online"]').waitFor();
  }, 120_000);
  afterAll(async () => stack?.stop());

  it('names the event it admits for, with its date, venue and counters for that event', async () => {
    const page = stack.page;
    const idle = page.locator('[data-testid="idle-panel"]');
    await waitFor(async () => (await idle.innerText()).includes(EVENT_NAME), { message: 'event named' });
    const text = await idle.innerText();
    const day = new Date(EVENT_START).toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    });
    expect(text).toContain(day);
    expect(text).toContain(VENUE);
    const row = page.locator(`[data-testid="idle-event"][data-event-id="${EVENT_ID}"]`);
    expect(await row.locator('[data-testid="event-admitted"]').innerText()).toBe('0');
    await shot('scan-idle');
    await scanLikeScanner(page, solo?.tickets[0]?.barcode ?? '');
    expect((await nextResult(page, null)).verdict).toBe('admit');
    await idle.waitFor({ timeout: 15_000 });
    await waitFor(async () => (await row.locator('[data-testid="event-admitted"]').innerText()) === '1', {
      message: 'per-event admitted counter at 1',
    });
    expect(await row.locator('[data-testid="event-inside"]').innerText()).toBe('1');
    expect(await horizontalOverflow(page)).toBe(0);
  });

  it('F7 with no camera keeps the counters on screen', async () => {
    const page = stack.page;
    await page.keyboard.press('F7');
    await page.getByText(/No camera found|Camera failed|Camera permission denied|Starting camera/).waitFor();
    expect(await isInViewport(page, '[data-testid="counters"]')).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await shot('scan-camera-none');
    await page.keyboard.press('F7');
  });

  it('warns before any scan when no event is selected, instead of "Ready"', async () => {
    const page = stack.page;
    await stack.gate.value('updateSettings', { changes: { events: [] } });
    const warning = page.locator('[data-testid="idle-warning"]');
    await warning.waitFor({ timeout: 10_000 });
    expect(await warning.innerText()).toMatch(/No event selected/);
    expect(await warning.innerText()).toMatch(/Settings/);
    expect(await page.locator('[data-testid="idle-panel"]').innerText()).not.toMatch(/^Ready$/m);
    await shot('scan-no-event');
    await stack.gate.value('updateSettings', { changes: { events: [String(EVENT_ID)] } });
    await warning.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('offline: the banner says what it means, technical detail only behind "details"', async () => {
    const page = stack.page;
    const port = new URL(stack.relay.url).port;
    await stack.relay.stop();
    const banner = page.locator('[data-testid="offline-banner"]');
    await waitFor(async () => (await banner.count()) > 0 && /ECONNREFUSED|closed/.test(await statusError()), {
      message: 'offline with a technical reason known',
      timeoutMs: 15_000,
    });
    const main = await banner.locator('[data-testid="banner-main"]').innerText();
    expect(main).toMatch(/No connection to the relay/);
    expect(main).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|\(connect/);
    const details = banner.locator('[data-testid="banner-details"]');
    expect(await details.locator('summary').innerText()).toMatch(/details/i);
    await details.locator('summary').click();
    await waitFor(async () => /ECONNREFUSED|closed/.test(await details.innerText()), {
      message: 'detail shown on request',
    });
    await shot('scan-offline-details');
    stack.relay = await startRelayProcess({ dbPath: stack.temp.file('relay.db'), port: Number(port) });
    await page.locator('[data-testid="connection-badge"][data-state="online"]').waitFor({ timeout: 30_000 });
  });

  it('a revoked token: "Action needed" says what to do, before any scan', async () => {
    const page = stack.page;
    const revoked = await runGatehouse([
      'relay',
      'revoke-gate',
      'Door 1',
      '--db',
      stack.temp.file('relay.db'),
    ]);
    expect(revoked.code).toBe(0);
    const banner = page.locator('[data-testid="rejected-banner"]');
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.innerText()).toContain(
      "Action needed: the relay refused this gate's token — enter a new one in Settings",
    );
    expect(await horizontalOverflow(page)).toBe(0);
    await shot('scan-token-rejected');
  });

  async function statusError(): Promise<string> {
    return (await stack.gate.value('status')).lastError ?? '';
  }
});
