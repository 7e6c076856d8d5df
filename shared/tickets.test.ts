import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDelivery, type MoshtixOrder } from './moshtix.js';
import {
  compareVersions,
  mergeImportedTicket,
  mergeOrderSnapshot,
  normaliseEvent,
  normaliseOrder,
  shouldApplyTicket,
  type TicketState,
  type Version,
} from './tickets.js';

function order(id: number, tickets: { barcode: string; valid?: boolean }[], txIds: number[]): MoshtixOrder {
  return {
    id,
    customer: { firstName: 'Fred', lastName: 'Durst', email: 'fred@example.com' },
    event: { id: 132218, name: 'Test API Event' },
    tickets: {
      items: tickets.map((ticket, index) => ({
        id: id * 10 + index,
        barcode: ticket.barcode,
        valid: ticket.valid ?? true,
        ticketType: { id: 1, name: 'GA' },
      })),
    },
    transactions: { items: txIds.map((txId) => ({ id: txId, type: 'PURCHASE', status: 'SUCCESS' })) },
  };
}

/** Applies snapshots in the given order the way the relay does, returning the final states. */
function applyAll(snapshots: { order: MoshtixOrder; seq: number }[]): Map<string, TicketState> {
  const states = new Map<string, TicketState>();
  let applied: Version | null = null;
  for (const { order: snapshotOrder, seq } of snapshots) {
    const snapshot = normaliseOrder(
      snapshotOrder,
      seq,
      `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`,
    );
    const result = mergeOrderSnapshot([...states.values()], applied, snapshot);
    if (!result.isApplied) continue;
    applied = snapshot.version;
    for (const state of result.changed) states.set(state.barcode, state);
  }
  return states;
}

describe('normaliseOrder', () => {
  it('turns the seed example into one valid ticket state versioned by its highest transaction id', () => {
    const seed = parseDelivery(
      '{ "eventType": "order-saved-prepare-full-message", "contextId": 37228036, "data": {"id":37228036,"customer":{"id":6702175,"email":"test@moshtix.com","firstName":"Fred","lastName":"Durst","telephone":"0433567777"},"event":{"id":132218,"name":"Test API Event","startDate":"2023-12-31T22:30:00.000Z","endDate":"2023-12-31T23:30:00.000Z","client":null,"tags":{"items":[]}},"tickets":{"items":[{"id":29734124,"firstName":null,"lastName":null,"valid":true,"barcode":"F2D705C60392480385CD7BEF6C0A70DF","ticketType":{"id":360875,"name":"free","tags":{"items":[]}}}]},"transactions":{"items":[{"id":12894177,"type":"PURCHASE","status":"SUCCESS","ipAddress":null}]}}}',
    );
    if (!('kind' in seed) || seed.kind !== 'order') throw new Error('seed did not parse as an order');
    const snapshot = normaliseOrder(seed.order, 7, '2026-01-01T00:00:00.000Z');
    expect(snapshot.version).toEqual({ source: 'webhook', txId: 12894177, seq: 7 });
    expect(snapshot.event).toMatchObject({
      id: '132218',
      name: 'Test API Event',
      venueName: null,
      ticketTypes: [],
    });
    expect(snapshot.tickets).toEqual([
      expect.objectContaining({
        barcode: 'F2D705C60392480385CD7BEF6C0A70DF',
        ticketId: '29734124',
        orderId: '37228036',
        eventId: '132218',
        valid: true,
        cause: 'sold',
        holderName: 'Fred Durst',
        customerName: 'Fred Durst',
        email: 'test@moshtix.com',
        ticketTypeId: '360875',
        ticketTypeName: 'free',
      }),
    ]);
  });

  it('uses txId 0 when the snapshot has no transactions, and trims barcodes', () => {
    const snapshot = normaliseOrder(
      { ...order(1, [{ barcode: '  AB12 ' }], []), transactions: null },
      1,
      'now',
    );
    expect(snapshot.version.txId).toBe(0);
    expect(snapshot.tickets[0]?.barcode).toBe('AB12');
  });
});

describe('normaliseEvent', () => {
  it('keeps venue and ticket types of a full EVENT_SAVED object', () => {
    expect(
      normaliseEvent({
        id: 5,
        name: 'Show',
        venue: { name: 'The Hall' },
        ticketTypes: { items: [{ id: 9, name: 'GA' }] },
      }),
    ).toEqual({
      id: '5',
      name: 'Show',
      startDate: null,
      endDate: null,
      venueName: 'The Hall',
      ticketTypes: [{ id: '9', name: 'GA' }],
    });
  });
});

describe('mergeOrderSnapshot', () => {
  it('applies the first snapshot of an order in full', () => {
    const snapshot = normaliseOrder(order(1, [{ barcode: 'A' }, { barcode: 'B' }], [10]), 1, 'now');
    expect(mergeOrderSnapshot([], null, snapshot)).toEqual({ isApplied: true, changed: snapshot.tickets });
  });

  it('ignores a snapshot with a lower transaction id than the applied one (stale)', () => {
    const newer = normaliseOrder(order(1, [{ barcode: 'A', valid: false }], [10, 11]), 1, 'now');
    const older = normaliseOrder(order(1, [{ barcode: 'A', valid: true }], [10]), 2, 'later');
    expect(mergeOrderSnapshot(newer.tickets, newer.version, older)).toEqual({
      isApplied: false,
      changed: [],
    });
  });

  it('with equal transaction ids, lets the later relay sequence win', () => {
    const first = normaliseOrder(order(1, [{ barcode: 'A', valid: true }], [10]), 1, 'now');
    const second = normaliseOrder(order(1, [{ barcode: 'A', valid: false }], [10]), 2, 'later');
    const result = mergeOrderSnapshot(first.tickets, first.version, second);
    expect(result.isApplied).toBe(true);
    expect(result.changed).toEqual([expect.objectContaining({ barcode: 'A', valid: false })]);
  });

  it('applies a duplicate (newer seq, same content) without changing any ticket', () => {
    const first = normaliseOrder(order(1, [{ barcode: 'A' }], [10]), 1, 'now');
    const again = normaliseOrder(order(1, [{ barcode: 'A' }], [10]), 2, 'later');
    expect(mergeOrderSnapshot(first.tickets, first.version, again)).toEqual({ isApplied: true, changed: [] });
  });

  it('withdraws a ticket that vanishes from a newer snapshot (reissue)', () => {
    const first = normaliseOrder(order(1, [{ barcode: 'OLD' }, { barcode: 'KEEP' }], [10]), 1, 'now');
    const reissue = normaliseOrder(order(1, [{ barcode: 'KEEP' }, { barcode: 'NEW' }], [10, 11]), 2, 'later');
    const result = mergeOrderSnapshot(first.tickets, first.version, reissue);
    expect(result.changed.map((state) => [state.barcode, state.valid, state.cause])).toEqual([
      ['NEW', true, 'sold'],
      ['OLD', false, 'removed_from_order'],
    ]);
    expect(result.changed.find((state) => state.barcode === 'OLD')?.version).toEqual(reissue.version);
  });

  it('dates a withdrawal by the snapshot that withdrew it, even when that snapshot has no tickets left', () => {
    const first = normaliseOrder(order(1, [{ barcode: 'GONE' }], [10]), 1, '2026-01-01T10:00:00.000Z');
    const emptied = normaliseOrder(order(1, [], [10, 12]), 2, '2026-01-01T11:00:00.000Z');
    const result = mergeOrderSnapshot(first.tickets, first.version, emptied);
    expect(result.changed).toEqual([
      expect.objectContaining({
        barcode: 'GONE',
        valid: false,
        cause: 'removed_from_order',
        changedAt: '2026-01-01T11:00:00.000Z',
      }),
    ]);
  });

  it('reaches the same final state whatever order the snapshots of an order arrive in (property)', () => {
    const snapshots = [
      order(1, [{ barcode: 'A' }, { barcode: 'B' }], [10]),
      order(1, [{ barcode: 'A' }, { barcode: 'C' }], [10, 11]),
      order(1, [{ barcode: 'A', valid: false }, { barcode: 'C' }], [10, 11, 12]),
      order(
        1,
        [
          { barcode: 'A', valid: false },
          { barcode: 'C', valid: false },
        ],
        [10, 11, 12, 13],
      ),
    ];
    const inOrder = applyAll(
      snapshots.map((snapshotOrder, index) => ({ order: snapshotOrder, seq: index + 1 })),
    );
    const summary = (states: Map<string, TicketState>) =>
      Object.fromEntries([...states.values()].map((state) => [state.barcode, state.valid]));
    expect(summary(inOrder)).toEqual({ A: false, B: false, C: false });
    fc.assert(
      fc.property(fc.array(fc.nat(snapshots.length - 1), { minLength: 1, maxLength: 12 }), (indices) => {
        // Any arrival order with duplicates, as long as the newest snapshot arrives at some point.
        const arrival = [...indices, snapshots.length - 1].map((index, position) => ({
          order: snapshots[index] ?? snapshots[0]!,
          seq: position + 1,
        }));
        const final = applyAll(arrival);
        // Barcodes only seen in snapshots that were never delivered are simply unknown.
        for (const [barcode, isValid] of Object.entries(summary(final)))
          expect(isValid).toBe(summary(inOrder)[barcode]);
        expect(final.get('C')?.valid).toBe(false);
        expect(final.get('A')?.valid).toBe(false);
      }),
    );
  });
});

describe('imported (CSV) states', () => {
  const imported = (barcode: string, seq: number, valid = true): TicketState => ({
    barcode,
    ticketId: null,
    orderId: 'csv',
    eventId: '1',
    ticketTypeId: null,
    ticketTypeName: null,
    holderName: null,
    customerName: null,
    email: null,
    valid,
    cause: 'imported',
    changedAt: 'now',
    version: { source: 'csv', txId: 0, seq },
  });

  it('never override a webhook state, however late they come', () => {
    const webhook = normaliseOrder(order(1, [{ barcode: 'A', valid: false }], [1]), 1, 'now').tickets[0]!;
    expect(mergeImportedTicket(webhook, imported('A', 1000))).toBeNull();
    expect(compareVersions(imported('A', 1000).version, webhook.version)).toBeLessThan(0);
  });

  it('are stored when new, and a later import wins over an earlier one', () => {
    expect(mergeImportedTicket(undefined, imported('A', 1))).toEqual(imported('A', 1));
    expect(mergeImportedTicket(imported('A', 1), imported('A', 2, false))).toEqual(imported('A', 2, false));
    expect(mergeImportedTicket(imported('A', 2), imported('A', 1, false))).toBeNull();
    expect(mergeImportedTicket(imported('A', 1), imported('A', 2))).toBeNull();
  });

  it('are replaced by any webhook snapshot of the barcode', () => {
    const snapshot = normaliseOrder(order(1, [{ barcode: 'A', valid: false }], [1]), 5, 'now');
    const result = mergeOrderSnapshot([{ ...imported('A', 9), orderId: '1' }], null, snapshot);
    expect(result.changed).toEqual([
      expect.objectContaining({ barcode: 'A', valid: false, version: snapshot.version }),
    ]);
  });
});

describe('shouldApplyTicket (gate side)', () => {
  it('applies equal or newer versions and refuses older ones', () => {
    const version: Version = { source: 'webhook', txId: 10, seq: 5 };
    expect(shouldApplyTicket(undefined, version)).toBe(true);
    expect(shouldApplyTicket(version, version)).toBe(true);
    expect(shouldApplyTicket(version, { ...version, seq: 6 })).toBe(true);
    expect(shouldApplyTicket(version, { ...version, txId: 9, seq: 99 })).toBe(false);
    expect(shouldApplyTicket(version, { source: 'csv', txId: 99, seq: 99 })).toBe(false);
  });
});
