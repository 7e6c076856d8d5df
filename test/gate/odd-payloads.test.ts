/**
 * Issue 9, "poison entry" and "odd fields quarantine whole orders": odd-but-real Moshtix payloads
 * posted to a real relay process, checked at a gate process that was online all along (live) and at
 * one started afterwards (fresh, synced by snapshot). One odd ticket never costs its siblings, and a
 * change delivered with odd fields still takes effect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getJson,
  makeTempDir,
  orderDelivery,
  postDelivery,
  startRelayProcess,
  waitFor,
} from '../relay/support.js';
import {
  accept,
  doorView,
  eventDelivery,
  freshGate,
  orderData,
  settle,
  startGate,
  ticketsOf,
  type Stack,
} from './guarantee-support.js';
import { ticketOf, type GateProcess } from './support.js';

const stack = {} as Stack;
let live: GateProcess;
const started: GateProcess[] = [];

beforeAll(async () => {
  stack.dir = makeTempDir();
  stack.relay = await startRelayProcess({ dbPath: stack.dir.file('relay.db') });
  live = await startGate(stack, 'Live');
  started.push(live);
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((gate) => gate.stop()));
  await stack.relay?.stop();
  stack.dir?.remove();
});

async function fresh(name: string, extra: string[] = []): Promise<GateProcess> {
  const gate = await freshGate(stack, name, undefined, extra);
  started.push(gate);
  return gate;
}

describe('odd payloads at real gates', () => {
  it('skips a ticket whose barcode is only spaces: live and fresh gates admit its siblings', async () => {
    await accept(
      stack,
      orderDelivery({
        orderId: 7101,
        tickets: [{ barcode: 'POISON-GOOD-1' }, { barcode: '   ' }, { barcode: 'POISON-GOOD-2' }],
        transactions: [{ id: 71010 }],
      }),
    );
    await settle(stack, live);
    const good = ['POISON-GOOD-1', 'POISON-GOOD-2'];
    for (const barcode of good) {
      expect(await live.value('scan', { barcode })).toMatchObject({ result: 'admit', reason: 'admitted' });
      expect(await live.value('scan', { barcode, direction: 'out' })).toMatchObject({ result: 'admit' });
    }
    // Before the fix the snapshot read refused the stored "" barcode: a new gate looped on
    // "internal error" with 0 tickets. Both tickets went in and out at the live gate, so a gate that
    // re-admits after exit admits them again once it has heard of the exits.
    const gate = await fresh('Fresh poison', ['--reentry', 'after_exit']);
    for (const barcode of good) {
      await waitFor(
        async () => (await ticketOf(gate, barcode))?.history.some((scan) => scan.direction === 'out'),
        { message: `the live gate's exit of ${barcode} at the fresh gate` },
      );
      expect(await gate.value('scan', { barcode })).toMatchObject({ result: 'admit', reason: 'readmitted' });
    }
    expect(await getJson(`${stack.relay.url}/healthz`)).toMatchObject({ skippedTickets: 1 });
    const metrics = await (await fetch(`${stack.relay.url}/metrics`)).text();
    expect(metrics).toContain('gatehouse_skipped_tickets 1');
  });

  it('applies the siblings of a ticket with barcode null, and reads string transaction ids', async () => {
    const body = orderDelivery({
      orderId: 7201,
      tickets: [{ barcode: 'NULLBC-1' }, { barcode: 'placeholder' }, { barcode: 'NULLBC-2' }],
    });
    const odd = ticketsOf(body)[1];
    if (odd) odd.barcode = null;
    orderData(body).transactions = { items: [{ id: '72010', type: 'PURCHASE', status: 'SUCCESS' }] };
    await accept(stack, body);
    await settle(stack, live);
    expect(await live.value('scan', { barcode: 'NULLBC-1' })).toMatchObject({ result: 'admit' });
    const gate = await fresh('Fresh null barcode');
    expect(await gate.value('scan', { barcode: 'NULLBC-2' })).toMatchObject({ result: 'admit' });
  });

  it('revokes a ticket refunded with valid: null and a string transaction id, at live and fresh gates', async () => {
    await accept(
      stack,
      orderDelivery({
        orderId: 7301,
        tickets: [{ barcode: 'REFUND-NULL-1' }, { barcode: 'REFUND-NULL-2' }],
        transactions: [{ id: 73010 }],
      }),
    );
    const refund = orderDelivery({
      orderId: 7301,
      tickets: [{ barcode: 'REFUND-NULL-1' }, { barcode: 'REFUND-NULL-2' }],
    });
    const refunded = ticketsOf(refund)[0];
    if (refunded) refunded.valid = null;
    orderData(refund).transactions = {
      items: [
        { id: 73010, type: 'PURCHASE', status: 'SUCCESS' },
        { id: '73011', type: 'REFUND', status: 'SUCCESS' },
      ],
    };
    await accept(stack, refund);
    await settle(stack, live);
    const gate = await fresh('Fresh refund');
    for (const door of [live, gate]) {
      expect(await doorView(door, 'REFUND-NULL-1')).toEqual({
        valid: false,
        cause: 'refunded',
        eventId: '132218',
      });
      expect(await door.value('scan', { barcode: 'REFUND-NULL-1' })).toMatchObject({
        result: 'deny',
        reason: 'not_valid',
      });
      expect((await doorView(door, 'REFUND-NULL-2'))?.valid).toBe(true);
    }
  });

  it('reads tickets: null on a newer version as "the order holds no tickets"', async () => {
    await accept(
      stack,
      orderDelivery({ orderId: 7401, tickets: [{ barcode: 'EMPTIED-1' }], transactions: [{ id: 74010 }] }),
    );
    const emptied = orderDelivery({
      orderId: 7401,
      tickets: [],
      transactions: [{ id: 74010 }, { id: 74011, type: 'CANCEL' }],
    });
    orderData(emptied).tickets = null;
    await accept(stack, emptied);
    await settle(stack, live);
    const gate = await fresh('Fresh emptied');
    for (const door of [live, gate]) {
      expect(await doorView(door, 'EMPTIED-1')).toMatchObject({ valid: false });
      expect(await door.value('scan', { barcode: 'EMPTIED-1' })).toMatchObject({ reason: 'not_valid' });
    }
  });

  it('keeps the earlier name and dates when an EVENT_SAVED carries nulls', async () => {
    await accept(
      stack,
      eventDelivery({
        id: 132230,
        name: 'Night One',
        startDate: '2026-05-01T09:00:00.000Z',
        endDate: '2026-05-01T13:00:00.000Z',
        venue: { name: 'The Hall' },
      }),
    );
    const answer = await postDelivery(
      stack.relay.url,
      eventDelivery({ id: 132230, name: null, startDate: null, endDate: null, venue: null }),
    );
    expect({ status: answer.status, body: answer.json }).toMatchObject({
      status: 200,
      body: { status: 'accepted' },
    });
    await settle(stack, live);
    const { events } = await live.value('events');
    expect(events.find((event) => event.id === '132230')).toMatchObject({
      name: 'Night One',
      startDate: '2026-05-01T09:00:00.000Z',
      venueName: 'The Hall',
    });
  });
});
