/**
 * What can happen to an order, as pure steps: each step takes the current version of an order and
 * returns the next version (with one more transaction, so its highest transaction id grows), or
 * null when the step has nothing to act on (e.g. refunding an order with no valid ticket left).
 */
import type { Random } from './random.js';
import type { SimCustomer, SimEvent, SimOrder, SimTicket } from './moshtix-objects.js';

export type StepKind = 'sale' | 'refund' | 'reissue' | 'cancel';
export const STEP_TRANSACTION_TYPE: Record<StepKind, string> = {
  sale: 'PURCHASE',
  refund: 'REFUND',
  reissue: 'REISSUE',
  cancel: 'CANCEL',
};

/** Allocates the ids Moshtix would: every counter only grows. */
export interface IdSource {
  nextTicketId(): number;
  nextTransactionId(): number;
  nextBarcode(): string;
}

export function createIdSource(random: Random, firstTicketId: number, firstTransactionId: number): IdSource {
  let ticketId = firstTicketId;
  let transactionId = firstTransactionId;
  const barcodes = new Set<string>();
  return {
    nextTicketId: () => ticketId++,
    nextTransactionId: () => transactionId++,
    nextBarcode: () => {
      // 128 random bits: a clash is practically impossible, but a repeat would corrupt the oracle.
      for (;;) {
        const barcode = random.hex(32);
        if (!barcodes.has(barcode)) {
          barcodes.add(barcode);
          return barcode;
        }
      }
    },
  };
}

const FIRST_NAMES = [
  'Fred',
  'Ava',
  'Noah',
  'Mia',
  'Liam',
  'Zoe',
  'Oscar',
  'Isla',
  'Jack',
  'Ruby',
  'Leo',
  'Chloe',
];
const LAST_NAMES = [
  'Durst',
  'Nguyen',
  'Smith',
  'Patel',
  'Kelly',
  'Brown',
  'Wilson',
  'Chen',
  'Taylor',
  'Murphy',
];
const TICKETS_PER_ORDER = [1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4] as const;

export interface SaleContext {
  random: Random;
  ids: IdSource;
  event: SimEvent;
  orderId: number;
  createdDate: string;
}

function ipAddress(random: Random): string {
  return `203.0.113.${random.int(1, 254)}`;
}

function transaction(
  context: { random: Random; ids: IdSource },
  kind: StepKind,
): SimOrder['transactions'][number] {
  return {
    id: context.ids.nextTransactionId(),
    type: STEP_TRANSACTION_TYPE[kind],
    status: 'SUCCESS',
    ipAddress: ipAddress(context.random),
  };
}

export function sell(context: SaleContext): SimOrder {
  const { random, ids, event } = context;
  const firstName = random.pick(FIRST_NAMES);
  const lastName = random.pick(LAST_NAMES);
  const customer: SimCustomer = {
    id: 6_000_000 + random.int(0, 999_999),
    email: `${firstName}.${lastName}.${context.orderId}@example.com`.toLowerCase(),
    firstName,
    lastName,
    telephone: `04${String(random.int(0, 99_999_999)).padStart(8, '0')}`,
  };
  const count = random.pick(TICKETS_PER_ORDER);
  const ticketType = random.pick(event.ticketTypes);
  const tickets: SimTicket[] = [];
  for (let index = 0; index < count; index += 1) {
    const isNamed = random.chance(0.3);
    tickets.push({
      id: ids.nextTicketId(),
      barcode: ids.nextBarcode(),
      valid: true,
      firstName: isNamed ? random.pick(FIRST_NAMES) : null,
      lastName: isNamed ? random.pick(LAST_NAMES) : null,
      ticketType,
    });
  }
  return {
    id: context.orderId,
    createdDate: context.createdDate,
    channel: random.chance(0.9) ? 'ONLINE' : 'BOX_OFFICE',
    customer,
    tickets,
    transactions: [transaction(context, 'sale')],
  };
}

type ChangeContext = { random: Random; ids: IdSource };

/** A refund makes one ticket (or, half the time, every valid ticket) invalid. */
export function refund(order: SimOrder, context: ChangeContext): SimOrder | null {
  const valid = order.tickets.filter((ticket) => ticket.valid);
  if (valid.length === 0) return null;
  const chosen = valid.length > 1 && context.random.chance(0.5) ? [context.random.pick(valid)] : valid;
  const refunded = new Set(chosen.map((ticket) => ticket.barcode));
  return {
    ...order,
    tickets: order.tickets.map((ticket) =>
      refunded.has(ticket.barcode) ? { ...ticket, valid: false } : ticket,
    ),
    transactions: [...order.transactions, transaction(context, 'refund')],
  };
}

/**
 * A reissue replaces one valid ticket by a new one with a new barcode. The old ticket disappears
 * from the snapshot (mostly) or stays in it marked invalid: both are seen from ticketing platforms.
 */
export function reissue(order: SimOrder, context: ChangeContext): SimOrder | null {
  const valid = order.tickets.filter((ticket) => ticket.valid);
  if (valid.length === 0) return null;
  const old = context.random.pick(valid);
  const replacement: SimTicket = {
    ...old,
    id: context.ids.nextTicketId(),
    barcode: context.ids.nextBarcode(),
  };
  const isOldKept = context.random.chance(0.3);
  const tickets = order.tickets.flatMap((ticket) => {
    if (ticket.barcode !== old.barcode) return [ticket];
    return isOldKept ? [{ ...ticket, valid: false }, replacement] : [replacement];
  });
  return { ...order, tickets, transactions: [...order.transactions, transaction(context, 'reissue')] };
}

/** A cancellation voids the whole order. */
export function cancel(order: SimOrder, context: ChangeContext): SimOrder | null {
  if (!order.tickets.some((ticket) => ticket.valid)) return null;
  return {
    ...order,
    tickets: order.tickets.map((ticket) => ({ ...ticket, valid: false })),
    transactions: [...order.transactions, transaction(context, 'cancel')],
  };
}

export function applyChange(
  kind: Exclude<StepKind, 'sale'>,
  order: SimOrder,
  context: ChangeContext,
): SimOrder | null {
  switch (kind) {
    case 'refund':
      return refund(order, context);
    case 'reissue':
      return reissue(order, context);
    case 'cancel':
      return cancel(order, context);
    default: {
      const never: never = kind;
      throw new Error(`unknown step ${String(never)}`);
    }
  }
}
