// Every screen at 1280×800 and 800×1280, in Chromium against a real gate and relay: nothing scrolls
// sideways, the counters are neither clipped nor pushed off the Scan screen, axe finds no serious or
// critical accessibility violation, and the gate serves a favicon. Screenshots of each screen at
// both sizes go to test-results/screenshots/layout-<screen>-<size>.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import { waitFor } from '../relay/support.js';
import { DOOR_ORDERS, ISLA_ORDER, doorOrderDelivery, eventDelivery, ticketCount } from './door-fixtures.js';
import {
  HOLDERS,
  VIEWPORTS,
  clippedElements,
  horizontalOverflow,
  isInViewport,
  launchChromium,
  newPage,
  nextResult,
  scanLikeScanner,
  screenshot,
  seriousViolations,
  startStack,
  type Stack,
} from './support.js';

interface ScreenCase {
  name: string;
  open(page: Page): Promise<void>;
}

let lastScanId: string | null = null;

const SCREENS: ScreenCase[] = [
  {
    name: 'scan-idle',
    open: async (page) => {
      await page.keyboard.press('Escape');
      await page.locator('[data-testid="idle-panel"]').waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'scan-admit',
    open: async (page) => {
      await page.keyboard.press('Escape');
      await scanLikeScanner(page, HOLDERS[0]?.barcode ?? '');
      lastScanId = (await nextResult(page, lastScanId)).scanId;
    },
  },
  {
    name: 'scan-deny',
    open: async (page) => {
      await scanLikeScanner(page, HOLDERS[0]?.barcode ?? '');
      lastScanId = (await nextResult(page, lastScanId)).scanId;
    },
  },
  {
    name: 'lookup',
    open: async (page) => {
      await page.keyboard.press('F2');
      await page.locator('[data-testid="lookup-query"]').fill('isla');
      await page.locator('[data-testid="lookup-row"]').first().click();
      await page.locator('[data-testid="ticket-detail"]').waitFor();
    },
  },
  {
    name: 'activity',
    open: async (page) => {
      await page.keyboard.press('F3');
      await page.locator('[data-testid="activity-row"]').first().waitFor();
    },
  },
  {
    name: 'report',
    open: async (page) => {
      await page.keyboard.press('F3');
      await page.locator('[data-testid="open-report"]').click();
      await page.locator('[data-testid="report-admitted"]').waitFor();
    },
  },
  {
    name: 'settings',
    open: async (page) => {
      await page.keyboard.press('F4');
      await page.locator('[data-testid="settings-save"]').waitFor();
    },
  },
];

async function checkScreen(page: Page, name: string): Promise<void> {
  expect(await horizontalOverflow(page), `${name} scrolls sideways`).toBe(0);
  expect(await seriousViolations(page), `${name} accessibility`).toEqual([]);
}

describe('the accessibility check itself (Chromium)', () => {
  it('finds serious violations on a page built to have them', async () => {
    const browser = await launchChromium();
    try {
      const page = await newPage(browser, { width: 800, height: 600 });
      await page.setContent(
        '<main><p style="color:#777;background:#888">low contrast</p><input type="text"><button></button></main>',
      );
      const found = await seriousViolations(page);
      expect(found.join('\n')).toMatch(/color-contrast/);
      expect(found.join('\n')).toMatch(/label|button-name/);
    } finally {
      await browser.close();
    }
  });
});

describe.each(VIEWPORTS)('every screen fits, $name (Chromium, real gate, real relay)', (viewport) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      viewport,
      deliveries: [eventDelivery(), ...DOOR_ORDERS.map(doorOrderDelivery)],
      tickets: HOLDERS.length + ticketCount(DOOR_ORDERS),
    });
    await stack.gate.value('scan', { barcode: ISLA_ORDER.tickets[0]?.barcode ?? '' });
    await stack.page.locator('[data-testid="scan-input"]').waitFor();
  }, 120_000);
  afterAll(async () => stack?.stop());

  for (const screen of SCREENS) {
    it(`${screen.name}: no sideways scroll, no serious accessibility violation`, async () => {
      await screen.open(stack.page);
      await checkScreen(stack.page, screen.name);
      if (screen.name.startsWith('scan')) {
        expect(await isInViewport(stack.page, '[data-testid="counters"]')).toBe(true);
        expect(
          await clippedElements(stack.page, '[data-testid="counters"] dd, [data-testid="counters"] dt'),
        ).toEqual([]);
      }
      await screenshot(stack.page, `layout-${screen.name}-${viewport.name}`);
    });
  }

  it('serves a favicon the page links to', async () => {
    const href = await stack.page.locator('link[rel="icon"]').getAttribute('href');
    expect(href).toBeTruthy();
    const response = await fetch(new URL(href ?? '', stack.gate.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^image\//);
  });

  it('first run fits too', async () => {
    const gate: GateProcess = await startGateProcess([
      '--data',
      stack.temp.file('bare-gate'),
      '--listen',
      '127.0.0.1:0',
    ]);
    const page = await newPage(stack.browser, viewport);
    try {
      await page.goto(gate.url);
      await page.locator('[data-testid="first-run"]').waitFor();
      await waitFor(async () => (await page.locator('[data-testid="connection-badge"]').count()) > 0, {
        message: 'badge shown',
      });
      await checkScreen(page, 'first-run');
      await screenshot(page, `layout-first-run-${viewport.name}`);
    } finally {
      await page.close();
      await gate.stop();
    }
  });
});
