/**
 * Ticket state: the one thing gates act on. An order snapshot is normalised into the states of its
 * tickets, and the merge rule of DESIGN.md decides which state is newest:
 *   - any webhook state outranks any CSV-imported state;
 *   - between webhook states, the higher order transaction id wins; equal ids → higher relay seq;
 *   - a ticket missing from a newer snapshot of its order is no longer admissible.
 * Pure functions, shared by relay and gate.
 */
import { z } from 'zod';
import { isCancelledMark, tagNames } from './event-marks.js';
import { moshtixEventSchema, type MoshtixEvent, type MoshtixOrder } from './moshtix.js';

export const versionSchema = z.object({
  source: z.enum(['webhook', 'csv']),
  /** Highest transaction id of the order snapshot this state came from (0 when unknown). */
  txId: z.number().int(),
  /** Relay sequence number of the delivery or import this state came from. */
  seq: z.number().int().nonnegative(),
});
export type Version = z.infer<typeof versionSchema>;

export const ticketStateSchema = z.object({
  barcode: z.string().min(1),
  ticketId: z.string().nullable(),
  orderId: z.string(),
  eventId: z.string(),
  ticketTypeId: z.string().nullable(),
  ticketTypeName: z.string().nullable(),
  holderName: z.string().nullable(),
  customerName: z.string().nullable(),
  email: z.string().nullable(),
  valid: z.boolean(),
  /** Why the state is what it is, for staff: `sold`, `not_valid`, `removed_from_order`, `imported`. */
  cause: z.string(),
  /** When the order last changed, as far as we know (ISO-8601). */
  changedAt: z.string(),
  version: versionSchema,
  /** Tags of the ticket's type (door attention flags match them); absent when none. */
  ticketTypeTags: z.array(z.string()).optional(),
});
export type TicketState = z.infer<typeof ticketStateSchema>;

export const eventInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  venueName: z.string().nullable(),
  ticketTypes: z.array(
    z.object({ id: z.string(), name: z.string().nullable(), tags: z.array(z.string()).optional() }),
  ),
  /** The event's tags (door attention flags match them); absent when none. */
  tags: z.array(z.string()).optional(),
  /** Set by an EVENT_SAVED that marks the event cancelled; a later one without the mark lifts it. */
  isCancelled: z.boolean().optional(),
});
export type EventInfo = z.infer<typeof eventInfoSchema>;

export interface OrderSnapshot {
  orderId: string;
  eventId: string;
  event: EventInfo;
  version: Version;
  tickets: TicketState[];
  /** When the snapshot arrived; dates the withdrawal of tickets that vanished from it. */
  receivedAt?: string;
}

const SOURCE_RANK: Record<Version['source'], number> = { csv: 0, webhook: 1 };

/** Positive when `a` is newer than `b`, negative when older, 0 when the same version. */
export function compareVersions(a: Version, b: Version): number {
  const bySource = SOURCE_RANK[a.source] - SOURCE_RANK[b.source];
  if (bySource !== 0) return bySource;
  if (a.txId !== b.txId) return a.txId - b.txId;
  return a.seq - b.seq;
}

function joinName(first: string | null | undefined, last: string | null | undefined): string | null {
  const name = [first, last].filter((part) => part && part.trim() !== '').join(' ');
  return name === '' ? null : name;
}

function idString(value: string | number | null | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

// Built once: zod compiles each new schema on first use, which costs far more than the parse itself.
const eventExtrasSchema = moshtixEventSchema.pick({ venue: true, ticketTypes: true });

export function normaliseEvent(event: MoshtixEvent | MoshtixOrder['event']): EventInfo {
  // An order's event reference is a subset of the full event: the extra fields are simply absent.
  const extras = eventExtrasSchema.safeParse(event);
  const types = extras.success ? extras.data.ticketTypes?.items : undefined;
  const venue = extras.success ? extras.data.venue : undefined;
  // Tags and the cancelled mark only appear when present, so unmarked events keep their old shape.
  const tags = tagNames(event.tags);
  return {
    id: String(event.id),
    name: event.name ?? `Event ${event.id}`,
    startDate: event.startDate ?? null,
    endDate: event.endDate ?? null,
    venueName: venue?.name ?? null,
    ticketTypes: (types ?? []).map((type) => {
      const typeTags = tagNames(type.tags);
      return { id: String(type.id), name: type.name ?? null, ...(typeTags.length ? { tags: typeTags } : {}) };
    }),
    ...(tags.length ? { tags } : {}),
    ...(isCancelledMark(event) ? { isCancelled: true } : {}),
  };
}

/** `{ticketTypeTags}` when the type has tags; nothing otherwise, so untagged states keep their shape. */
function ticketTypeTagsOf(tags: unknown): Pick<TicketState, 'ticketTypeTags'> {
  const names = tagNames(tags);
  return names.length ? { ticketTypeTags: names } : {};
}

/** Turns a full ORDER_SAVED snapshot into ticket states carrying the snapshot's version. */
export function normaliseOrder(order: MoshtixOrder, seq: number, receivedAt: string): OrderSnapshot {
  const txIds = (order.transactions?.items ?? []).map((tx) => tx.id);
  const version: Version = { source: 'webhook', txId: txIds.length ? Math.max(...txIds) : 0, seq };
  const orderId = String(order.id);
  const eventId = String(order.event.id);
  const customerName = joinName(order.customer?.firstName, order.customer?.lastName);
  const tickets = order.tickets.items.map((ticket): TicketState => ({
    barcode: ticket.barcode.trim(),
    ticketId: idString(ticket.id),
    orderId,
    eventId,
    ticketTypeId: idString(ticket.ticketType?.id),
    ticketTypeName: ticket.ticketType?.name ?? null,
    holderName: joinName(ticket.firstName, ticket.lastName) ?? customerName,
    customerName,
    email: order.customer?.email ?? null,
    valid: ticket.valid,
    cause: ticket.valid ? 'sold' : 'not_valid',
    changedAt: receivedAt,
    version,
    ...ticketTypeTagsOf(ticket.ticketType?.tags),
  }));
  return { orderId, eventId, event: normaliseEvent(order.event), version, tickets, receivedAt };
}

/** True when two states would look the same to a gate (the version aside). */
export function sameTicketContent(a: TicketState, b: TicketState): boolean {
  return (
    a.valid === b.valid &&
    a.eventId === b.eventId &&
    a.orderId === b.orderId &&
    a.ticketTypeId === b.ticketTypeId &&
    a.ticketTypeName === b.ticketTypeName &&
    a.holderName === b.holderName &&
    a.customerName === b.customerName &&
    a.email === b.email &&
    a.cause === b.cause
  );
}

export interface OrderMergeResult {
  /** False when the snapshot is stale (or a duplicate of the applied one): nothing changes. */
  isApplied: boolean;
  /** States to store and publish: only those whose content differs from what was known. */
  changed: TicketState[];
}

/**
 * Merges a new snapshot of an order with what is known of that order. `known` holds the current
 * state of every barcode ever seen in this order (any source); `applied` is the version of the
 * newest snapshot of this order applied so far (tracked per order, because a snapshot that changes
 * no ticket still moves the order forward), or null when none was.
 */
export function mergeOrderSnapshot(
  known: readonly TicketState[],
  applied: Version | null,
  snapshot: OrderSnapshot,
): OrderMergeResult {
  if (applied && compareVersions(snapshot.version, applied) <= 0) {
    return { isApplied: false, changed: [] };
  }
  const knownByBarcode = new Map(known.map((state) => [state.barcode, state]));
  const changed: TicketState[] = [];
  const inSnapshot = new Set<string>();
  for (const state of snapshot.tickets) {
    inSnapshot.add(state.barcode);
    const previous = knownByBarcode.get(state.barcode);
    if (!previous || !sameTicketContent(previous, state)) changed.push(state);
  }
  for (const previous of known) {
    if (inSnapshot.has(previous.barcode) || !previous.valid) continue;
    changed.push({
      ...previous,
      valid: false,
      cause: 'removed_from_order',
      changedAt: snapshot.receivedAt ?? snapshot.tickets[0]?.changedAt ?? previous.changedAt,
      version: snapshot.version,
    });
  }
  return { isApplied: true, changed };
}

/**
 * Merges one CSV-imported state with the known state of its barcode: a CSV state never overrides a
 * webhook state, and among CSV states the later import wins. Returns the state to store, or null.
 */
export function mergeImportedTicket(
  known: TicketState | undefined,
  imported: TicketState,
): TicketState | null {
  if (!known) return imported;
  if (compareVersions(imported.version, known.version) <= 0) return null;
  return sameTicketContent(known, imported) ? null : imported;
}

/** For a gate: apply an incoming state only when it is at least as new as the stored one. */
export function shouldApplyTicket(stored: Version | undefined, incoming: Version): boolean {
  return !stored || compareVersions(incoming, stored) >= 0;
}
