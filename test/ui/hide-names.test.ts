// Hide-names mode (`--hide-names`, for stewards at busy doors), at both screen sizes, in Chromium
// against a real gate and relay: holder and buyer names and emails are neither shown nor sent to
// the UI (every API answer and pushed event the page receives is checked), and lookup by name is off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket as PageSocket } from 'playwright-core';
import { waitFor } from '../relay/support.js';
import {
  HOLDERS,
  VIEWPORTS,
  nextResult,
  scanLikeScanner,
  screenshot,
  startStack,
  type Stack,
} from './support.js';

const PERSONAL = HOLDERS.flatMap((holder) => [holder.firstName, holder.lastName, holder.email]);

describe.each(VIEWPORTS)('hide names, $name (Chromium, real gate, real relay)', (viewport) => {
  let stack: Stack;
  const received: string[] = [];
  const shot = (name: string) => screenshot(stack.page, `${name}-${viewport.name}`);

  beforeAll(async () => {
    stack = await startStack({ viewport, gateArgs: ['--hide-names'] });
    // Everything the gate sends this page: API answers and websocket events.
    stack.page.on('response', (response) => {
      if (response.url().includes('/api/'))
        void response.text().then(
          (text) => received.push(text),
          () => {},
        );
    });
    stack.page.on('websocket', (socket: PageSocket) =>
      socket.on('framereceived', (frame) => received.push(String(frame.payload))),
    );
    await stack.page.reload();
    await stack.page.locator('[data-testid="scan-input"]').waitFor();
  }, 120_000);
  afterAll(async () => stack?.stop());

  it('a scan shows the verdict and ticket type, no name; nothing personal reaches the page', async () => {
    const page = stack.page;
    await scanLikeScanner(page, HOLDERS[0]?.barcode ?? '');
    const result = await nextResult(page, null);
    expect(result.verdict).toBe('admit');
    expect(result.text).not.toContain('Ruby');
    await shot('scan-hide-names');
    await page.keyboard.press('F3');
    await page.locator('[data-testid="activity-row"]').first().waitFor();
    await page.keyboard.press('F2');
    await page.locator('[data-testid="lookup-query"]').fill(HOLDERS[0]?.barcode.slice(0, 6) ?? '');
    await page.locator('[data-testid="lookup-row"]').first().click();
    await page.locator('[data-testid="ticket-detail"]').waitFor();
    await shot('lookup-hide-names');
    await waitFor(async () => received.length > 10, { message: 'answers received' });
    const everything = received.join('\n');
    for (const word of PERSONAL) expect(everything).not.toContain(word);
    expect(await page.locator('body').innerText()).not.toMatch(/Ruby|Okafor|@example\.com/);
  });

  it('lookup by name is off, and says so', async () => {
    const page = stack.page;
    expect(await page.locator('label[for="lookup-query"]').innerText()).toMatch(/Barcode or order number/);
    await page.locator('[data-testid="lookup-query"]').fill('Ruby');
    await page.locator('[data-testid="lookup-empty"]').waitFor();
    expect(await page.locator('[data-testid="lookup-row"]').count()).toBe(0);
  });
});
