// Verdict words for tickets that are no longer valid, at both screen sizes, in Chromium against a
// real gate process. Its relay is a STAND-IN (a scripted websocket server speaking the real protocol,
// frames checked with shared/protocol.ts), because today's relay does not yet tell a refund from a
// cancellation or a reissue: the stand-in sends ticket states carrying those causes.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { parseGateFrame, relayFrameSchema, type RelayFrame } from '../../shared/protocol.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';
import { welcomeFrame } from '../gate/stand-in-relay.js';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import { makeTempDir, waitFor, type TempDir } from '../relay/support.js';
import { VIEWPORTS, launchChromium, newPage, nextResult, scanLikeScanner, screenshot } from './support.js';

const EVENT: EventInfo = {
  id: 'E1',
  name: 'Stand-in Night',
  startDate: new Date(Date.now() - 3_600_000).toISOString(),
  endDate: null,
  venueName: 'The Corner Hotel',
  ticketTypes: [{ id: 'T1', name: 'General Admission' }],
};

function state(barcode: string, cause: string, valid = false): TicketState {
  return {
    barcode,
    ticketId: barcode,
    orderId: 'O-77',
    eventId: 'E1',
    ticketTypeId: 'T1',
    ticketTypeName: 'General Admission',
    holderName: 'Isla Smith',
    customerName: 'Isla Smith',
    email: 'isla@example.com',
    valid,
    cause,
    changedAt: '2026-11-27T10:04:30.000Z',
    version: { source: 'webhook', txId: 5, seq: 3 },
  };
}

const TICKETS = [
  state('REFUND-0001', 'refunded'),
  state('CANCEL-0001', 'cancelled'),
  state('OLD-BARCODE-1', 'reissued'),
];

describe.each(VIEWPORTS)('verdict words, $name (Chromium, real gate, stand-in relay)', (viewport) => {
  let temp: TempDir;
  let server: WebSocketServer;
  let gate: GateProcess;
  let browser: Browser;
  let page: Page;
  let lastScanId: string | null = null;

  beforeAll(async () => {
    temp = makeTempDir('gatehouse-verdicts-');
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/gate' });
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (socket) => {
      const send = (frame: RelayFrame) => socket.send(JSON.stringify(relayFrameSchema.parse(frame)));
      socket.on('message', (data: Buffer) => {
        const parsed = parseGateFrame(data.toString());
        if (!parsed.ok || parsed.frame.type !== 'hello') return;
        send(welcomeFrame('Door 1', 10, [EVENT]));
        if (parsed.frame.cursor >= 10) return;
        send({ type: 'snapshot-begin', tickets: TICKETS.length, scans: 0, cursor: 10 });
        send({ type: 'snapshot-chunk', events: [EVENT], tickets: TICKETS, scans: [] });
        send({ type: 'snapshot-end', cursor: 10 });
      });
    });
    const port = (server.address() as AddressInfo).port;
    gate = await startGateProcess([
      '--data',
      temp.file('gate'),
      '--listen',
      '127.0.0.1:0',
      '--relay',
      `http://127.0.0.1:${port}`,
      '--token',
      'stand-in-token',
      '--name',
      'Door 1',
      '--event',
      'E1',
    ]);
    await waitFor(async () => (await gate.value('status')).tickets === TICKETS.length, {
      message: 'the gate holds the stand-in tickets',
    });
    browser = await launchChromium();
    page = await newPage(browser, viewport);
    await page.goto(gate.url);
    await page.locator('[data-testid="scan-input"]').waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gate?.stop();
    for (const client of server?.clients ?? []) client.terminate();
    await new Promise((resolve) => server?.close(resolve));
    temp?.remove();
  });

  async function scan(barcode: string) {
    await scanLikeScanner(page, barcode);
    const result = await nextResult(page, lastScanId);
    lastScanId = result.scanId;
    return result;
  }

  it('a refunded ticket: DENY, "Ticket refunded (order changed HH:MM)" in big words', async () => {
    const result = await scan('REFUND-0001');
    expect(result.verdict).toBe('deny');
    const reason = await page.locator('.result-reason').innerText();
    expect(reason).toMatch(/^Ticket refunded \(order changed \d\d:\d\d\)$/);
    await screenshot(page, `scan-refunded-${viewport.name}`);
  });

  it('a cancelled ticket says cancelled', async () => {
    await scan('CANCEL-0001');
    expect(await page.locator('.result-reason').innerText()).toMatch(
      /^Ticket cancelled \(order changed \d\d:\d\d\)$/,
    );
  });

  it('an old reissued barcode: "Replaced by a newer ticket — ask for the new one"', async () => {
    const result = await scan('OLD-BARCODE-1');
    expect(result.verdict).toBe('deny');
    expect(await page.locator('.result-reason').innerText()).toBe(
      'Replaced by a newer ticket — ask for the new one',
    );
    await screenshot(page, `scan-reissued-${viewport.name}`);
  });

  it('the ticket detail names the cause in words, not a code', async () => {
    await page.keyboard.press('F2');
    await page.locator('[data-testid="lookup-query"]').fill('OLD-BAR');
    await page.locator('[data-testid="lookup-row"]').first().click();
    const detail = page.locator('[data-testid="ticket-detail"]');
    await detail.waitFor();
    expect(await detail.innerText()).toContain('replaced by a newer ticket');
    expect(await detail.innerText()).not.toContain('reissued');
  });
});
