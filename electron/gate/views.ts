/**
 * Read-only views the API returns: ticket details with history, lookup, activity, conflicts and the
 * night's stats. Pure functions over the store's named queries. With `hideNames` set, holder and
 * buyer names and emails never leave this module (nor does lookup search them).
 */
import type {
  ActivityRow,
  Conflict,
  GateStats,
  LookupMatch,
  LookupOrder,
  LookupResult,
  TicketDetail,
  TicketSummary,
} from '../../shared/gate-api.js';
import type { ScanRecord } from '../../shared/scans.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';
import { presenceOf } from './rules.js';
import type { GateStore } from './store/index.js';

export const LOOKUP_LIMIT = 50;
/** The venue's night turns over at 06:00 local time: a show running past midnight is one night. */
const NIGHT_STARTS_AT_HOUR = 6;

export interface ViewOptions {
  /** Names and emails are left out (the gate's `hideNames` setting). */
  hideNames?: boolean;
}

/** The ticket as the UI may see it: without names and email when they are hidden. */
export function visible(ticket: TicketState, options: ViewOptions = {}): TicketState {
  return options.hideNames ? { ...ticket, holderName: null, customerName: null, email: null } : ticket;
}

export function summarise(
  ticket: TicketState,
  event: EventInfo | null,
  options: ViewOptions = {},
): TicketSummary {
  return {
    barcode: ticket.barcode,
    eventId: ticket.eventId,
    eventName: event?.name ?? `Event ${ticket.eventId}`,
    ticketType: ticket.ticketTypeName ?? ticket.ticketTypeId,
    holderName: options.hideNames ? null : ticket.holderName,
    orderId: ticket.orderId,
  };
}

export function ticketDetail(store: GateStore, ticket: TicketState, options: ViewOptions = {}): TicketDetail {
  const event = store.tickets.event(ticket.eventId);
  const history = store.scans.history(ticket.barcode);
  const shown = visible(ticket, options);
  return {
    ...summarise(shown, event),
    valid: ticket.valid,
    cause: ticket.cause,
    changedAt: ticket.changedAt,
    customerName: shown.customerName,
    email: shown.email,
    eventStartDate: event?.startDate ?? null,
    inside: presenceOf(history).state === 'inside',
    history,
  };
}

function startsWith(value: string | null, query: string): boolean {
  return value !== null && value.toLowerCase().startsWith(query);
}

/** A name from its second word on, as the surname index has it. */
function nameRest(name: string | null): string | null {
  if (name === null || !name.includes(' ')) return null;
  return name.slice(name.indexOf(' ') + 1);
}

/** Which field the query matched, in the order people read them. */
export function matchOf(ticket: TicketState, query: string): LookupMatch {
  const text = query.trim().toLowerCase();
  if (startsWith(ticket.barcode, text)) return 'barcode';
  if (startsWith(ticket.orderId, text)) return 'order';
  if (startsWith(ticket.holderName, text) || startsWith(nameRest(ticket.holderName), text))
    return 'holder_name';
  if (startsWith(ticket.customerName, text) || startsWith(nameRest(ticket.customerName), text))
    return 'buyer_name';
  return 'buyer_email';
}

export interface LookupView {
  results: LookupResult[];
  isTruncated: boolean;
}

/** Up to LOOKUP_LIMIT tickets matching the query, each saying which field matched. */
export function lookup(store: GateStore, query: string, options: ViewOptions = {}): LookupResult[] {
  return lookupView(store, query, options).results;
}

export function lookupView(store: GateStore, query: string, options: ViewOptions = {}): LookupView {
  const found = new Map<string, TicketState>();
  let isTruncated = false;
  // Barcodes are usually printed upper-case; people type them in any case.
  for (const text of new Set([query, query.toUpperCase()])) {
    for (const ticket of store.tickets.search(text, LOOKUP_LIMIT + 1, { isByCodeOnly: options.hideNames })) {
      if (found.size < LOOKUP_LIMIT) found.set(ticket.barcode, ticket);
      else if (!found.has(ticket.barcode)) isTruncated = true;
    }
  }
  const results = [...found.values()].map((ticket) => ({
    ...ticketDetail(store, ticket, options),
    match: matchOf(ticket, query),
  }));
  return { results, isTruncated };
}

/** The orders of some lookup results, each with how many of its tickets `isAdmissible` accepts. */
export function lookupOrders(
  store: GateStore,
  results: readonly LookupResult[],
  isAdmissible: (ticket: TicketState) => boolean,
  options: ViewOptions = {},
): LookupOrder[] {
  const orderIds = [...new Set(results.map((result) => result.orderId))];
  return orderIds.map((orderId) => {
    const tickets = store.tickets.ofOrder(orderId);
    return {
      orderId,
      buyerName: options.hideNames ? null : (tickets[0]?.customerName ?? null),
      tickets: tickets.length,
      admissible: tickets.filter(isAdmissible).length,
    };
  });
}

/** Recent records with the holder's name and ticket type of each. */
export function activityRows(
  store: GateStore,
  scans: readonly ScanRecord[],
  options: ViewOptions = {},
): ActivityRow[] {
  const tickets = new Map<string, TicketState | null>();
  return scans.map((scan) => {
    if (!tickets.has(scan.barcode)) tickets.set(scan.barcode, store.tickets.get(scan.barcode));
    const ticket = tickets.get(scan.barcode) ?? null;
    return {
      ...scan,
      holderName: ticket && !options.hideNames ? ticket.holderName : null,
      ticketType: ticket ? (ticket.ticketTypeName ?? ticket.ticketTypeId) : null,
    };
  });
}

export function conflictViews(store: GateStore, options: ViewOptions = {}): Conflict[] {
  const reviews = new Map(store.scans.reviews().map((review) => [review.conflict, review]));
  return store.scans.conflicts().map((conflict) => {
    const ticket = store.tickets.get(conflict.barcode);
    const review = reviews.get(conflict.id);
    return {
      id: conflict.id,
      barcode: conflict.barcode,
      eventId: conflict.eventId,
      scans: conflict.scanIds.flatMap((id) => {
        const scan = store.scans.get(id);
        return scan ? [scan] : [];
      }),
      detectedAt: conflict.detectedAt,
      holderName: ticket && !options.hideNames ? ticket.holderName : null,
      ticketType: ticket ? (ticket.ticketTypeName ?? ticket.ticketTypeId) : null,
      review: review ? { at: review.at, gate: review.gate, note: review.note } : null,
    };
  });
}

export function nightStart(now: Date): Date {
  const start = new Date(now);
  start.setHours(NIGHT_STARTS_AT_HOUR, 0, 0, 0);
  if (start > now) start.setDate(start.getDate() - 1);
  return start;
}

/**
 * Where each ticket with movements tonight is, replayed as `presenceOf` in rules.ts does (a second
 * admission while inside keeps the first; an exit only counts from inside), from lean rows.
 */
function presenceTonight(store: GateStore, since: string) {
  const annulled = store.scans.annulledIds();
  const tickets = new Map<string, { isInside: boolean; eventId: string | null }>();
  for (const movement of store.scans.movementsSince(since)) {
    if (annulled.has(movement.id)) continue;
    const known = tickets.get(movement.barcode);
    if (movement.direction === 'in') {
      if (!known?.isInside) tickets.set(movement.barcode, { isInside: true, eventId: movement.eventId });
    } else if (known?.isInside) {
      known.isInside = false;
    }
  }
  return tickets.values();
}

export function stats(store: GateStore, now: Date, capacity: number | null): GateStats {
  const admitted = new Map<string, { count: number; inside: number }>();
  let insideNow = 0;
  for (const ticket of presenceTonight(store, nightStart(now).toISOString())) {
    if (ticket.isInside) insideNow += 1;
    const eventId = ticket.eventId ?? '(unknown)';
    const counts = admitted.get(eventId) ?? { count: 0, inside: 0 };
    admitted.set(eventId, { count: counts.count + 1, inside: counts.inside + (ticket.isInside ? 1 : 0) });
  }
  return {
    admittedTonight: [...admitted].map(([eventId, counts]) => ({
      eventId,
      eventName: store.tickets.event(eventId)?.name ?? `Event ${eventId}`,
      ...counts,
    })),
    insideNow,
    scansPerMinute: store.scans.countScansSince(new Date(now.getTime() - 60_000).toISOString()),
    conflicts: store.scans.conflictCount(),
    pendingUploads: store.scans.pendingCount(),
    capacity,
  };
}
