// The night report screen (Activity → Report), at both screen sizes, in Chromium against a real gate
// and relay: the venue's name and the event, the figures, a printable page (print CSS hides the
// navigation and the buttons) and a CSV export with the same figures as `POST /api/report`.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../relay/support.js';
import {
  DOOR_ORDERS,
  EVENT_NAME,
  ISLA_ORDER,
  VENUE,
  doorOrderDelivery,
  eventDelivery,
  ticketCount,
} from './door-fixtures.js';
import { HOLDERS, VIEWPORTS, horizontalOverflow, screenshot, startStack, type Stack } from './support.js';

describe.each(VIEWPORTS)('night report, $name (Chromium, real gate, real relay)', (viewport) => {
  let stack: Stack;
  const shot = (name: string) => screenshot(stack.page, `${name}-${viewport.name}`);

  beforeAll(async () => {
    stack = await startStack({
      viewport,
      deliveries: [eventDelivery(), ...DOOR_ORDERS.map(doorOrderDelivery)],
      tickets: HOLDERS.length + ticketCount(DOOR_ORDERS),
    });
    for (const ticket of ISLA_ORDER.tickets) await stack.gate.value('scan', { barcode: ticket.barcode });
    await stack.gate.value('scan', { barcode: ISLA_ORDER.tickets[0]?.barcode ?? '' });
    await stack.gate.value('scan', { barcode: 'NO-SUCH-TICKET' });
    await stack.page.locator('[data-testid="scan-input"]').waitFor();
  }, 120_000);
  afterAll(async () => stack?.stop());

  it('Activity → Report shows the venue, the event and the night’s figures', async () => {
    const page = stack.page;
    await page.keyboard.press('F3');
    await page.locator('[data-testid="open-report"]').click();
    const report = page.locator('[data-testid="report"]');
    await waitFor(async () => (await report.count()) > 0 && (await report.innerText()).includes(VENUE), {
      message: 'report with the venue',
    });
    const text = await report.innerText();
    expect(text).toContain(EVENT_NAME);
    expect(await page.locator('[data-testid="report-admitted"]').innerText()).toBe('3');
    expect(text).toMatch(/Already admitted\D*1/);
    expect(text).toMatch(/Unknown ticket\D*1/);
    expect(text).toContain('Door 1');
    expect(text).toMatch(/VIP/);
    expect(await horizontalOverflow(page)).toBe(0);
    await shot('report');
  });

  it('prints: the print stylesheet hides navigation and buttons, keeps the report', async () => {
    const page = stack.page;
    await page.emulateMedia({ media: 'print' });
    try {
      expect(await page.locator('.topbar').isVisible()).toBe(false);
      expect(await page.locator('[data-testid="report-actions"]').isVisible()).toBe(false);
      expect(await page.locator('[data-testid="report"]').isVisible()).toBe(true);
      expect(
        await page.locator('[data-testid="report"]').evaluate((element) => getComputedStyle(element).color),
      ).toBe('rgb(0, 0, 0)');
      await shot('report-print');
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });

  it('exports the same figures as CSV', async () => {
    const page = stack.page;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="report-csv"]').click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('section,name,admitted,denied,sold,count,at,gate,note');
    expect(lines).toContain('totals,admitted,,,,3,,,');
    expect(lines).toContain('denied,already_admitted,,,,1,,,');
    expect(lines).toContain('gate,Door 1,3,2,,,,,');
    const api = await stack.gate.value('report', {});
    expect(api.admitted).toBe(3);
  });
});
