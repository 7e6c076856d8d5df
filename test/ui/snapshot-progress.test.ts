// A gate joining with a large ticket list: the badge area shows a progress bar ("Downloading ticket
// list: N of 60000") while the snapshot is stored, and it goes away when the list is complete.
// Real relay process (60,000 tickets imported from a CSV), real gate process, Chromium.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import {
  addGateToken,
  createRelayDatabase,
  makeTempDir,
  runGatehouse,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import { EVENT_ID, launchChromium, screenshot } from './support.js';

const TICKETS = 60_000;

let temp: TempDir;
let relay: RelayProcess;
let gate: GateProcess;
let browser: Browser;
let page: Page;
let token: string;

beforeAll(async () => {
  temp = makeTempDir('gatehouse-snapshot-ui-');
  const csv = temp.file('tickets.csv');
  const rows = Array.from(
    { length: TICKETS },
    (_, index) => `BIG-${String(index).padStart(6, '0')},Fan ${index}`,
  );
  writeFileSync(csv, `barcode,name\n${rows.join('\n')}\n`);
  const dbPath = temp.file('relay.db');
  await createRelayDatabase(dbPath);
  const imported = await runGatehouse([
    'relay',
    'import-csv',
    '--db',
    dbPath,
    '--event',
    String(EVENT_ID),
    csv,
  ]);
  if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
  token = await addGateToken(dbPath, 'Door 1');
  relay = await startRelayProcess({ dbPath });
  gate = await startGateProcess(['--data', temp.file('gate'), '--listen', '127.0.0.1:0', '--name', 'Door 1']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(gate.url);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gate?.stop();
  await relay?.stop();
  temp?.remove();
}, 120_000);

describe('ticket list download (Chromium, real gate, real relay)', () => {
  it('shows a progress bar while the snapshot is stored, then the full list', async () => {
    // Record every text the progress bar shows, so a fast machine cannot race the assertions.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="snapshot-progress"]')?.textContent;
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    // The event is picked first (as venue IT would in Settings), then the relay is connected from
    // the first-run screen, as a person does it.
    await gate.value('updateSettings', { changes: { events: [String(EVENT_ID)] } });
    await page.locator('[data-testid="first-run-url"]').fill(relay.url);
    await page.locator('[data-testid="first-run-token"]').fill(token);
    await page.keyboard.press('Enter');
    const progress = page.locator('[data-testid="snapshot-progress"]');
    await progress.waitFor({ timeout: 30_000 });
    await screenshot(page, 'snapshot-progress');
    await progress.waitFor({ state: 'detached', timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    const counts = seen.map((text) =>
      Number(/Downloading ticket list: (\d+) of 60000/.exec(text)?.[1] ?? NaN),
    );
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.every((count) => Number.isInteger(count) && count < TICKETS)).toBe(true);
    // It moved: stored batches show up before the end.
    expect(Math.max(...counts)).toBeGreaterThan(0);
    const status = await waitFor(
      async () => {
        const current = await gate.value('status');
        return current.snapshot === null && current.cursor > 0 ? current : null;
      },
      { timeoutMs: 60_000, message: 'the snapshot stored' },
    );
    expect(status.tickets).toBe(TICKETS);
    expect(await gate.value('scan', { barcode: `BIG-0${TICKETS - 1}` })).toMatchObject({ result: 'admit' });
  });
});
