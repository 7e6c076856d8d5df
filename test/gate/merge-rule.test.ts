/**
 * Issue 9, "ties", "moves" and "relay and gates disagree": one merge rule keyed by barcode, the same
 * at the relay and at every gate. Real relay process; a gate process online all along (live) and gate
 * processes started afterwards (fresh) must give the door the same answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startRelayProcess, tonight } from '../relay/support.js';
import {
  accept,
  acceptOrder,
  doorView,
  eventDelivery,
  freshGate,
  MAIN_EVENT,
  settle,
  startGate,
  type Stack,
} from './guarantee-support.js';
import type { GateProcess } from './support.js';

const SECOND_EVENT = '132219';
const stack = {} as Stack;
let live: GateProcess;
const started: GateProcess[] = [];

beforeAll(async () => {
  stack.dir = makeTempDir();
  stack.relay = await startRelayProcess({ dbPath: stack.dir.file('relay.db') });
  await accept(stack, eventDelivery({ id: Number(SECOND_EVENT), name: 'Second Night', ...tonight() }));
  live = await startGate(stack, 'Live');
  started.push(live);
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((gate) => gate.stop()));
  await stack.relay?.stop();
  stack.dir?.remove();
});

async function fresh(name: string, events = [MAIN_EVENT]): Promise<GateProcess> {
  const gate = await freshGate(stack, name, events);
  started.push(gate);
  return gate;
}

describe('ties: two snapshots with the same transactions', () => {
  it('a late retry of the sale snapshot does not undo a cancel that added no transaction', async () => {
    const sale = { orderId: 8101, tickets: [{ barcode: 'TIE-C-1' }, { barcode: 'TIE-C-2' }] };
    const transactions = [{ id: 81010 }];
    await acceptOrder(stack, { ...sale, transactions });
    await acceptOrder(stack, {
      orderId: 8101,
      tickets: [
        { barcode: 'TIE-C-1', valid: false },
        { barcode: 'TIE-C-2', valid: false },
      ],
      transactions,
    });
    await acceptOrder(stack, { ...sale, transactions });
    await settle(stack, live);
    const gate = await fresh('Fresh tie cancel');
    for (const door of [live, gate]) {
      for (const barcode of ['TIE-C-1', 'TIE-C-2']) {
        expect(await door.value('scan', { barcode })).toMatchObject({ result: 'deny', reason: 'not_valid' });
      }
    }
  });

  it('a late retry of the sale snapshot does not bring back a barcode reissued without a transaction', async () => {
    const transactions = [{ id: 82010, type: 'PURCHASE' }];
    await acceptOrder(stack, {
      orderId: 8201,
      tickets: [{ barcode: 'TIE-R-OLD' }, { barcode: 'TIE-R-KEEP' }],
      transactions,
    });
    await acceptOrder(stack, {
      orderId: 8201,
      tickets: [{ barcode: 'TIE-R-OLD', valid: false }, { barcode: 'TIE-R-KEEP' }, { barcode: 'TIE-R-NEW' }],
      transactions,
    });
    await acceptOrder(stack, {
      orderId: 8201,
      tickets: [{ barcode: 'TIE-R-OLD' }, { barcode: 'TIE-R-KEEP' }],
      transactions,
    });
    await settle(stack, live);
    const gate = await fresh('Fresh tie reissue');
    for (const door of [live, gate]) {
      expect(await door.value('scan', { barcode: 'TIE-R-OLD' })).toMatchObject({ reason: 'not_valid' });
      // Absence from one of two equal versions does not revoke by itself.
      expect((await doorView(door, 'TIE-R-NEW'))?.valid).toBe(true);
      expect((await doorView(door, 'TIE-R-KEEP'))?.valid).toBe(true);
    }
  });
});

describe('moves between events', () => {
  it("denies a moved ticket at the old event's gates, live and fresh, naming the new event", async () => {
    await acceptOrder(stack, {
      orderId: 8301,
      tickets: [{ barcode: 'MOVE-1' }],
      transactions: [{ id: 83010 }],
    });
    await settle(stack, live);
    expect((await doorView(live, 'MOVE-1'))?.valid).toBe(true);
    await acceptOrder(stack, {
      orderId: 8301,
      eventId: Number(SECOND_EVENT),
      tickets: [{ barcode: 'MOVE-1' }],
      transactions: [{ id: 83010 }, { id: 83011, type: 'EXCHANGE' }],
    });
    await settle(stack, live);
    const gate = await fresh('Fresh old event');
    for (const door of [live, gate]) {
      const result = await door.value('scan', { barcode: 'MOVE-1' });
      expect(result).toMatchObject({ result: 'deny', reason: 'wrong_event' });
      expect(result.message).toMatch(/^Ticket is for Second Night/);
    }
    const newEvent = await fresh('Fresh new event', [SECOND_EVENT]);
    expect(await newEvent.value('scan', { barcode: 'MOVE-1' })).toMatchObject({ result: 'admit' });
  });
});

describe('live and fresh gates agree', () => {
  it('on a barcode in two orders', async () => {
    await acceptOrder(stack, {
      orderId: 8401,
      tickets: [{ barcode: 'TWO-ORDERS' }],
      transactions: [{ id: 84010 }],
    });
    await acceptOrder(stack, {
      orderId: 8402,
      tickets: [{ barcode: 'TWO-ORDERS', valid: false }],
      transactions: [{ id: 84005 }],
    });
    await settle(stack, live);
    const gate = await fresh('Fresh two orders');
    // Order 8401's version is the newer one: the ticket is valid at both gates.
    expect(await doorView(live, 'TWO-ORDERS')).toEqual(await doorView(gate, 'TWO-ORDERS'));
    expect((await doorView(gate, 'TWO-ORDERS'))?.valid).toBe(true);
  });

  it('on a ticket transferred from order A to B and refunded in B, when a late A snapshot arrives', async () => {
    await acceptOrder(stack, {
      orderId: 8412,
      tickets: [{ barcode: 'TRANSFER-1' }],
      transactions: [{ id: 84120, type: 'TRANSFER' }],
    });
    await acceptOrder(stack, {
      orderId: 8412,
      tickets: [{ barcode: 'TRANSFER-1', valid: false }],
      transactions: [
        { id: 84120, type: 'TRANSFER' },
        { id: 84121, type: 'REFUND' },
      ],
    });
    await settle(stack, live);
    // Order A's snapshot from before the transfer arrives last.
    await acceptOrder(stack, {
      orderId: 8411,
      tickets: [{ barcode: 'TRANSFER-1' }],
      transactions: [{ id: 84110 }],
    });
    await settle(stack, live);
    const gate = await fresh('Fresh transfer');
    for (const door of [live, gate]) {
      expect(await doorView(door, 'TRANSFER-1')).toEqual({
        valid: false,
        cause: 'refunded',
        eventId: MAIN_EVENT,
      });
      expect(await door.value('scan', { barcode: 'TRANSFER-1' })).toMatchObject({ reason: 'not_valid' });
    }
  });
});
