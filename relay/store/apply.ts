/**
 * The synchronous write steps of the relay store. Each runs inside a transaction (a savepoint of a
 * group commit) and never awaits; the log entries it appends are collected and announced only after
 * the transaction commits.
 *
 * A delivery is quarantined only when it cannot be tied to an order or an event at all; inside a
 * readable order each ticket stands alone, and one without a usable barcode is skipped and recorded
 * with the delivery (`skipped_tickets`).
 */
import { createLogger } from '../../shared/logger.js';
import {
  parseDelivery,
  type ParsedDelivery,
  type ParseFailure,
  type SkippedTicket,
} from '../../shared/moshtix.js';
import type { ScanRecord } from '../../shared/scans.js';
import { eventUpdateOf, mergeEvent, type EventUpdate, type KnownEvent } from '../../shared/events.js';
import { eventInfoSchema, normaliseOrder } from '../../shared/tickets.js';
import { applyOrderSnapshot, applyTicketImport } from './apply-tickets.js';
import type { LogAppender } from './log-appender.js';
import type { Queries } from './queries.js';
import type {
  DeliveryInput,
  DeliveryOutcome,
  ImportReport,
  ImportRow,
  IngestResult,
  ScanResult,
} from './types.js';

export { LogAppender, type BatchHead } from './log-appender.js';

const log = createLogger('relay.store');

export function knownEventOf(row: { info: string; is_full: number }): KnownEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(row.info);
  } catch {
    return null;
  }
  const info = eventInfoSchema.safeParse(json);
  return info.success ? { info: info.data, isFull: row.is_full === 1 } : null;
}

/**
 * Records what a delivery says about an event. A full EVENT_SAVED object updates what is known
 * (fields it leaves null keep their values); the partial event reference inside an order only fills
 * in an event never seen in full.
 */
export function recordEvent(
  queries: Queries,
  appender: LogAppender,
  update: EventUpdate,
  isFull: boolean,
  now: string,
): void {
  const existing = queries.events.get.get(update.id);
  // The common case, read without parsing: an order's reference to an event known in full.
  if (existing?.is_full === 1 && !isFull) return;
  const merged = mergeEvent(existing ? knownEventOf(existing) : null, update, isFull);
  if (!merged) return;
  const entry = appender.append({ kind: 'event', event: merged.info }, merged.info.id, now);
  if (!entry) return;
  queries.events.upsert.run(merged.info.id, JSON.stringify(merged.info), merged.isFull ? 1 : 0, entry.seq);
}

export interface ApplyDeliveryOptions {
  /** The id the delivery was accepted under (pending_deliveries); by default the next free one. */
  deliveryId?: number;
  /** The body as already parsed when it was accepted, so it is not parsed twice. */
  parsed?: ParsedDelivery | ParseFailure;
}

export function applyDelivery(
  queries: Queries,
  appender: LogAppender,
  input: DeliveryInput,
  options: ApplyDeliveryOptions = {},
): IngestResult {
  const parsed = options.parsed ?? parseDelivery(input.body);
  if ('error' in parsed) {
    const result = queries.quarantine.insert.run(input.receivedAt, input.origin, input.body, parsed.error);
    return { status: 'quarantined', quarantineId: Number(result.lastInsertRowid), error: parsed.error };
  }
  const { envelope } = parsed;
  // The delivery id orders deliveries: it is the version's relay sequence number.
  const deliveryId = options.deliveryId ?? appender.nextDeliveryId();
  const before = appender.written.length;
  let outcome: DeliveryOutcome;
  let tiedOrders: string[] = [];
  let contextId = envelope.contextId;
  if (parsed.kind === 'order') {
    const source = input.origin === 'api' ? 'api' : 'webhook';
    const snapshot = normaliseOrder(parsed.order, deliveryId, input.receivedAt, source);
    contextId ??= snapshot.orderId;
    recordEvent(queries, appender, snapshot.event, false, input.receivedAt);
    const merge = applyOrderSnapshot(queries, appender, snapshot, input.receivedAt);
    outcome = merge.outcome;
    if (merge.isTie) tiedOrders = [snapshot.orderId];
  } else {
    const update = eventUpdateOf(parsed.event, true);
    contextId ??= update.id;
    recordEvent(queries, appender, update, true, input.receivedAt);
    outcome = appender.written.length > before ? 'applied' : 'duplicate';
  }
  const seq = appender.head();
  queries.deliveries.insert.run(
    deliveryId,
    input.receivedAt,
    input.origin,
    input.body,
    envelope.eventType,
    String(contextId),
    outcome,
    seq,
  );
  const skipped = parsed.kind === 'order' ? parsed.skipped : [];
  for (const ticket of skipped) {
    queries.skipped.insert.run(deliveryId, ticket.index, ticket.reason, ticket.raw, input.receivedAt);
  }
  warnSkipped(deliveryId, contextId, skipped);
  return {
    status: 'accepted',
    deliveryId,
    seq,
    outcome,
    entries: appender.written.length - before,
    skippedTickets: skipped.length,
    tiedOrders,
  };
}

/** Logs the tickets a delivery left out (no usable barcode); they are kept with it. Both stores. */
export function warnSkipped(deliveryId: number, contextId: unknown, skipped: readonly SkippedTicket[]): void {
  if (skipped.length === 0) return;
  log.warn('tickets skipped: no usable barcode (kept with the delivery)', {
    deliveryId,
    contextId,
    skipped: skipped.map(({ index, reason }) => `#${index}: ${reason}`),
  });
}

export function applyScan(
  queries: Queries,
  appender: LogAppender,
  scan: ScanRecord,
  now: string,
): ScanResult {
  const existing = queries.scans.get.get(scan.id);
  if (existing) return { seq: existing.seq, isNew: false };
  const entry = appender.append({ kind: 'scan', scan }, scan.eventId, now);
  if (!entry) throw new Error(`scan ${scan.id} refused by the wire schema`);
  queries.scans.insert.run(scan.id, entry.seq, scan.eventId, scan.gate, JSON.stringify(scan));
  return { seq: entry.seq, isNew: true };
}

export function applyImport(
  queries: Queries,
  appender: LogAppender,
  eventId: string,
  source: string,
  rows: readonly ImportRow[],
  now: string,
  isAuthoritative = false,
): ImportReport {
  const unnamed: EventUpdate = {
    id: eventId,
    name: null,
    startDate: null,
    endDate: null,
    venueName: null,
    ticketTypes: null,
    tags: null,
    isCancelled: null,
  };
  if (!queries.events.get.get(eventId)) recordEvent(queries, appender, unnamed, false, now);
  const report = applyTicketImport(queries, appender, { eventId, source, rows, isAuthoritative, now });
  return { ...report, seq: appender.head() };
}
