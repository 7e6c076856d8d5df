// The Scan screen in Debian's Chromium against a real headless gate fed by a real relay: scanner
// typing admits, unknown barcodes are denied, a second scan says where and when the ticket got in,
// and with the relay gone the badge says offline and the gate still decides from its local list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateProcess } from '../gate/support.js';
import { addGateToken, waitFor } from '../relay/support.js';
import {
  EVENT_ID,
  HOLDERS,
  nextResult,
  scanLikeScanner,
  screenshot,
  startStack,
  type Stack,
} from './support.js';

const [admitted, twice, elsewhere, offline] = HOLDERS;
let stack: Stack;
let lastScanId: string | null = null;

beforeAll(async () => {
  stack = await startStack();
  await stack.page.locator('[data-testid="connection-badge"][data-state="online"]').waitFor();
}, 120_000);
afterAll(async () => stack?.stop());

async function scan(barcode: string, terminator: 'Enter' | 'Tab' = 'Enter') {
  await scanLikeScanner(stack.page, barcode, terminator);
  const result = await nextResult(stack.page, lastScanId);
  lastScanId = result.scanId;
  return result;
}

describe('Scan screen (Chromium, real gate, real relay)', () => {
  it('the scan input holds focus from the start', async () => {
    await stack.page.locator('[data-testid="scan-input"]').waitFor();
    expect(await stack.page.evaluate(() => document.activeElement?.id)).toBe('scan-input');
    await screenshot(stack.page, 'scan-ready');
  });

  it('scanner-style typing + Enter admits: green, ADMIT, holder name', async () => {
    const result = await scan(admitted?.barcode ?? '');
    expect(result.verdict).toBe('admit');
    expect(result.reason).toBe('admitted');
    expect(result.text).toContain('ADMIT');
    expect(result.text).toContain('Ruby Okafor');
    expect(result.background).toBe('rgb(15, 122, 46)');
    await screenshot(stack.page, 'scan-admit');
    await waitFor(
      async () => (await stack.page.locator('[data-testid="admitted-tonight"]').innerText()) === '1',
      { message: 'admitted counter at 1' },
    );
  });

  it('a barcode typed slowly by hand that matches no ticket is scanned (DENY), not looked up', async () => {
    // A person copying a ticket's code at keyboard speed: well over the scanner's inter-key gap.
    await stack.page.keyboard.type('HAND-000123', { delay: 120 });
    await stack.page.keyboard.press('Enter');
    const result = await nextResult(stack.page, lastScanId);
    lastScanId = result.scanId;
    expect(result.verdict).toBe('deny');
    expect(result.reason).toBe('unknown_barcode');
    expect(await stack.page.locator('[data-testid="lookup-results"]').count()).toBe(0);
  });

  it('an unknown barcode is denied in red with the reason in words', async () => {
    const result = await scan('NOT-A-REAL-TICKET-999');
    expect(result.verdict).toBe('deny');
    expect(result.reason).toBe('unknown_barcode');
    expect(result.text).toContain('DENY');
    expect(result.text).toContain('Unknown ticket');
    expect(result.background).toBe('rgb(179, 20, 27)');
    await screenshot(stack.page, 'scan-deny');
  });

  it('a second scan (ended by Tab, as some scanners do) shows already_admitted with gate and time', async () => {
    const first = await scan(twice?.barcode ?? '', 'Tab');
    expect(first.verdict).toBe('admit');
    const second = await scan(twice?.barcode ?? '');
    expect(second.verdict).toBe('deny');
    expect(second.reason).toBe('already_admitted');
    const previous = await stack.page.locator('[data-testid="result-previous"]').innerText();
    expect(previous).toMatch(/^at Door 1, \d\d:\d\d:\d\d$/);
    expect(second.text).toContain('Already admitted');
    expect(second.text).toContain('Tom Lindqvist');
    await screenshot(stack.page, 'scan-already-admitted');
  });

  it('a ticket admitted at another gate is denied here, naming that gate and its time', async () => {
    const barcode = elsewhere?.barcode ?? '';
    const token = await addGateToken(stack.temp.file('relay.db'), 'Door 2');
    const door2 = await startGateProcess([
      '--relay',
      stack.relay.url,
      '--token',
      token,
      '--data',
      stack.temp.file('gate-2'),
      '--name',
      'Door 2',
      '--event',
      String(EVENT_ID),
      '--listen',
      '127.0.0.1:0',
    ]);
    try {
      await waitFor(async () => (await door2.value('status')).tickets > 0, {
        message: 'Door 2 has its tickets',
        timeoutMs: 20_000,
      });
      expect(await door2.value('scan', { barcode })).toMatchObject({ result: 'admit' });
      await waitFor(
        async () =>
          (await stack.gate.value('ticket', { barcode })).history.some((scan) => scan.gate === 'Door 2'),
        { message: 'Door 1 knows about the admission at Door 2' },
      );
      const result = await scan(barcode);
      expect(result.reason).toBe('already_admitted');
      expect(await stack.page.locator('[data-testid="result-previous"]').innerText()).toMatch(
        /^at Door 2, \d\d:\d\d:\d\d$/,
      );
      await screenshot(stack.page, 'scan-admitted-elsewhere');
    } finally {
      await door2.stop();
    }
  });

  it('relay stopped: the badge shows offline within 5 s, the banner explains, and scans still decide', async () => {
    await stack.relay.stop();
    const badge = stack.page.locator('[data-testid="connection-badge"]');
    await waitFor(async () => (await badge.getAttribute('data-state')) === 'offline', {
      timeoutMs: 5000,
      message: 'badge offline within 5 s',
    });
    expect(await badge.innerText()).toMatch(/Offline/);
    expect(await stack.page.locator('[data-testid="offline-banner"]').innerText()).toMatch(
      /working from its local list/,
    );
    const result = await scan(offline?.barcode ?? '');
    expect(result.verdict).toBe('admit');
    expect(result.text).toContain('Sam Whitcombe');
    const denied = await scan(offline?.barcode ?? '');
    expect(denied.reason).toBe('already_admitted');
    await waitFor(async () => /[1-9]\d* to upload/.test(await badge.innerText()), {
      message: 'pending uploads shown',
    });
    await screenshot(stack.page, 'scan-offline');
  });
});
