/**
 * The model of the admission-guarantee property tests (issue 9): random histories of order snapshots
 * with ties, moves between events, transfers between orders, barcodes in two orders, odd fields and
 * redeliveries; the ORDER_SAVED bodies they are delivered as; and an oracle that restates the merge
 * rule over plain records, in arrival order:
 *   - a ticket's version is its snapshot's highest transaction id; the greater version wins; at the
 *     same version an invalid reading beats a valid one, then (event, order, cause) decide;
 *   - a ticket that vanished from a strictly newer snapshot of its current order is withdrawn
 *     (`reissued` when that snapshot brought a barcode new to the order, else `removed_from_order`);
 *   - a snapshot older than its order's newest holding a barcode that version did not: withdrawn at
 *     the newest version;
 *   - invalid tickets are `refunded` / `cancelled` / `reissued` by the newest transaction's type,
 *     unless already invalid in that order for a known reason;
 *   - a gate of an event holds every ticket whose state was ever in that event.
 */
import fc from 'fast-check';

export const FIRST = '132218';
export const SECOND = '132219';
export const POOL = 4;
const TYPES = ['PURCHASE', 'REFUND', 'CANCEL', 'REISSUE', 'TRANSFER'] as const;

export type Validity = true | false | null | 'true' | 'missing';

export interface SnapshotModel {
  /** Highest transaction id; 0 = no transactions. */
  txId: number;
  type: (typeof TYPES)[number];
  event: typeof FIRST | typeof SECOND;
  /** null = `tickets: null` (the order holds no tickets). */
  tickets: { slot: number; validity: Validity }[] | null;
  /** An extra ticket without a usable barcode, to be skipped. */
  oddSibling: 'none' | 'null' | 'blank';
  isStringIds: boolean;
}

export interface Run {
  orders: SnapshotModel[][];
  deliveries: [number, number][];
}

const snapshotArbitrary: fc.Arbitrary<SnapshotModel> = fc.record({
  // Few transaction ids: ties (within and across orders) are common.
  txId: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 })),
  type: fc.constantFrom(...TYPES),
  event: fc.constantFrom<typeof FIRST | typeof SECOND>(FIRST, FIRST, SECOND),
  tickets: fc.option(
    fc.uniqueArray(
      fc.record({
        slot: fc.nat(POOL - 1),
        validity: fc.constantFrom<Validity>(true, true, true, false, null, 'true', 'missing'),
      }),
      { selector: (ticket) => ticket.slot, maxLength: 3 },
    ),
    { freq: 6 },
  ),
  oddSibling: fc.constantFrom<'none' | 'null' | 'blank'>('none', 'none', 'null', 'blank'),
  isStringIds: fc.boolean(),
});

export const runArbitrary: fc.Arbitrary<Run> = fc
  .array(fc.array(snapshotArbitrary, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 })
  .chain((orders) =>
    fc.record({
      orders: fc.constant(orders),
      deliveries: fc.array(
        fc
          .nat(orders.length - 1)
          .chain((order) => fc.tuple(fc.constant(order), fc.nat((orders[order]?.length ?? 1) - 1))),
        { minLength: 1, maxLength: 8 },
      ),
    }),
  );

// ── the oracle ──────────────────────────────────────────────────────────────────────────────────

export interface Expected {
  tx: number;
  valid: boolean;
  cause: string;
  orderId: string;
  eventId: string;
}

/** Positive when `a` wins over `b` under the merge rule (content ties: the first one stands). */
function wins(a: Expected, b: Expected | undefined): boolean {
  if (!b) return true;
  if (a.tx !== b.tx) return a.tx > b.tx;
  if (a.valid !== b.valid) return !a.valid;
  for (const key of ['eventId', 'orderId', 'cause'] as const) if (a[key] !== b[key]) return a[key] > b[key];
  return false;
}

function causeOf(type: string, hasNewSibling: boolean): string {
  if (type === 'REFUND') return 'refunded';
  if (type === 'CANCEL') return 'cancelled';
  if (type === 'REISSUE' && hasNewSibling) return 'reissued';
  return 'not_valid';
}

export class Oracle {
  readonly states = new Map<string, Expected>();
  readonly everFirst = new Set<string>();
  private readonly applied = new Map<string, number>();

  deliver(orderId: string, model: SnapshotModel, barcodeOf: (slot: number) => string): void {
    const before = new Map(this.states);
    const newest = this.applied.get(orderId);
    const held = (model.tickets ?? []).map((ticket) => ({
      barcode: barcodeOf(ticket.slot),
      valid: ticket.validity === true,
    }));
    const inSnapshot = new Set(held.map((ticket) => ticket.barcode));
    const hasNewSibling = held.some((ticket) => before.get(ticket.barcode)?.orderId !== orderId);
    const claims: [string, Expected][] = [];
    for (const ticket of held) {
      const previous = before.get(ticket.barcode);
      const keepsCause =
        previous && !previous.valid && previous.orderId === orderId && previous.cause !== 'not_valid';
      let claim: Expected = {
        tx: model.txId,
        valid: ticket.valid,
        cause: ticket.valid
          ? 'sold'
          : keepsCause
            ? previous.cause
            : causeOf(model.txId === 0 ? 'NONE' : model.type, hasNewSibling),
        orderId,
        eventId: model.event,
      };
      if (
        newest !== undefined &&
        model.txId < newest &&
        (!previous || previous.tx < newest) &&
        wins(claim, previous)
      )
        claim = {
          ...claim,
          tx: newest,
          valid: false,
          cause: claim.valid ? 'removed_from_order' : claim.cause,
        };
      claims.push([ticket.barcode, claim]);
    }
    for (const [barcode, previous] of before) {
      if (previous.orderId !== orderId || inSnapshot.has(barcode) || model.txId <= previous.tx) continue;
      const cause = previous.valid ? (hasNewSibling ? 'reissued' : 'removed_from_order') : previous.cause;
      claims.push([barcode, { ...previous, tx: model.txId, valid: false, cause }]);
    }
    for (const [barcode, claim] of claims) {
      if (!wins(claim, this.states.get(barcode))) continue;
      this.states.set(barcode, claim);
      if (claim.eventId === FIRST) this.everFirst.add(barcode);
    }
    if (newest === undefined || model.txId > newest) this.applied.set(orderId, model.txId);
  }
}

/** The ORDER_SAVED delivery of one snapshot, odd fields and all. */
export function orderBody(
  orderId: string,
  model: SnapshotModel,
  barcodeOf: (slot: number) => string,
): object {
  const id = model.isStringIds ? orderId : Number(orderId);
  const items: Record<string, unknown>[] = (model.tickets ?? []).map((ticket) => {
    const barcode = barcodeOf(ticket.slot);
    const item: Record<string, unknown> = {
      id: `TK-${barcode}`,
      firstName: null,
      lastName: null,
      barcode,
      ticketType: { id: 1, name: 'GA' },
    };
    if (ticket.validity !== 'missing') item.valid = ticket.validity;
    return item;
  });
  if (model.oddSibling !== 'none')
    items.splice(items.length ? 1 : 0, 0, {
      id: 1,
      valid: true,
      barcode: model.oddSibling === 'null' ? null : '   ',
    });
  return {
    eventType: 'order-saved',
    contextId: id,
    data: {
      id,
      customer: { id: 1, email: 'fred@example.com', firstName: 'Fred', lastName: 'Durst' },
      event: { id: Number(model.event), name: model.event === FIRST ? 'First Night' : 'Second Night' },
      tickets: model.tickets === null ? null : { items },
      transactions: {
        items:
          model.txId === 0
            ? []
            : [
                {
                  id: model.isStringIds ? String(model.txId) : model.txId,
                  type: model.type,
                  status: 'SUCCESS',
                },
              ],
      },
    },
  };
}
