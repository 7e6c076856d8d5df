/**
 * Read-only views the API returns: ticket details with history, lookup, activity, conflicts and the
 * night's stats. Pure functions over the store's named queries.
 */
import type { Conflict, GateStats, TicketDetail, TicketSummary } from '../../shared/gate-api.js';
import type { ScanRecord } from '../../shared/scans.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';
import { presenceOf } from './rules.js';
import type { GateStore } from './store/index.js';

export const LOOKUP_LIMIT = 50;
/** The venue's night turns over at 06:00 local time: a show running past midnight is one night. */
const NIGHT_STARTS_AT_HOUR = 6;

export function summarise(ticket: TicketState, event: EventInfo | null): TicketSummary {
  return {
    barcode: ticket.barcode,
    eventId: ticket.eventId,
    eventName: event?.name ?? `Event ${ticket.eventId}`,
    ticketType: ticket.ticketTypeName ?? ticket.ticketTypeId,
    holderName: ticket.holderName,
    orderId: ticket.orderId,
  };
}

export function ticketDetail(store: GateStore, ticket: TicketState): TicketDetail {
  const event = store.tickets.event(ticket.eventId);
  const history = store.scans.history(ticket.barcode);
  return {
    ...summarise(ticket, event),
    valid: ticket.valid,
    cause: ticket.cause,
    changedAt: ticket.changedAt,
    customerName: ticket.customerName,
    email: ticket.email,
    eventStartDate: event?.startDate ?? null,
    inside: presenceOf(history).state === 'inside',
    history,
  };
}

export function lookup(store: GateStore, query: string): TicketDetail[] {
  const found = new Map<string, TicketState>();
  // Barcodes are usually printed upper-case; people type them in any case.
  for (const text of new Set([query, query.toUpperCase()])) {
    for (const ticket of store.tickets.search(text, LOOKUP_LIMIT)) {
      if (found.size < LOOKUP_LIMIT) found.set(ticket.barcode, ticket);
    }
  }
  return [...found.values()].map((ticket) => ticketDetail(store, ticket));
}

export function conflictViews(store: GateStore): Conflict[] {
  return store.scans.conflicts().map((conflict) => ({
    id: conflict.id,
    barcode: conflict.barcode,
    eventId: conflict.eventId,
    scans: conflict.scanIds.flatMap((id) => {
      const scan = store.scans.get(id);
      return scan ? [scan] : [];
    }),
    detectedAt: conflict.detectedAt,
  }));
}

export function nightStart(now: Date): Date {
  const start = new Date(now);
  start.setHours(NIGHT_STARTS_AT_HOUR, 0, 0, 0);
  if (start > now) start.setDate(start.getDate() - 1);
  return start;
}

export function stats(store: GateStore, now: Date, capacity: number | null): GateStats {
  const scans = store.scans.since(nightStart(now).toISOString());
  const byBarcode = new Map<string, ScanRecord[]>();
  for (const scan of scans) {
    const history = byBarcode.get(scan.barcode);
    if (history) history.push(scan);
    else byBarcode.set(scan.barcode, [scan]);
  }
  const admitted = new Map<string, number>();
  let insideNow = 0;
  for (const history of byBarcode.values()) {
    const presence = presenceOf(history);
    if (presence.state === 'never') continue;
    if (presence.state === 'inside') insideNow += 1;
    const admission = presence.state === 'inside' ? presence.since : presence.lastAdmission;
    const eventId = admission.eventId ?? '(unknown)';
    admitted.set(eventId, (admitted.get(eventId) ?? 0) + 1);
  }
  return {
    admittedTonight: [...admitted].map(([eventId, count]) => ({
      eventId,
      eventName: store.tickets.event(eventId)?.name ?? `Event ${eventId}`,
      count,
    })),
    insideNow,
    scansPerMinute: store.scans.countScansSince(new Date(now.getTime() - 60_000).toISOString()),
    conflicts: store.scans.conflictCount(),
    pendingUploads: store.scans.pendingCount(),
    capacity,
  };
}
