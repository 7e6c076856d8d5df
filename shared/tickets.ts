/**
 * Ticket state: the one thing gates act on, and the one merge rule that decides it, keyed by barcode.
 * Pure functions, shared by the relay (which merges deliveries into its ticket table) and by every
 * gate (which merges what the relay sends into its allowlist), so a live gate and a freshly synced one
 * always hold the same state.
 *
 * The merge is a join: `joinTicketStates` picks the greater of two states under one total order, so
 * it is commutative, associative and idempotent, and folding the relay's stream of states in any
 * grouping ends where the relay's own state is. The order, most significant first:
 *   1. the version: plain CSV imports rank below everything else; then the order snapshot's highest
 *      transaction id (compared across orders too); then at the same transaction id a resolved
 *      answer (Moshtix API, then an authoritative CSV import) above webhook snapshots; resolved
 *      versions of one kind, and plain imports, by relay sequence (the later one wins);
 *   2. at the same version a ticket either state calls invalid stays invalid (fail safe on a tie);
 *   3. then the content, field by field, only so that the choice is deterministic.
 * `mergeOrderSnapshot` turns one order snapshot, with what is known of its barcodes, into candidate
 * states and joins them; ticket removal ("vanished from a strictly newer snapshot of its order") and
 * the precise cause are decided there.
 */
import { z } from 'zod';
import { tagNames } from './event-marks.js';
import { eventUpdateOf, type EventUpdate } from './events.js';
import { MAX_BARCODE_LENGTH, type MoshtixOrder } from './moshtix.js';

/** Why a ticket's state is what it is (issue 13 builds staff messages on these). */
export const TICKET_CAUSES = [
  'sold',
  'refunded',
  'cancelled',
  'reissued',
  'removed_from_order',
  'not_valid',
  'csv',
] as const;
export type TicketCause = (typeof TICKET_CAUSES)[number];

export const VERSION_SOURCES = ['webhook', 'api', 'csv'] as const;
export type VersionSource = (typeof VERSION_SOURCES)[number];

export const versionSchema = z.object({
  /** `webhook` (also backfill), `api` (a Moshtix API answer fetched to resolve a tie), `csv`. */
  source: z.enum(VERSION_SOURCES),
  /** Highest transaction id of the order snapshot this state came from (0 when unknown). */
  txId: z.number().int(),
  /** Relay sequence of the delivery (webhook, api) or import (csv) this state came from. */
  seq: z.number().int().nonnegative(),
  /** A CSV import an operator declared authoritative: recorded as the newest version. */
  isAuthoritative: z.boolean().optional(),
});
export type Version = z.infer<typeof versionSchema>;

export const ticketStateSchema = z.object({
  barcode: z.string().min(1).max(MAX_BARCODE_LENGTH),
  ticketId: z.string().nullable(),
  orderId: z.string(),
  eventId: z.string(),
  ticketTypeId: z.string().nullable(),
  ticketTypeName: z.string().nullable(),
  holderName: z.string().nullable(),
  customerName: z.string().nullable(),
  email: z.string().nullable(),
  valid: z.boolean(),
  /** One of TICKET_CAUSES; older relays also wrote `imported`, so any string is read. */
  cause: z.string(),
  /** When the ticket's state last changed, as far as we know (ISO-8601). */
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

// ── versions and the join ────────────────────────────────────────────────────────────────────────

/** 0 for plain CSV imports, which rank below any webhook state; 1 for everything else. */
const tierOf = (version: Version): number => (version.source === 'csv' && !version.isAuthoritative ? 0 : 1);

/** At one transaction id: webhook < Moshtix API answer < authoritative CSV import. */
const AUTHORITY: Record<VersionSource, number> = { webhook: 0, api: 1, csv: 2 };

/** Positive when `a` is a newer version than `b`, negative when older, 0 when the same version. */
export function compareVersions(a: Version, b: Version): number {
  const byTier = tierOf(a) - tierOf(b);
  if (byTier !== 0) return byTier;
  if (a.txId !== b.txId) return a.txId - b.txId;
  const byAuthority = AUTHORITY[a.source] - AUTHORITY[b.source];
  if (byAuthority !== 0) return byAuthority;
  // Two webhook snapshots with the same transactions are the same version: a tie, whatever arrived last.
  if (a.source === 'webhook') return 0;
  return a.seq - b.seq;
}

/** The fields compared, in order, to pick deterministically between two states of one version. */
const CONTENT_FIELDS = [
  'eventId',
  'orderId',
  'cause',
  'ticketId',
  'ticketTypeId',
  'ticketTypeName',
  'holderName',
  'customerName',
  'email',
] as const satisfies readonly (keyof TicketState)[];

function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** The total order of the join: positive when `a` wins over `b`. */
export function compareTicketStates(a: TicketState, b: TicketState): number {
  const byVersion = compareVersions(a.version, b.version);
  if (byVersion !== 0) return byVersion;
  // Fail safe on a tie: a ticket either version calls invalid stays invalid.
  if (a.valid !== b.valid) return a.valid ? -1 : 1;
  for (const field of CONTENT_FIELDS) {
    const byField = compareText(a[field], b[field]);
    if (byField !== 0) return byField;
  }
  // Identical but for when they arrived (a redelivery): the first one stands, so a retry writes nothing.
  if (a.version.seq !== b.version.seq) return b.version.seq - a.version.seq;
  return compareText(b.changedAt, a.changedAt);
}

/**
 * The merge rule: of the state known and the state arriving, the one to keep. Returns `known` itself
 * when it stands, so a caller can tell "nothing to store" by identity.
 */
export function joinTicketStates(known: TicketState | null | undefined, incoming: TicketState): TicketState {
  if (!known) return incoming;
  return compareTicketStates(incoming, known) > 0 ? incoming : known;
}

/** True when two states would look the same at a door (the version aside). */
export function sameTicketContent(a: TicketState, b: TicketState): boolean {
  return a.valid === b.valid && CONTENT_FIELDS.every((field) => a[field] === b[field]);
}

export interface TicketChange {
  state: TicketState;
  previous: TicketState | null;
  /** The content changed (not only the version): gates must hear of it. */
  isPublished: boolean;
}

/**
 * Joins a candidate into the known state: the change to store, or null when the known state stands.
 * A newer version that changes nothing a door sees keeps the time the state last changed.
 */
export function mergeTicket(previous: TicketState | null, candidate: TicketState): TicketChange | null {
  const next = joinTicketStates(previous, candidate);
  if (next === previous) return null;
  if (!previous) return { state: next, previous, isPublished: true };
  const isPublished = !sameTicketContent(previous, next);
  const state = isPublished ? next : { ...next, changedAt: previous.changedAt };
  return compareTicketStates(state, previous) === 0 ? null : { state, previous, isPublished };
}

// ── order snapshots ──────────────────────────────────────────────────────────────────────────────

export interface OrderSnapshot {
  orderId: string;
  eventId: string;
  event: EventUpdate;
  version: Version;
  /** Candidate states of the snapshot's tickets (cause `sold` or `not_valid`; merging refines it). */
  tickets: TicketState[];
  /** Type of the snapshot's newest transaction (open set), read for why tickets became invalid. */
  transactionType: string | null;
  /** When the snapshot arrived; dates the changes it makes. */
  receivedAt: string;
}

function joinName(first: string | null | undefined, last: string | null | undefined): string | null {
  const name = [first, last].filter((part) => part && part.trim() !== '').join(' ');
  return name === '' ? null : name;
}

function idString(value: string | number | null | undefined): string | null {
  return value === null || value === undefined ? null : String(value).trim();
}

/** `{ticketTypeTags}` when the type has tags; nothing otherwise, so untagged states keep their shape. */
function ticketTypeTagsOf(tags: unknown): Pick<TicketState, 'ticketTypeTags'> {
  const names = tagNames(tags);
  return names.length ? { ticketTypeTags: names } : {};
}

/**
 * Turns a full ORDER_SAVED snapshot (tickets already read one by one, see moshtix.ts) into ticket
 * states carrying the snapshot's version. `source` is `api` for an answer fetched from Moshtix.
 */
export function normaliseOrder(
  order: MoshtixOrder,
  seq: number,
  receivedAt: string,
  source: 'webhook' | 'api' = 'webhook',
): OrderSnapshot {
  let newest: MoshtixOrder['transactions']['items'][number] | undefined;
  for (const transaction of order.transactions.items) {
    if (!newest || transaction.id > newest.id) newest = transaction;
  }
  const version: Version = { source, txId: newest?.id ?? 0, seq };
  const orderId = String(order.id).trim();
  const eventId = String(order.event.id).trim();
  const customerName = joinName(order.customer?.firstName, order.customer?.lastName);
  const tickets = order.tickets.items.map((ticket): TicketState => ({
    barcode: ticket.barcode,
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
  return {
    orderId,
    eventId,
    event: eventUpdateOf(order.event),
    version,
    tickets,
    transactionType: newest?.type ?? null,
    receivedAt,
  };
}

/** Why a ticket a snapshot marks invalid became so, read loosely from the newest transaction. */
export function causeOfInvalid(transactionType: string | null, hasNewSibling: boolean): TicketCause {
  const type = (transactionType ?? '').toUpperCase();
  if (type.includes('REFUND')) return 'refunded';
  if (type.includes('CANCEL')) return 'cancelled';
  if (type.includes('REISSUE') && hasNewSibling) return 'reissued';
  return 'not_valid';
}

/** What the store knows before merging one order snapshot. */
export interface OrderFacts {
  /** The newest version of this order merged so far, or null when none was. */
  applied: Version | null;
  /**
   * The current state of every barcode in the snapshot that has one, and of every barcode whose
   * current state belongs to this order.
   */
  known: readonly TicketState[];
}

export type OrderOutcome = 'applied' | 'unchanged' | 'duplicate' | 'stale';

export interface OrderMerge {
  outcome: OrderOutcome;
  /** The order's version to record when the snapshot is newer than the one applied; else null. */
  orderVersion: Version | null;
  /** Every state to store. */
  changes: TicketChange[];
  /** Same version as the one applied, different content: worth asking Moshtix which is true. */
  isTie: boolean;
}

/** The state a snapshot claims for one of its tickets, with the precise cause. */
function claimOf(
  ticket: TicketState,
  previous: TicketState | null,
  snapshot: OrderSnapshot,
  hasNewSibling: boolean,
): TicketState {
  if (ticket.valid) return { ...ticket, cause: 'sold' };
  // Already invalid in this order for a known reason: this transaction did not cause it.
  const wasInvalid =
    previous && !previous.valid && previous.orderId === snapshot.orderId && previous.cause !== 'not_valid';
  return {
    ...ticket,
    cause: wasInvalid ? previous.cause : causeOfInvalid(snapshot.transactionType, hasNewSibling),
  };
}

/**
 * Merges one order snapshot into what is known of its barcodes. Pure: the store loads `facts`,
 * calls this, and writes `changes` (publishing those marked so) and `orderVersion`.
 */
export function mergeOrderSnapshot(facts: OrderFacts, snapshot: OrderSnapshot): OrderMerge {
  const { orderId, version } = snapshot;
  const { applied } = facts;
  const byApplied = applied ? compareVersions(version, applied) : 1;
  const isWebhookTie = byApplied === 0 && version.source === 'webhook';
  const before = new Map(facts.known.map((state) => [state.barcode, state]));
  const current = new Map(before);
  const inSnapshot = new Set(snapshot.tickets.map((ticket) => ticket.barcode));
  const hasNewSibling = snapshot.tickets.some((ticket) => before.get(ticket.barcode)?.orderId !== orderId);
  let isTie = false;
  const offer = (candidate: TicketState) => {
    const change = mergeTicket(current.get(candidate.barcode) ?? null, candidate);
    if (change) current.set(candidate.barcode, change.state);
  };

  for (const ticket of snapshot.tickets) {
    const previous = before.get(ticket.barcode) ?? null;
    let claim = claimOf(ticket, previous, snapshot, hasNewSibling);
    if (
      applied &&
      byApplied < 0 &&
      (!previous || compareVersions(previous.version, applied) < 0) &&
      (!previous || compareTicketStates(claim, previous) > 0)
    ) {
      // A stale snapshot: a barcode the order's newest version held would carry at least that
      // version. This one did not, so it left the order then.
      claim = {
        ...claim,
        valid: false,
        cause: claim.valid ? 'removed_from_order' : claim.cause,
        version: applied,
      };
    }
    if (
      isWebhookTie &&
      (!previous ||
        (previous.orderId === orderId &&
          compareVersions(previous.version, version) === 0 &&
          !sameTicketContent(previous, claim)))
    )
      isTie = true;
    offer(claim);
  }
  for (const previous of facts.known) {
    if (previous.orderId !== orderId || inSnapshot.has(previous.barcode)) continue;
    const byPrevious = compareVersions(version, previous.version);
    // Absence from one of two equal versions does not revoke by itself; it is a tie to resolve.
    if (byPrevious === 0 && isWebhookTie) isTie = true;
    if (byPrevious <= 0) continue;
    offer({
      ...previous,
      valid: false,
      cause: previous.valid ? (hasNewSibling ? 'reissued' : 'removed_from_order') : previous.cause,
      changedAt: snapshot.receivedAt,
      version,
    });
  }

  const changes: TicketChange[] = [];
  for (const [barcode, state] of current) {
    const previous = before.get(barcode) ?? null;
    if (state === previous) continue;
    changes.push({ state, previous, isPublished: !previous || !sameTicketContent(previous, state) });
  }
  const isPublished = changes.some((change) => change.isPublished);
  const outcome: OrderOutcome = isPublished
    ? 'applied'
    : byApplied < 0
      ? 'stale'
      : byApplied === 0
        ? 'duplicate'
        : 'unchanged';
  return { outcome, orderVersion: byApplied > 0 ? version : null, changes, isTie };
}

// ── CSV imports ──────────────────────────────────────────────────────────────────────────────────

/** One row of a CSV export of an event's tickets. */
export interface ImportedTicket {
  barcode: string;
  valid: boolean;
  orderId: string | null;
  ticketId: string | null;
  ticketTypeId: string | null;
  ticketTypeName: string | null;
  holderName: string | null;
  email: string | null;
}

export interface ImportContext {
  eventId: string;
  /** The import's relay sequence: later imports outrank earlier ones. */
  importId: number;
  /** Recorded as the newest version: it outranks webhook states of the same transaction id. */
  isAuthoritative: boolean;
  now: string;
}

/**
 * The state a CSV row claims. A plain import ranks below every webhook state; an authoritative one
 * takes the transaction id of the barcode's known state and outranks it, so it can revoke a ticket
 * webhooks called valid, and a later webhook with a higher transaction id wins again. Fields the row
 * leaves empty keep their known values.
 */
export function importedTicketState(
  row: ImportedTicket,
  known: TicketState | null,
  context: ImportContext,
): TicketState {
  const txId = context.isAuthoritative && known && tierOf(known.version) === 1 ? known.version.txId : 0;
  const version: Version = context.isAuthoritative
    ? { source: 'csv', txId, seq: context.importId, isAuthoritative: true }
    : { source: 'csv', txId: 0, seq: context.importId };
  return {
    barcode: row.barcode,
    ticketId: row.ticketId ?? known?.ticketId ?? null,
    orderId: row.orderId ?? known?.orderId ?? `csv-import-${context.importId}`,
    eventId: context.eventId,
    ticketTypeId: row.ticketTypeId ?? known?.ticketTypeId ?? null,
    ticketTypeName: row.ticketTypeName ?? known?.ticketTypeName ?? null,
    holderName: row.holderName ?? known?.holderName ?? null,
    customerName: row.holderName ?? known?.customerName ?? null,
    email: row.email ?? known?.email ?? null,
    valid: row.valid,
    cause: row.valid ? 'sold' : 'csv',
    changedAt: context.now,
    version,
  };
}
