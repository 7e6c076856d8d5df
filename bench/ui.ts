/**
 * `npm run bench -- ui`: from the scan's Enter keypress to the result painted, in Debian's headless
 * Chromium against a real headless gate fed by a real relay. The page measures it itself
 * (`performance.measure('scan-to-paint')`, from the keydown's timestamp to just after the frame that
 * shows the result: a frame callback scheduled from the commit that put the result in the page, then
 * a timeout), so Playwright's own latency is not counted. The raw floor is the scan API's
 * round trip from the same page (fetch `/api/scan`, no rendering).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BenchOptions, BenchRow } from './types.js';

// Functions passed to page.evaluate run in the page; bench/ is compiled without DOM types.
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
};

const SECRET = 'bench-webhook-secret';
const EVENT_ID = 132218;
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/gatehouse', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve({ url: match[1], child });
    });
    child.on('exit', (code) => reject(new Error(`gatehouse ${args[0]} exited (${code}) before listening`)));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One order with `count` tickets, shaped like the seed's ORDER_SAVED example. */
function orderDelivery(orderId: number, barcodes: string[]): Record<string, unknown> {
  const seed = JSON.parse(readFileSync('test/relay/fixtures/order-saved.json', 'utf8')) as {
    data: Record<string, unknown>;
  };
  const template = (seed.data.tickets as { items: Record<string, unknown>[] }).items[0] ?? {};
  return {
    eventType: 'order-saved-prepare-full-message',
    contextId: orderId,
    data: {
      ...seed.data,
      id: orderId,
      event: { ...(seed.data.event as object), id: EVENT_ID },
      tickets: {
        items: barcodes.map((barcode, index) => ({
          ...template,
          id: orderId * 1000 + index,
          barcode,
          firstName: 'Bench',
          lastName: `Holder ${index}`,
        })),
      },
      transactions: { items: [{ id: orderId, type: 'PURCHASE', status: 'SUCCESS', ipAddress: null }] },
    },
  };
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? NaN;
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const scans = options.isQuick ? 50 : 200;
  const directory = mkdtempSync(join(tmpdir(), 'gatehouse-bench-ui-'));
  const processes: ChildProcess[] = [];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const relayDb = join(directory, 'relay.db');
    const relay = await startProcess(
      ['relay', 'serve', '--db', relayDb, '--port', '0', '--log-level', 'warn'],
      { GATEHOUSE_WEBHOOK_SECRET: SECRET },
    );
    processes.push(relay.child);
    const barcodes = Array.from({ length: scans }, (_, index) => `BENCH-${String(index).padStart(6, '0')}`);
    for (let order = 0; order * 50 < barcodes.length; order++) {
      const response = await fetch(`${relay.url}/webhooks/moshtix`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gatehouse-secret': SECRET },
        body: JSON.stringify(orderDelivery(90_000 + order, barcodes.slice(order * 50, order * 50 + 50))),
      });
      if (!response.ok) throw new Error(`webhook refused: ${response.status}`);
    }
    const added = spawnSync(
      process.execPath,
      ['bin/gatehouse', 'relay', 'add-gate', 'Bench door', '--db', relayDb],
      { encoding: 'utf8' },
    );
    const token = added.stdout.trim().split('\n').pop() ?? '';
    const gate = await startProcess([
      'gate',
      '--relay',
      relay.url,
      '--token',
      token,
      '--data',
      join(directory, 'gate'),
      // The seed's event is dated 2023: door times are not what this measures.
      '--date-window',
      'off',
      '--name',
      'Bench door',
      '--event',
      String(EVENT_ID),
      '--listen',
      '127.0.0.1:0',
      '--log-level',
      'warn',
    ]);
    processes.push(gate.child);
    await waitUntil(async () => {
      const answer = (await (
        await fetch(`${gate.url}/api/status`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        })
      ).json()) as { ok: boolean; value?: { tickets: number } };
      return answer.ok && (answer.value?.tickets ?? 0) >= scans;
    }, 'the gate to hold every ticket');

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(gate.url);
    await page.locator('[data-testid="scan-input"]').waitFor();
    let previous: string | null = null;
    for (const barcode of barcodes) {
      await page.keyboard.type(barcode);
      await page.keyboard.press('Enter');
      const last: string | null = previous;
      await page.waitForFunction((before) => {
        const id =
          document.querySelector('[data-testid="scan-result"]')?.getAttribute('data-scan-id') ?? null;
        return id !== null && id !== before;
      }, last);
      previous = await page.locator('[data-testid="scan-result"]').getAttribute('data-scan-id');
    }
    await page.waitForFunction(
      (count) => performance.getEntriesByName('scan-to-paint').length >= count,
      scans,
    );
    const painted = await page.evaluate(() =>
      performance.getEntriesByName('scan-to-paint').map((entry) => entry.duration),
    );
    const uiShare = await page.evaluate(() =>
      performance.getEntriesByName('answer-to-paint').map((entry) => entry.duration),
    );
    const floor = await page.evaluate(async (count) => {
      const times: number[] = [];
      for (let index = 0; index < count; index++) {
        const start = performance.now();
        const response = await fetch('api/scan', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ barcode: `FLOOR-UNKNOWN-${index}` }),
        });
        await response.json();
        times.push(performance.now() - start);
      }
      return times;
    }, scans);

    const p50 = percentile(painted, 0.5);
    const p95 = percentile(painted, 0.95);
    const p99 = percentile(painted, 0.99);
    const floorP95 = percentile(floor, 0.95);
    const row = (
      figure: string,
      measured: number,
      goal: string | null,
      pass: boolean | null,
      floorValue: number | null,
    ): BenchRow => ({
      bench: 'ui',
      figure,
      measured,
      unit: 'ms',
      goal,
      floor: floorValue,
      ratio: floorValue ? measured / floorValue : null,
      pass,
    });
    return [
      row(`Enter → result painted p50 (${scans} scans, Chromium)`, p50, null, null, percentile(floor, 0.5)),
      row(`Enter → result painted p95 (${scans} scans, Chromium)`, p95, 'p95 < 50 ms', p95 < 50, floorP95),
      row(`Enter → result painted p99 (${scans} scans, Chromium)`, p99, null, null, percentile(floor, 0.99)),
      row(
        `UI share: answer in hand → painted p50 (${uiShare.length} scans)`,
        percentile(uiShare, 0.5),
        null,
        null,
        null,
      ),
      row(
        `UI share: answer in hand → painted p95 (${uiShare.length} scans)`,
        percentile(uiShare, 0.95),
        null,
        null,
        null,
      ),
    ];
  } finally {
    await browser.close();
    for (const child of processes.reverse()) await stopProcess(child);
    rmSync(directory, { recursive: true, force: true });
  }
}
