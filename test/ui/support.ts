/**
 * The stack the UI tests drive: a real relay process fed real webhook deliveries, a real headless
 * gate process connected to it (serving the built renderer), and Debian's Chromium through
 * playwright-core. Each stack owns its temp dir, processes and browser, and tears them down.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import {
  REPO_ROOT,
  addGateToken,
  makeTempDir,
  orderDelivery,
  postDelivery,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';

export const EVENT_ID = 132218;
export const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'screenshots');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A page in a fresh browser context of the given size (axe's accessibility checks need a context). */
export async function newPage(browser: Browser, size: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
  return context.newPage();
}

export interface Holder {
  barcode: string;
  firstName: string;
  lastName: string;
  email: string;
}

export const HOLDERS: Holder[] = [
  { barcode: 'GH-ADMIT-0001', firstName: 'Ruby', lastName: 'Okafor', email: 'ruby@example.com' },
  { barcode: 'GH-TWICE-0002', firstName: 'Tom', lastName: 'Lindqvist', email: 'tom@example.com' },
  { barcode: 'GH-LOOKUP-0003', firstName: 'Priya', lastName: 'Ramanathan', email: 'priya@example.com' },
  { barcode: 'GH-OFFLINE-0004', firstName: 'Sam', lastName: 'Whitcombe', email: 'sam@example.com' },
];

/** An ORDER_SAVED delivery for one holder: their own order, customer name and email. */
export function holderDelivery(holder: Holder, orderId: number): Record<string, unknown> {
  const delivery = orderDelivery({ orderId, eventId: EVENT_ID, tickets: [{ barcode: holder.barcode }] });
  const data = delivery.data as Record<string, unknown>;
  data.customer = {
    ...(data.customer as object),
    firstName: holder.firstName,
    lastName: holder.lastName,
    email: holder.email,
  };
  return delivery;
}

export interface Stack {
  temp: TempDir;
  relay: RelayProcess;
  gate: GateProcess;
  browser: Browser;
  page: Page;
  stop(): Promise<void>;
}

export interface Viewport {
  name: 'landscape' | 'portrait';
  width: number;
  height: number;
}

/** The two screens staff use: a laptop and a portrait tablet. */
export const VIEWPORTS: readonly Viewport[] = [
  { name: 'landscape', width: 1280, height: 800 },
  { name: 'portrait', width: 800, height: 1280 },
];

export interface StackOptions {
  holders?: Holder[];
  /** More webhook deliveries (events, orders), posted after the holders' orders. */
  deliveries?: Record<string, unknown>[];
  /** Tickets the gate must hold before the stack is ready (default: one per holder). */
  tickets?: number;
  gateName?: string;
  gateArgs?: string[];
  viewport?: Viewport;
  /** Environment of the gate process (e.g. faketime). */
  gateEnv?: NodeJS.ProcessEnv;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const temp = makeTempDir('gatehouse-ui-');
  const relayDb = temp.file('relay.db');
  const relay = await startRelayProcess({ dbPath: relayDb });
  const holders = options.holders ?? HOLDERS;
  let gate: GateProcess | undefined;
  let browser: Browser | undefined;
  try {
    const deliveries = [
      ...holders.map((holder, index) => holderDelivery(holder, 50_000 + index)),
      ...(options.deliveries ?? []),
    ];
    for (const delivery of deliveries) {
      const posted = await postDelivery(relay.url, delivery);
      if (posted.status >= 300) throw new Error(`webhook refused: ${posted.status} ${posted.text}`);
    }
    const gateName = options.gateName ?? 'Door 1';
    const token = await addGateToken(relayDb, gateName);
    gate = await startGateProcess(
      [
        '--relay',
        relay.url,
        '--token',
        token,
        '--data',
        temp.file('gate'),
        '--name',
        gateName,
        '--event',
        String(EVENT_ID),
        '--listen',
        '127.0.0.1:0',
        ...(options.gateArgs ?? []),
      ],
      { env: options.gateEnv },
    );
    const started = gate;
    await waitFor(
      async () => {
        const status = await started.value('status');
        return status.connection === 'online' && status.tickets >= (options.tickets ?? holders.length);
      },
      { message: 'the gate online with every ticket', timeoutMs: 20_000 },
    );
    browser = await launchChromium();
    const viewport = options.viewport ?? VIEWPORTS[0] ?? { width: 1280, height: 800 };
    // A page in its own context: axe (accessibility checks) needs one.
    const page = await newPage(browser, viewport);
    // A crash in the page shows in the test's output rather than as a missing element later.
    page.on('pageerror', (error) => console.error(`page error: ${error.stack ?? error.message}`));
    await page.goto(gate.url);
    // stop() reads the fields at stop time: a test may replace the relay (restart on the same port).
    const stack: Stack = {
      temp,
      relay,
      gate,
      browser,
      page,
      async stop() {
        await stack.browser.close();
        await stack.gate.stop();
        await stack.relay.stop();
        temp.remove();
      },
    };
    return stack;
  } catch (error) {
    await browser?.close();
    await gate?.stop();
    await relay.stop();
    temp.remove();
    throw error;
  }
}

/** Writes a screenshot of the whole page under test-results/screenshots/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Types like a keyboard-wedge scanner: the whole barcode at machine speed, then Enter. */
export async function scanLikeScanner(
  page: Page,
  barcode: string,
  terminator: 'Enter' | 'Tab' = 'Enter',
): Promise<void> {
  await page.keyboard.type(barcode);
  await page.keyboard.press(terminator);
}

/** Waits for a result panel for a scan other than `previousScanId`, and returns its attributes. */
export async function nextResult(page: Page, previous: string | null | ReadonlySet<string>) {
  const panel = page.locator('[data-testid="scan-result"]');
  // A set: every scan the test made otherwise (through the API), whose results the screen may show late.
  const isOld = (id: string) =>
    typeof previous === 'string' ? id === previous : (previous?.has(id) ?? false);
  await waitFor(
    async () => {
      const id = (await panel.count()) > 0 ? await panel.getAttribute('data-scan-id') : null;
      return id !== null && !isOld(id);
    },
    { message: 'a new scan result on screen', timeoutMs: 30_000 },
  );
  return {
    scanId: await panel.getAttribute('data-scan-id'),
    verdict: await panel.getAttribute('data-result'),
    reason: await panel.getAttribute('data-reason'),
    text: await panel.innerText(),
    background: await panel.evaluate((element) => getComputedStyle(element).backgroundColor),
  };
}

/** Presses Tab until the focused element matches `isTarget` (keyboard only), failing after `limit` presses. */
export async function tabTo(
  page: Page,
  describe: string,
  isTarget: (element: { tag: string; text: string; id: string }) => boolean,
  limit = 40,
): Promise<void> {
  for (let presses = 0; presses <= limit; presses++) {
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      return {
        tag: element?.tagName.toLowerCase() ?? '',
        text: element?.innerText ?? '',
        id: element?.id ?? '',
      };
    });
    if (isTarget(focused)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${describe}`);
}

export async function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

/** Page width beyond the viewport, in CSS pixels (0 when nothing scrolls sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth,
  );
}

/** Elements whose own content is clipped sideways (text cut off inside a box), by a short description. */
export async function clippedElements(page: Page, selector: string): Promise<string[]> {
  return page
    .locator(selector)
    .evaluateAll((elements) =>
      elements
        .filter((element) => element.scrollWidth > element.clientWidth + 1)
        .map(
          (element) => `${element.tagName.toLowerCase()}.${element.className}: ${element.textContent ?? ''}`,
        ),
    );
}

/** Whether the element is wholly inside the viewport (not below the fold, not off to a side). */
export async function isInViewport(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).boundingBox();
  const size = page.viewportSize();
  if (!box || !size) return false;
  return box.y >= 0 && box.x >= 0 && box.y + box.height <= size.height && box.x + box.width <= size.width;
}

/** Accessibility violations axe rates serious or critical on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { AxeBuilder } = await import('@axe-core/playwright');
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact ?? ''}): ${violation.help} — ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
}
