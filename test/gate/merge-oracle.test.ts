/**
 * The shared merge rule against the oracle, pure and fast (thousands of histories): deliveries are
 * read and merged exactly as the relay store does (load facts → mergeOrderSnapshot → write), the
 * states it publishes are folded by a "live gate" with the gates' own join, and a "fresh gate" takes
 * the final states of the tickets ever in its event. Both must equal the oracle. The multi-process
 * version of this property (property.test.ts) runs the real relay and gates on fewer histories.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDelivery } from '../../shared/moshtix.js';
import {
  joinTicketStates,
  mergeOrderSnapshot,
  normaliseOrder,
  type TicketState,
  type Version,
} from '../../shared/tickets.js';
import { FIRST, Oracle, orderBody, POOL, runArbitrary } from './merge-oracle.js';

class MemoryRelay {
  readonly states = new Map<string, TicketState>();
  /** Events each barcode moved away from (the relay's ticket_moves). */
  readonly moves = new Map<string, Set<string>>();
  readonly applied = new Map<string, Version>();
  /** What a gate of the first event receives, in log order. */
  readonly firstEventLog: TicketState[] = [];
  private seq = 0;

  deliver(body: object): void {
    this.seq += 1;
    const parsed = parseDelivery(JSON.stringify(body));
    if (!('kind' in parsed) || parsed.kind !== 'order')
      throw new Error(`not an order: ${JSON.stringify(parsed)}`);
    const snapshot = normaliseOrder(parsed.order, this.seq, `t${this.seq}`);
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
    for (const { state, previous, isPublished } of merge.changes) {
      this.states.set(state.barcode, state);
      if (!isPublished) continue;
      const moved = this.moves.get(state.barcode) ?? new Set();
      if (previous && previous.eventId !== state.eventId) moved.add(previous.eventId);
      this.moves.set(state.barcode, moved);
      if (state.eventId === FIRST || moved.has(FIRST)) this.firstEventLog.push(state);
    }
    if (merge.orderVersion) this.applied.set(snapshot.orderId, merge.orderVersion);
  }

  /** What a gate of the first event gets in a snapshot now. */
  firstEventSnapshot(): TicketState[] {
    return [...this.states.values()].filter(
      (state) => state.eventId === FIRST || this.moves.get(state.barcode)?.has(FIRST),
    );
  }
}

const door = (state: TicketState | undefined) =>
  state ? { valid: state.valid, cause: state.cause, orderId: state.orderId, eventId: state.eventId } : null;

describe('the shared merge rule', () => {
  it('matches the oracle at a live gate and at a freshly synced one (property)', () => {
    fc.assert(
      fc.property(runArbitrary, ({ orders, deliveries }) => {
        const relay = new MemoryRelay();
        const oracle = new Oracle();
        const barcodeOf = (slot: number) => `P-${slot}`;
        for (const [order, version] of deliveries) {
          const model = orders[order]?.[version];
          if (!model) continue;
          relay.deliver(orderBody(String(100 + order), model, barcodeOf));
          oracle.deliver(String(100 + order), model, barcodeOf);
        }
        const live = new Map<string, TicketState>();
        for (const state of relay.firstEventLog)
          live.set(state.barcode, joinTicketStates(live.get(state.barcode), state));
        const fresh = new Map(relay.firstEventSnapshot().map((state) => [state.barcode, state]));
        for (let slot = 0; slot < POOL; slot += 1) {
          const barcode = barcodeOf(slot);
          const expected = oracle.everFirst.has(barcode) ? door(oracle.states.get(barcode) as never) : null;
          const expectedDoor = expected && {
            valid: expected.valid,
            cause: expected.cause,
            orderId: expected.orderId,
            eventId: expected.eventId,
          };
          expect({ barcode, live: door(live.get(barcode)) }).toEqual({ barcode, live: expectedDoor });
          expect({ barcode, fresh: door(fresh.get(barcode)) }).toEqual({ barcode, fresh: expectedDoor });
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
