// Activity at both screen sizes, in Chromium against a real gate and relay: holder names on every
// row, a gate filter that takes part of a name in any case and says so when nothing matches, and
// no sideways scrolling (the table was 1,038 px wide in an 800 px portrait viewport).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../relay/support.js';
import { HOLDERS, VIEWPORTS, horizontalOverflow, screenshot, startStack, type Stack } from './support.js';

describe.each(VIEWPORTS)('activity, $name (Chromium, real gate, real relay)', (viewport) => {
  let stack: Stack;
  const shot = (name: string) => screenshot(stack.page, `${name}-${viewport.name}`);

  beforeAll(async () => {
    stack = await startStack({ viewport, gateName: 'North Door' });
    for (const holder of HOLDERS.slice(0, 3)) await stack.gate.value('scan', { barcode: holder.barcode });
    await stack.gate.value('scan', { barcode: HOLDERS[0]?.barcode ?? '' });
    await stack.gate.value('scan', { barcode: 'NOT-A-TICKET-1234567890-ABCDEFGHIJ' });
    await stack.page.locator('[data-testid="scan-input"]').waitFor();
  }, 120_000);
  afterAll(async () => stack?.stop());

  it('every row names the ticket holder, without scrolling sideways', async () => {
    const page = stack.page;
    await page.keyboard.press('F3');
    const rows = page.locator('[data-testid="activity-row"]');
    await waitFor(async () => (await rows.count()) === 5, { message: 'five decisions listed' });
    const texts = await rows.allInnerTexts();
    for (const holder of HOLDERS.slice(0, 3)) {
      expect(texts.some((text) => text.includes(`${holder.firstName} ${holder.lastName}`))).toBe(true);
    }
    expect(texts.filter((text) => text.includes('Ruby Okafor'))).toHaveLength(2);
    expect(texts.some((text) => /Unknown ticket/.test(text))).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await shot('activity');
  });

  it('the gate filter takes part of a name in any case, and says when nothing matches', async () => {
    const page = stack.page;
    const rows = page.locator('[data-testid="activity-row"]');
    await page.locator('#activity-gate').fill('north d');
    await waitFor(async () => (await rows.count()) === 5, { message: 'partial, any-case filter matches' });
    await page.locator('#activity-gate').fill('South');
    const empty = page.locator('[data-testid="activity-empty"]');
    await empty.waitFor();
    expect(await empty.innerText()).toContain('No decisions at a gate matching “South”');
    expect(await rows.count()).toBe(0);
    await shot('activity-filter-empty');
    await page.locator('#activity-gate').fill('');
    await waitFor(async () => (await rows.count()) === 5, { message: 'filter cleared' });
  });
});
