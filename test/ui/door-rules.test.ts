// Door rules on the Scan screen, in Debian's Chromium against a real gate process and a real relay:
// an attention-flagged ticket turns the screen amber (CHECK) with its text and the attention sound,
// the inside counter turns amber from 90 % of capacity and red when full, and the idle screen warns
// when a selected event is not today.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderDelivery, postDelivery, waitFor } from '../relay/support.js';
import { ticketOf } from '../gate/support.js';
import {
  EVENT_ID,
  HOLDERS,
  nextResult,
  scanLikeScanner,
  screenshot,
  startStack,
  type Stack,
} from './support.js';

interface PlayedNote {
  frequency: number;
  wave: string;
}

let stack: Stack;

/** Records every oscillator the page starts, then lets the real one play. */
function recordNotes(): void {
  const played: { frequency: number; wave: string }[] = [];
  (window as unknown as { playedNotes: typeof played }).playedNotes = played;
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function createOscillator(this: AudioContext) {
    const oscillator = create.call(this);
    const start = oscillator.start.bind(oscillator);
    oscillator.start = (when?: number) => {
      played.push({ frequency: oscillator.frequency.value, wave: oscillator.type });
      start(when);
    };
    return oscillator;
  };
}

async function post(body: Record<string, unknown>): Promise<void> {
  const result = await postDelivery(stack.relay.url, body);
  if (result.status >= 300) throw new Error(`webhook refused: ${result.status} ${result.text}`);
}

async function reload(): Promise<void> {
  await stack.page.reload();
  await stack.page.locator('[data-testid="connection-badge"][data-state="online"]').waitFor();
  await stack.page.locator('[data-testid="scan-input"]').waitFor();
}

beforeAll(async () => {
  stack = await startStack({
    holders: HOLDERS.slice(0, 1),
    gateArgs: ['--attention', '18+=Check ID: 18+', '--reentry', 'after_exit'],
  });
  await stack.page.addInitScript(recordNotes);
  await reload();
});
afterAll(async () => stack?.stop());

describe('door rules on the Scan screen (Chromium, real gate, real relay)', () => {
  it('shows an attention-flagged ticket as the amber CHECK screen with its text and the attention sound', async () => {
    await post(
      orderDelivery({
        orderId: 80_001,
        eventId: EVENT_ID,
        tickets: [{ barcode: 'GH-LATE-18-0001', ticketTypeId: 7_777, ticketTypeName: 'Late Session 18+' }],
      }),
    );
    await waitFor(async () => (await ticketOf(stack.gate, 'GH-LATE-18-0001')) !== null, {
      message: 'the flagged ticket at the gate',
    });
    await scanLikeScanner(stack.page, 'GH-LATE-18-0001');
    const result = await nextResult(stack.page, null);
    expect(result).toMatchObject({
      verdict: 'attention',
      reason: 'admitted',
      background: 'rgb(199, 119, 0)',
    });
    expect(result.text).toMatch(/CHECK[\s\S]*Check ID: 18\+/);
    await screenshot(stack.page, 'scan-attention-flag');
    const notes = await waitFor(
      async () => {
        const played = await stack.page.evaluate(
          () => (window as unknown as { playedNotes: PlayedNote[] }).playedNotes,
        );
        return played.length >= 3 ? played : null;
      },
      { message: 'the attention sound' },
    );
    // Three quick mid beeps: neither the admit pair nor the deny buzz.
    expect(notes).toEqual([0, 1, 2].map(() => ({ frequency: 620, wave: 'triangle' })));
  });

  it('colours the inside counter: plain below 90 % of capacity, amber from 90 %, red when full', async () => {
    const barcodes = Array.from({ length: 10 }, (_, index) => `GH-CAP-${String(index).padStart(4, '0')}`);
    await post(
      orderDelivery({
        orderId: 80_002,
        eventId: EVENT_ID,
        tickets: barcodes.map((barcode) => ({ barcode })),
      }),
    );
    await waitFor(async () => (await ticketOf(stack.gate, barcodes[9] ?? '')) !== null, {
      message: 'the capacity tickets at the gate',
    });
    const inside = (await stack.gate.value('stats')).insideNow;
    await stack.gate.value('updateSettings', { changes: { capacity: inside + 10 } });
    await reload();
    const counter = stack.page.locator('[data-testid="inside-counter"]');
    const colour = () =>
      counter
        .locator('dd')
        .first()
        .evaluate((element) => getComputedStyle(element).color);
    // The screen shows these API scans too, and may show the last of them after the next scan began.
    const apiScans = new Set<string>();
    const admit = async (barcode: string) => {
      const scan = await stack.gate.value('scan', { barcode });
      apiScans.add(scan.scanId);
      expect(scan.result).toBe('admit');
    };

    for (const barcode of barcodes.slice(0, 8)) await admit(barcode);
    await stack.page.locator(`[data-testid="inside-counter"][data-level="normal"]`).waitFor();
    await waitFor(async () => (await counter.innerText()).includes(`${inside + 8} / ${inside + 10}`), {
      message: 'inside / capacity',
    });
    expect(await colour()).toBe('rgb(244, 246, 248)');

    await admit(barcodes[8] ?? '');
    await stack.page.locator(`[data-testid="inside-counter"][data-level="near"]`).waitFor();
    expect(await colour()).toBe('rgb(199, 119, 0)');
    expect(await counter.innerText()).toContain('nearly full');

    await admit(barcodes[9] ?? '');
    await stack.page.locator(`[data-testid="inside-counter"][data-level="full"]`).waitFor();
    expect(await colour()).toBe('rgb(255, 90, 95)');
    expect(await counter.innerText()).toMatch(
      new RegExp(`${inside + 10} / ${inside + 10}[\\s\\S]*full: entry stopped`),
    );
    await screenshot(stack.page, 'scan-capacity-full');

    // Full: the next entry is refused with the reason in words; an exit brings it back to amber.
    await scanLikeScanner(stack.page, HOLDERS[0]?.barcode ?? '');
    const refused = await nextResult(stack.page, apiScans);
    expect(refused).toMatchObject({ verdict: 'deny', reason: 'capacity_reached' });
    expect(refused.text).toContain('Venue full');
    expect((await stack.gate.value('scan', { barcode: barcodes[0], direction: 'out' })).reason).toBe(
      'exited',
    );
    await stack.page.locator(`[data-testid="inside-counter"][data-level="near"]`).waitFor();
    await stack.gate.value('updateSettings', { changes: { capacity: null } });
  });

  it('warns on the idle screen when a selected event is not today, and stops once it is deselected', async () => {
    const nextWeek = new Date(Date.now() + 7 * 24 * 3_600_000).toISOString();
    await post(
      orderDelivery({
        orderId: 80_003,
        eventId: 555_001,
        startDate: nextWeek,
        tickets: [{ barcode: 'GH-NEXT-0001' }],
      }),
    );
    await waitFor(
      async () => (await stack.gate.value('events')).events.some((event) => event.id === '555001'),
      { message: 'next week’s event known to the gate' },
    );
    expect(await stack.page.locator('[data-testid="event-window-warning"]').count()).toBe(0);

    await stack.gate.value('updateSettings', { changes: { events: [String(EVENT_ID), '555001'] } });
    await reload();
    const warning = stack.page.locator('[data-testid="event-window-warning"]');
    await warning.waitFor();
    expect(await warning.locator('li').count()).toBe(1);
    expect(await warning.locator('li[data-event-id="555001"]').getAttribute('data-state')).toBe('not_today');
    expect(await warning.innerText()).toMatch(
      /Check the selected events[\s\S]*Test API Event is not today: it is on \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d; entry opens/,
    );
    await screenshot(stack.page, 'scan-not-today');

    await stack.gate.value('updateSettings', { changes: { events: [String(EVENT_ID)] } });
    await reload();
    await stack.page.locator('.result-idle').waitFor();
    expect(await warning.count()).toBe(0);
  });
});
