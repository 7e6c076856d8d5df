// Ticket detail on a gate with a staff PIN, at both screen sizes, in Chromium against a real gate
// and relay: the PIN is asked once per unlock period (Settings unlocked → no second PIN for a manual
// admit), the manual-admit form opens in view, only actions that apply are offered (no "Annul…" on
// an annulled admission, no manual admit for a ticket inside), annulments are labelled as such, an
// empty note says "Note is required", and a whole-order check-in asks for the PIN when not unlocked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../relay/support.js';
import {
  BROWN_ORDER,
  CHEN_ORDER,
  DOOR_ORDERS,
  doorOrderDelivery,
  eventDelivery,
  ticketCount,
} from './door-fixtures.js';
import {
  HOLDERS,
  VIEWPORTS,
  horizontalOverflow,
  isInViewport,
  screenshot,
  startStack,
  type Stack,
} from './support.js';

const PIN = '2468';
const barcode = CHEN_ORDER.tickets[0]?.barcode ?? '';

describe.each(VIEWPORTS)('ticket detail, $name (Chromium, real gate with a PIN)', (viewport) => {
  let stack: Stack;
  const shot = (name: string) => screenshot(stack.page, `${name}-${viewport.name}`);

  beforeAll(async () => {
    stack = await startStack({
      viewport,
      gateArgs: ['--pin', PIN],
      deliveries: [eventDelivery(), ...DOOR_ORDERS.map(doorOrderDelivery)],
      tickets: HOLDERS.length + ticketCount(DOOR_ORDERS),
    });
    await stack.page.locator('[data-testid="scan-input"]').waitFor();
  }, 120_000);
  afterAll(async () => stack?.stop());

  async function openDetail(query: string) {
    const page = stack.page;
    await page.keyboard.press('F2');
    await page.locator('[data-testid="lookup-query"]').fill(query);
    const row = page.locator('[data-testid="lookup-row"]').first();
    await row.waitFor();
    await row.click();
    const detail = page.locator('[data-testid="ticket-detail"]');
    await detail.waitFor();
    return detail;
  }

  it('Settings unlocked: a manual admit opens in view and does not ask for the PIN again', async () => {
    const page = stack.page;
    await page.keyboard.press('F4');
    await page.locator('[data-testid="unlock-pin"]').fill(PIN);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="settings-save"]').waitFor();
    const detail = await openDetail('mia');
    await detail.locator('[data-testid="manual-admit"]').click();
    const form = page.locator('[data-testid="action-form"]');
    await form.waitFor();
    await waitFor(async () => isInViewport(page, '[data-testid="action-form"]'), {
      message: 'the manual-admit form in view',
    });
    expect(await form.locator('#action-pin').count()).toBe(0);
    await shot('detail-manual-admit-form');
    await page.keyboard.press('Enter');
    const error = form.locator('[role="alert"]');
    await error.waitFor();
    expect(await error.innerText()).toBe('✖ Note is required');
    await page.locator('#action-note').fill('phone flat, ID checked');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await detail.innerText()).includes('Manual admit:'), {
      message: 'manual admit done without a second PIN',
    });
  });

  it('a ticket inside offers no manual admit; its admission can be annulled once, labelled as an annulment', async () => {
    const page = stack.page;
    const detail = page.locator('[data-testid="ticket-detail"]');
    await waitFor(async () => (await detail.locator('[data-testid="manual-admit"]').count()) === 0, {
      message: 'no manual admit while inside',
    });
    const history = detail.locator('[data-testid="ticket-history"]');
    await history.locator('[data-testid="annul"]').first().click();
    await waitFor(async () => isInViewport(page, '[data-testid="action-form"]'), {
      message: 'annul form in view',
    });
    await page.locator('#action-note').fill('scanned the wrong ticket');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await history.locator('[data-testid="annulment-row"]').count()) === 1, {
      message: 'annulment listed',
    });
    const annulment = await history.locator('[data-testid="annulment-row"]').innerText();
    expect(annulment).toMatch(/annulment/i);
    expect(annulment).not.toMatch(/deny/i);
    expect(await history.locator('[data-testid="annul"]').count()).toBe(0);
    expect(await history.innerText()).toMatch(/annulled/i);
    await detail.locator('[data-testid="manual-admit"]').waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await shot('detail-annulled');
    expect((await stack.gate.value('ticket', { barcode })).inside).toBe(false);
  });

  it('after a reload (PIN forgotten), a whole-order check-in asks for the PIN', async () => {
    const page = stack.page;
    await page.reload();
    await page.locator('[data-testid="scan-input"]').waitFor();
    await page.keyboard.press('F2');
    await page.locator('[data-testid="lookup-query"]').fill(String(BROWN_ORDER.orderId));
    const button = page.locator('[data-testid="admit-order"]');
    await button.waitFor();
    await button.click();
    const pin = page.locator('#order-pin');
    await pin.waitFor();
    await pin.fill(PIN);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="order-outcome"]').waitFor();
    expect(await page.locator('[data-testid="order-outcome"]').innerText()).toMatch(/1 admitted/);
  });
});
