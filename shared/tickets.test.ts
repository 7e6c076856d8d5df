import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eventUpdateOf, mergeEvent, normaliseEvent } from './events.js';
import { parseDelivery, type MoshtixOrder } from './moshtix.js';
import {
  compareTicketStates,
  compareVersions,
  importedTicketState,
  joinTicketStates,
  mergeOrderSnapshot,
  mergeTicket,
  normaliseOrder,
  TICKET_CAUSES,
  type ImportedTicket,
  type OrderMerge,
  type TicketState,
  type Version,
} from './tickets.js';

interface TicketSpec {
  barcode: string;
  valid?: boolean;
}

function order(
  id: number,
  tickets: TicketSpec[],
  transactions: (number | { id: number; type: string })[],
  eventId = 132218,
): MoshtixOrder {
  return {
    id,
    customer: { firstName: 'Fred', lastName: 'Durst', email: 'fred@example.com' },
    event: { id: eventId, name: 'Test API Event' },
    tickets: {
      items: tickets.map((ticket) => ({
        // Stable per barcode, as Moshtix ticket ids are.
        id: `T-${ticket.barcode}`,
        barcode: ticket.barcode,
        valid: ticket.valid ?? true,
        ticketType: { id: 1, name: 'GA' },
      })),
    },
    transactions: {
      items: transactions.map((transaction) =>
        typeof transaction === 'number'
          ? { id: transaction, type: 'PURCHASE', status: 'SUCCESS' }
          : { ...transaction, status: 'SUCCESS' },
      ),
    },
  };
}

/**
 * A relay in memory: the store's three steps (load facts, merge, write) over two maps. Returns the
 * states, and the merge of each delivery.
 */
class MemoryRelay {
  readonly states = new Map<string, TicketState>();
  readonly applied = new Map<string, Version>();
  private seq = 0;

  deliver(moshtixOrder: MoshtixOrder, source: 'webhook' | 'api' = 'webhook'): OrderMerge {
    this.seq += 1;
    const snapshot = normaliseOrder(
      moshtixOrder,
      this.seq,
      `2026-01-01T00:00:${String(this.seq).padStart(2, '0')}.000Z`,
      source,
    );
    const known = new Map<string, TicketState>();
    for (const state of this.states.values())
      if (state.orderId === snapshot.orderId) known.set(state.barcode, state);
    for (const ticket of snapshot.tickets) {
      const state = this.states.get(ticket.barcode);
      if (state) known.set(ticket.barcode, state);
    }
    const merge = mergeOrderSnapshot(
      { applied: this.applied.get(snapshot.orderId) ?? null, known: [...known.values()] },
      snapshot,
    );
    for (const change of merge.changes) this.states.set(change.state.barcode, change.state);
    if (merge.orderVersion) this.applied.set(snapshot.orderId, merge.orderVersion);
    return merge;
  }

  view(barcode: string): { valid: boolean; cause: string; orderId: string } | undefined {
    const state = this.states.get(barcode);
    return state && { valid: state.valid, cause: state.cause, orderId: state.orderId };
  }
}

describe('normaliseOrder', () => {
  it('turns the seed example into one valid ticket state versioned by its highest transaction id', () => {
    const seed = parseDelivery(
      '{ "eventType": "order-saved-prepare-full-message", "contextId": 37228036, "data": {"id":37228036,"customer":{"id":6702175,"email":"test@moshtix.com","firstName":"Fred","lastName":"Durst","telephone":"0433567777"},"event":{"id":132218,"name":"Test API Event","startDate":"2023-12-31T22:30:00.000Z","endDate":"2023-12-31T23:30:00.000Z","client":null,"tags":{"items":[]}},"tickets":{"items":[{"id":29734124,"firstName":null,"lastName":null,"valid":true,"barcode":"F2D705C60392480385CD7BEF6C0A70DF","ticketType":{"id":360875,"name":"free","tags":{"items":[]}}}]},"transactions":{"items":[{"id":12894177,"type":"PURCHASE","status":"SUCCESS","ipAddress":null}]}}}',
    );
    if (!('kind' in seed) || seed.kind !== 'order') throw new Error('seed did not parse as an order');
    const snapshot = normaliseOrder(seed.order, 7, '2026-01-01T00:00:00.000Z');
    expect(snapshot.version).toEqual({ source: 'webhook', txId: 12894177, seq: 7 });
    expect(snapshot.transactionType).toBe('PURCHASE');
    expect(normaliseEvent(seed.order.event)).toMatchObject({
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

  it('uses txId 0 when the snapshot has no transactions, and the source it is given', () => {
    const snapshot = normaliseOrder(order(1, [{ barcode: 'AB12' }], []), 1, 'now', 'api');
    expect(snapshot.version).toEqual({ source: 'api', txId: 0, seq: 1 });
    expect(snapshot.transactionType).toBeNull();
  });
});

describe('events', () => {
  it('keeps venue and ticket types of a full EVENT_SAVED object', () => {
    expect(
      normaliseEvent({
        id: 5,
        name: 'Show',
        venue: { name: 'The Hall' },
        ticketTypes: { items: [{ id: 9, name: 'GA' }, 'junk'] },
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

  it('keeps the earlier values of fields an EVENT_SAVED leaves null', () => {
    const first = mergeEvent(
      null,
      eventUpdateOf({ id: 5, name: 'Show', startDate: '2026-05-01', venue: { name: 'Hall' } }),
      true,
    );
    expect(first?.info).toMatchObject({ name: 'Show', startDate: '2026-05-01', venueName: 'Hall' });
    const nulls = eventUpdateOf({ id: 5, name: null, startDate: null, venue: null, ticketTypes: null });
    expect(mergeEvent(first, nulls, true)).toBeNull();
    const renamed = mergeEvent(first, { ...nulls, name: 'Show (moved)' }, true);
    expect(renamed?.info).toMatchObject({ name: 'Show (moved)', startDate: '2026-05-01', venueName: 'Hall' });
  });

  it("never lets an order's event reference override a full EVENT_SAVED, but fills in an unknown event", () => {
    const full = mergeEvent(null, eventUpdateOf({ id: 5, name: 'Show' }), true);
    expect(mergeEvent(full, eventUpdateOf({ id: 5, name: 'Other' }), false)).toBeNull();
    const partial = mergeEvent(null, eventUpdateOf({ id: 6, name: null }), false);
    expect(partial).toEqual({ info: expect.objectContaining({ name: 'Event 6' }), isFull: false });
    expect(mergeEvent(partial, eventUpdateOf({ id: 6, name: 'Named' }), false)?.info.name).toBe('Named');
  });
});

describe('versions', () => {
  const webhook = (txId: number, seq = 1): Version => ({ source: 'webhook', txId, seq });
  it('rank plain CSV below webhooks, then by transaction id, then resolved answers above webhooks', () => {
    const plainCsv: Version = { source: 'csv', txId: 0, seq: 1_000 };
    const api: Version = { source: 'api', txId: 10, seq: 1 };
    const authoritative: Version = { source: 'csv', txId: 10, seq: 1, isAuthoritative: true };
    expect(compareVersions(plainCsv, webhook(0))).toBeLessThan(0);
    expect(compareVersions(webhook(11), webhook(10, 99))).toBeGreaterThan(0);
    // Same transactions, whatever arrived last: the same version (a tie).
    expect(compareVersions(webhook(10, 1), webhook(10, 99))).toBe(0);
    expect(compareVersions(api, webhook(10, 99))).toBeGreaterThan(0);
    expect(compareVersions(authoritative, api)).toBeGreaterThan(0);
    expect(compareVersions(webhook(11), authoritative)).toBeGreaterThan(0);
    expect(compareVersions({ ...api, seq: 2 }, api)).toBeGreaterThan(0);
    expect(compareVersions({ ...plainCsv, seq: 1_001 }, plainCsv)).toBeGreaterThan(0);
  });
});

/** Small domains, so that random states often tie on version and content. */
const stateArbitrary: fc.Arbitrary<TicketState> = fc
  .record({
    source: fc.constantFrom<Version['source']>('webhook', 'webhook', 'api', 'csv'),
    isAuthoritative: fc.boolean(),
    txId: fc.nat(3),
    seq: fc.nat(3),
    valid: fc.boolean(),
    cause: fc.constantFrom(...TICKET_CAUSES),
    eventId: fc.constantFrom('E1', 'E2'),
    orderId: fc.constantFrom('O1', 'O2'),
    holderName: fc.constantFrom(null, 'Ann', 'Bo'),
    changedAt: fc.constantFrom('t1', 't2'),
  })
  .map((fields) => ({
    barcode: 'B',
    ticketId: null,
    orderId: fields.orderId,
    eventId: fields.eventId,
    ticketTypeId: null,
    ticketTypeName: null,
    holderName: fields.holderName,
    customerName: null,
    email: null,
    valid: fields.valid,
    cause: fields.cause,
    changedAt: fields.changedAt,
    version:
      fields.source === 'csv' && fields.isAuthoritative
        ? { source: 'csv', txId: fields.txId, seq: fields.seq, isAuthoritative: true }
        : { source: fields.source, txId: fields.source === 'csv' ? 0 : fields.txId, seq: fields.seq },
  }));

describe('joinTicketStates (the merge rule of relay and gates)', () => {
  it('is commutative, associative and idempotent (property)', () => {
    fc.assert(
      fc.property(stateArbitrary, stateArbitrary, stateArbitrary, (a, b, c) => {
        expect(joinTicketStates(a, b)).toEqual(joinTicketStates(b, a));
        expect(joinTicketStates(joinTicketStates(a, b), c)).toEqual(
          joinTicketStates(a, joinTicketStates(b, c)),
        );
        expect(joinTicketStates(a, a)).toBe(a);
        // A total order: only identical states compare equal.
        if (compareTicketStates(a, b) === 0) expect(a).toEqual(b);
      }),
      { numRuns: 2_000 },
    );
  });

  it('ends in the same state whatever order and grouping a stream of states is folded in (property)', () => {
    fc.assert(
      fc.property(fc.array(stateArbitrary, { minLength: 1, maxLength: 8 }), fc.nat(), (states, seed) => {
        const fold = (list: TicketState[]) => list.reduce<TicketState | null>(joinTicketStates, null);
        const shuffled = [...states].sort(
          (a, b) => ((states.indexOf(a) * 7 + seed) % 5) - ((states.indexOf(b) * 7 + seed) % 5),
        );
        expect(fold(shuffled)).toEqual(fold(states));
        // A gate that holds the fold of a prefix and receives the rest ends where the relay is.
        const cut = seed % states.length;
        expect(fold([fold(states.slice(0, cut)) ?? states[0]!, ...states.slice(cut)])).toEqual(fold(states));
      }),
    );
  });

  it('keeps a ticket invalid when either of two states of the same version calls it invalid', () => {
    const valid = normaliseOrder(order(1, [{ barcode: 'A' }], [10]), 1, 'now').tickets[0]!;
    const invalid = { ...valid, valid: false, cause: 'cancelled', version: { ...valid.version, seq: 2 } };
    expect(joinTicketStates(invalid, valid)).toBe(invalid);
    expect(joinTicketStates(valid, invalid)).toBe(invalid);
  });

  it('reports a change that moves only the version as unpublished, keeping when the state last changed', () => {
    const first = normaliseOrder(order(1, [{ barcode: 'A' }], [10]), 1, 'then').tickets[0]!;
    const newer = normaliseOrder(order(1, [{ barcode: 'A' }], [10, 11]), 2, 'now').tickets[0]!;
    expect(mergeTicket(first, newer)).toEqual({
      state: { ...newer, changedAt: 'then' },
      previous: first,
      isPublished: false,
    });
    expect(mergeTicket(newer, first)).toBeNull();
  });
});

describe('mergeOrderSnapshot', () => {
  it('applies the first snapshot of an order in full', () => {
    const relay = new MemoryRelay();
    const merge = relay.deliver(order(1, [{ barcode: 'A' }, { barcode: 'B', valid: false }], [10]));
    expect(merge).toMatchObject({ outcome: 'applied', isTie: false });
    expect(merge.changes.every((change) => change.isPublished)).toBe(true);
    expect(relay.view('A')).toEqual({ valid: true, cause: 'sold', orderId: '1' });
    expect(relay.view('B')).toEqual({ valid: false, cause: 'not_valid', orderId: '1' });
  });

  it('ignores a stale snapshot, and calls a repeat of the same snapshot a duplicate', () => {
    const relay = new MemoryRelay();
    relay.deliver(order(1, [{ barcode: 'A' }], [10]));
    relay.deliver(order(1, [{ barcode: 'A', valid: false }], [10, { id: 11, type: 'REFUND' }]));
    expect(relay.deliver(order(1, [{ barcode: 'A' }], [10]))).toMatchObject({
      outcome: 'stale',
      changes: [],
    });
    expect(relay.view('A')).toEqual({ valid: false, cause: 'refunded', orderId: '1' });
    expect(
      relay.deliver(order(1, [{ barcode: 'A', valid: false }], [10, { id: 11, type: 'REFUND' }])),
    ).toMatchObject({ outcome: 'duplicate', changes: [], isTie: false });
  });

  it('names why a ticket became invalid from the newest transaction, read loosely', () => {
    const relay = new MemoryRelay();
    relay.deliver(order(1, [{ barcode: 'R' }, { barcode: 'C' }], [10]));
    relay.deliver(
      order(1, [{ barcode: 'R', valid: false }, { barcode: 'C' }], [10, { id: 11, type: 'PARTIAL_REFUND' }]),
    );
    relay.deliver(
      order(
        1,
        [
          { barcode: 'R', valid: false },
          { barcode: 'C', valid: false },
        ],
        [10, 11, { id: 12, type: 'Cancelled' }],
      ),
    );
    // R was refunded before the cancellation: it keeps its own reason.
    expect(relay.view('R')?.cause).toBe('refunded');
    expect(relay.view('C')?.cause).toBe('cancelled');
    relay.deliver(order(2, [{ barcode: 'X' }], [20]));
    relay.deliver(order(2, [{ barcode: 'X', valid: false }], [20, { id: 21, type: 'SOMETHING_NEW' }]));
    expect(relay.view('X')?.cause).toBe('not_valid');
  });

  it('withdraws a barcode that vanished from a strictly newer snapshot: reissued when a new one appeared', () => {
    const relay = new MemoryRelay();
    relay.deliver(order(1, [{ barcode: 'OLD' }, { barcode: 'KEEP' }, { barcode: 'GONE' }], [10]));
    relay.deliver(
      order(
        1,
        [{ barcode: 'KEEP' }, { barcode: 'GONE' }, { barcode: 'NEW' }],
        [10, { id: 11, type: 'REISSUE' }],
      ),
    );
    expect(relay.view('OLD')).toEqual({ valid: false, cause: 'reissued', orderId: '1' });
    const emptied = relay.deliver(order(1, [], [10, 11, 12]));
    expect(emptied.changes.map((change) => [change.state.barcode, change.state.cause])).toEqual(
      expect.arrayContaining([
        ['KEEP', 'removed_from_order'],
        ['GONE', 'removed_from_order'],
        ['NEW', 'removed_from_order'],
      ]),
    );
    // Dated by the snapshot that withdrew them; the already-withdrawn one is not re-published.
    expect(relay.states.get('GONE')?.changedAt).toBe('2026-01-01T00:00:03.000Z');
    expect(emptied.changes.find((change) => change.state.barcode === 'OLD')?.isPublished).toBe(false);
    expect(relay.view('OLD')?.cause).toBe('reissued');
  });

  it('calls a ticket marked invalid beside a new sibling in a REISSUE snapshot reissued', () => {
    const relay = new MemoryRelay();
    relay.deliver(order(1, [{ barcode: 'OLD' }], [10]));
    relay.deliver(
      order(1, [{ barcode: 'OLD', valid: false }, { barcode: 'NEW' }], [10, { id: 11, type: 'REISSUE' }]),
    );
    expect(relay.view('OLD')?.cause).toBe('reissued');
  });

  describe('ties (same transactions, different content)', () => {
    it('a late retry of the sale does not undo a cancel or a reissue that added no transaction', () => {
      const relay = new MemoryRelay();
      const sale = order(1, [{ barcode: 'A' }, { barcode: 'B' }], [10]);
      relay.deliver(sale);
      const cancel = relay.deliver(
        order(
          1,
          [{ barcode: 'A', valid: false }, { barcode: 'B' }, { barcode: 'C' }],
          [{ id: 10, type: 'REISSUE' }],
        ),
      );
      expect(cancel.isTie).toBe(true);
      expect(relay.view('A')).toEqual({ valid: false, cause: 'reissued', orderId: '1' });
      const retry = relay.deliver(sale);
      expect(retry).toMatchObject({ outcome: 'duplicate', changes: [], isTie: true });
      expect(relay.view('A')?.valid).toBe(false);
      // Absence from one of two equal versions does not revoke by itself.
      expect(relay.view('C')?.valid).toBe(true);
    });

    it('also when neither snapshot has a transaction (txId 0)', () => {
      const relay = new MemoryRelay();
      relay.deliver(order(1, [{ barcode: 'A' }], []));
      relay.deliver(order(1, [{ barcode: 'A', valid: false }], []));
      relay.deliver(order(1, [{ barcode: 'A' }], []));
      expect(relay.view('A')?.valid).toBe(false);
    });

    it('is not reported for a plain redelivery', () => {
      const relay = new MemoryRelay();
      relay.deliver(order(1, [{ barcode: 'A' }], [10]));
      expect(relay.deliver(order(1, [{ barcode: 'A' }], [10])).isTie).toBe(false);
    });

    it('is resolved by the Moshtix API answer, which outranks the webhooks of its transaction', () => {
      const relay = new MemoryRelay();
      relay.deliver(order(1, [{ barcode: 'A' }, { barcode: 'B' }], [10]));
      relay.deliver(order(1, [{ barcode: 'A', valid: false }, { barcode: 'B' }, { barcode: 'C' }], [10]));
      const answer = relay.deliver(order(1, [{ barcode: 'A' }, { barcode: 'C' }], [10]), 'api');
      expect(answer).toMatchObject({ outcome: 'applied', isTie: false });
      expect(relay.view('A')?.valid).toBe(true);
      expect(relay.view('B')).toEqual({ valid: false, cause: 'removed_from_order', orderId: '1' });
      expect(relay.states.get('A')?.version).toMatchObject({ source: 'api', txId: 10 });
      // A late webhook of the same transaction no longer changes anything; a newer one wins again.
      relay.deliver(order(1, [{ barcode: 'A', valid: false }], [10]));
      expect(relay.view('A')?.valid).toBe(true);
      relay.deliver(
        order(1, [{ barcode: 'A', valid: false }, { barcode: 'C' }], [10, { id: 11, type: 'REFUND' }]),
      );
      expect(relay.view('A')).toEqual({ valid: false, cause: 'refunded', orderId: '1' });
    });
  });

  describe('keyed by barcode across orders', () => {
    it('a late snapshot of the order a ticket was transferred from does not override the newer order', () => {
      const relay = new MemoryRelay();
      relay.deliver(order(2, [{ barcode: 'T' }], [{ id: 20, type: 'TRANSFER' }]));
      relay.deliver(order(2, [{ barcode: 'T', valid: false }], [20, { id: 21, type: 'REFUND' }]));
      relay.deliver(order(1, [{ barcode: 'T' }], [10]));
      expect(relay.view('T')).toEqual({ valid: false, cause: 'refunded', orderId: '2' });
      // Order 1 moving on without T says nothing about T: it is in order 2 now.
      relay.deliver(order(1, [], [10, 30]));
      expect(relay.view('T')).toEqual({ valid: false, cause: 'refunded', orderId: '2' });
    });

    it('a barcode in two orders takes the newer version', () => {
      const relay = new MemoryRelay();
      relay.deliver(order(1, [{ barcode: 'D' }], [10]));
      relay.deliver(order(2, [{ barcode: 'D', valid: false }], [5]));
      expect(relay.view('D')).toEqual({ valid: true, cause: 'sold', orderId: '1' });
      relay.deliver(order(2, [{ barcode: 'D', valid: false }], [5, { id: 12, type: 'REFUND' }]));
      expect(relay.view('D')).toEqual({ valid: false, cause: 'refunded', orderId: '2' });
    });

    it('a stale snapshot holding a barcode the newer version of its order dropped withdraws it', () => {
      const relay = new MemoryRelay();
      relay.deliver(order(1, [{ barcode: 'KEEP' }], [10, 11]));
      relay.deliver(order(1, [{ barcode: 'KEEP' }, { barcode: 'DROPPED' }], [10]));
      expect(relay.view('DROPPED')).toEqual({ valid: false, cause: 'removed_from_order', orderId: '1' });
      expect(relay.states.get('DROPPED')?.version.txId).toBe(11);
    });

    it('moves a ticket to the event of its newest state', () => {
      const relay = new MemoryRelay();
      relay.deliver(order(1, [{ barcode: 'M' }], [10], 1));
      const moved = relay.deliver(order(1, [{ barcode: 'M' }], [10, 11], 2));
      expect(moved.changes).toEqual([
        expect.objectContaining({
          state: expect.objectContaining({ eventId: '2' }),
          previous: expect.objectContaining({ eventId: '1' }),
          isPublished: true,
        }),
      ]);
    });
  });

  it('reaches the same validity whatever order the snapshots of an order arrive in (property)', () => {
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
    fc.assert(
      fc.property(fc.array(fc.nat(snapshots.length - 1), { minLength: 1, maxLength: 12 }), (indices) => {
        const relay = new MemoryRelay();
        for (const index of [...indices, snapshots.length - 1]) relay.deliver(snapshots[index]!);
        // B only reached the relay if the first snapshot was delivered; then it is withdrawn.
        expect(relay.view('A')?.valid).toBe(false);
        expect(relay.view('C')?.valid).toBe(false);
        expect(relay.view('B')?.valid ?? false).toBe(false);
      }),
    );
  });
});

describe('CSV imports', () => {
  const row = (barcode: string, valid = true): ImportedTicket => ({
    barcode,
    valid,
    orderId: null,
    ticketId: null,
    ticketTypeId: null,
    ticketTypeName: null,
    holderName: null,
    email: null,
  });
  const context = (importId: number, isAuthoritative = false) => ({
    eventId: '132218',
    importId,
    isAuthoritative,
    now: 'now',
  });

  it('a plain import never overrides a webhook state, and a later import wins over an earlier one', () => {
    const webhook = normaliseOrder(order(1, [{ barcode: 'A', valid: false }], [1]), 1, 'now').tickets[0]!;
    expect(mergeTicket(webhook, importedTicketState(row('A'), webhook, context(1_000)))).toBeNull();
    const first = importedTicketState(row('B'), null, context(1));
    expect(first).toMatchObject({ valid: true, cause: 'sold', orderId: 'csv-import-1' });
    const second = importedTicketState(row('B', false), first, context(2));
    expect(mergeTicket(first, second)?.state).toMatchObject({
      valid: false,
      cause: 'csv',
      orderId: 'csv-import-1',
    });
    expect(mergeTicket(second, importedTicketState(row('B'), second, context(1)))).toBeNull();
  });

  it('an authoritative import revokes what webhooks called valid, until a newer transaction', () => {
    const relay = new MemoryRelay();
    relay.deliver(order(1, [{ barcode: 'A' }], [10]));
    const known = relay.states.get('A')!;
    const revoked = mergeTicket(known, importedTicketState(row('A', false), known, context(1, true)));
    expect(revoked?.state).toMatchObject({
      valid: false,
      cause: 'csv',
      orderId: '1',
      version: { source: 'csv', txId: 10, isAuthoritative: true },
    });
    relay.states.set('A', revoked!.state);
    relay.deliver(order(1, [{ barcode: 'A' }], [10]));
    expect(relay.view('A')?.valid).toBe(false);
    relay.deliver(order(1, [{ barcode: 'A' }], [10, 11]));
    expect(relay.view('A')?.valid).toBe(true);
  });
});
