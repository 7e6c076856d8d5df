// Lookup as door staff use it, at both screen sizes, in Chromium against a real gate and relay:
// short barcodes in rows (the full one on the detail), the field that matched, rows grouped by
// order with a result count, and "Admit all N valid tickets in this order" — each ticket its own
// admission, the ones not admissible listed with their reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../relay/support.js';
import {
  BROWN_ORDER,
  CHEN_ORDER,
  DOOR_ORDERS,
  ISLA_ORDER,
  doorOrderDelivery,
  eventDelivery,
  ticketCount,
} from './door-fixtures.js';
import { HOLDERS, VIEWPORTS, horizontalOverflow, screenshot, startStack, type Stack } from './support.js';

describe.each(VIEWPORTS)('lookup, $name (Chromium, real gate, real relay)', (viewport) => {
  let stack: Stack;
  const shot = (name: string) => screenshot(stack.page, `${name}-${viewport.name}`);

  beforeAll(async () => {
    stack = await startStack({
      viewport,
      deliveries: [eventDelivery(), ...DOOR_ORDERS.map(doorOrderDelivery)],
      tickets: HOLDERS.length + ticketCount(DOOR_ORDERS),
    });
    await stack.page.locator('[data-testid="scan-input"]').waitFor();
  }, 120_000);
  afterAll(async () => stack?.stop());

  async function search(query: string) {
    const page = stack.page;
    await page.keyboard.press('F2');
    const input = page.locator('[data-testid="lookup-query"]');
    await input.fill(query);
    // The count names the query it answers: wait for this query's answer, not the last one's.
    const count = page.locator(`[data-testid="lookup-count"][data-query="${query}"]`);
    await count.waitFor();
    return count;
  }

  it('three tickets of one buyer: grouped under their order, short barcodes, counted', async () => {
    const page = stack.page;
    const count = await search('isla');
    expect(await count.innerText()).toMatch(/^3 tickets in 1 order/);
    const group = page.locator(`[data-testid="order-group"][data-order-id="${ISLA_ORDER.orderId}"]`);
    const rows = group.locator('[data-testid="lookup-row"]');
    expect(await rows.count()).toBe(3);
    for (const [index, ticket] of ISLA_ORDER.tickets.entries()) {
      const text = await rows.nth(index).innerText();
      expect(text).toContain(ticket.barcode.slice(-8));
      expect(text).not.toContain(ticket.barcode);
      expect(text).toMatch(/holder name/);
    }
    expect(await horizontalOverflow(page)).toBe(0);
    await shot('lookup-grouped');
    await rows.nth(2).click();
    const detail = page.locator('[data-testid="ticket-detail"]');
    await detail.waitFor();
    expect(await detail.innerText()).toContain(ISLA_ORDER.tickets[2]?.barcode ?? '?');
  });

  it('says which field matched: the buyer’s email, an order number', async () => {
    const page = stack.page;
    await search('oliver.chen@');
    const row = page.locator('[data-testid="lookup-row"]');
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain('Mia Chen');
    expect(await row.innerText()).toMatch(/matched: buyer email/);
    await shot('lookup-buyer-email');
    await search(String(CHEN_ORDER.orderId));
    expect(await page.locator('[data-testid="lookup-row"]').innerText()).toContain(
      `matched: order ${CHEN_ORDER.orderId}`,
    );
  });

  it('admits a whole order at once: each ticket its own admission', async () => {
    const page = stack.page;
    await search('isla');
    const group = page.locator(`[data-testid="order-group"][data-order-id="${ISLA_ORDER.orderId}"]`);
    const button = group.locator('[data-testid="admit-order"]');
    expect(await button.innerText()).toBe('Admit all 3 valid tickets in this order');
    await button.click();
    const outcome = page.locator('[data-testid="order-outcome"]');
    await outcome.waitFor();
    expect(await outcome.innerText()).toMatch(/3 admitted/);
    await shot('lookup-order-admitted');
    const admissions = await Promise.all(
      ISLA_ORDER.tickets.map(async (ticket) => {
        const detail = await stack.gate.value('ticket', { barcode: ticket.barcode });
        return detail.history.filter((scan) => scan.result === 'admit');
      }),
    );
    expect(admissions.map((list) => list.length)).toEqual([1, 1, 1]);
    expect(new Set(admissions.flat().map((scan) => scan.id)).size).toBe(3);
    await waitFor(async () => /^Admit all 0 /.test(await button.innerText()) || (await button.isDisabled()), {
      message: 'nothing left to admit in the order',
    });
  });

  it('lists the tickets of an order it cannot admit, with the reason', async () => {
    const page = stack.page;
    await search(String(BROWN_ORDER.orderId));
    const group = page.locator(`[data-testid="order-group"][data-order-id="${BROWN_ORDER.orderId}"]`);
    const button = group.locator('[data-testid="admit-order"]');
    expect(await button.innerText()).toBe('Admit all 1 valid ticket in this order');
    await button.click();
    const outcome = page.locator('[data-testid="order-outcome"]');
    await outcome.waitFor();
    const text = await outcome.innerText();
    expect(text).toMatch(/1 admitted/);
    expect(text).toContain(BROWN_ORDER.tickets[1]?.barcode.slice(-8) ?? '?');
    expect(text).toMatch(/Ticket no longer valid|refunded/);
    expect(await horizontalOverflow(page)).toBe(0);
    await shot('lookup-order-refused');
  });
});
