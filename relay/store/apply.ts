/**
 * The synchronous write steps of the relay store. Each runs inside a transaction (a savepoint of a
 * group commit) and never awaits; the log entries it appends are collected and announced only after
 * the transaction commits.
 */
import { parseDelivery } from '../../shared/moshtix.js';
import type { LogEntry } from '../../shared/protocol.js';
import type { ScanRecord } from '../../shared/scans.js';
import {
  compareVersions,
  eventInfoSchema,
  mergeImportedTicket,
  mergeOrderSnapshot,
  normaliseEvent,
  normaliseOrder,
  ticketStateSchema,
  type EventInfo,
  type TicketState,
  type Version,
} from '../../shared/tickets.js';
import type { Queries } from './queries.js';
import type {
  DeliveryInput,
  DeliveryOutcome,
  ImportOptions,
  ImportReport,
  ImportRow,
  IngestResult,
  ScanResult,
  StoredEntry,
} from './types.js';

type Unsequenced<T> = T extends LogEntry ? Omit<T, 'seq'> : never;

/**
 * Counters known inside the current write batch: one writer at a time holds the database's write
 * lock, so the next free ids can be handed out without asking SQLite for each one.
 */
export interface BatchHead {
  /** Highest log seq. */
  value: number;
  /** Highest delivery id. */
  lastDelivery: number;
}

/** Appends log entries with the next seq; the caller announces `written` after commit. */
export class LogAppender {
  readonly written: StoredEntry[] = [];
  constructor(
    private readonly queries: Queries,
    private readonly batchHead: BatchHead,
  ) {}

  head(): number {
    return this.batchHead.value;
  }

  nextDeliveryId(): number {
    this.batchHead.lastDelivery += 1;
    return this.batchHead.lastDelivery;
  }

  append(entry: Unsequenced<LogEntry>, eventId: string | null, now: string): StoredEntry {
    const seq = this.batchHead.value + 1;
    const json = JSON.stringify({ seq, ...entry });
    this.queries.log.insert.run(seq, entry.kind, eventId, json, now);
    this.batchHead.value = seq;
    const stored: StoredEntry = { seq, kind: entry.kind, eventId, json };
    this.written.push(stored);
    return stored;
  }
}

function sameEvent(a: EventInfo, b: EventInfo): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Records an event's info. A full EVENT_SAVED object replaces what is known; the partial event
 * reference inside an order only fills in an event never seen, or one only ever seen that way.
 */
export function recordEvent(
  queries: Queries,
  log: LogAppender,
  info: EventInfo,
  isFull: boolean,
  now: string,
): void {
  const existing = queries.events.get.get(info.id);
  if (existing) {
    if (existing.is_full === 1 && !isFull) return;
    // Fast path for the common case: the same event reference as last time.
    if ((existing.is_full === 1) === isFull && existing.info === JSON.stringify(info)) return;
    const known = eventInfoSchema.parse(JSON.parse(existing.info));
    const merged = isFull ? info : { ...info, venueName: known.venueName, ticketTypes: known.ticketTypes };
    if (sameEvent(known, merged) && (existing.is_full === 1) === isFull) return;
    const entry = log.append({ kind: 'event', event: merged }, info.id, now);
    queries.events.upsert.run(info.id, JSON.stringify(merged), isFull ? 1 : 0, entry.seq);
    return;
  }
  const entry = log.append({ kind: 'event', event: info }, info.id, now);
  queries.events.upsert.run(info.id, JSON.stringify(info), isFull ? 1 : 0, entry.seq);
}

function storeTicket(queries: Queries, log: LogAppender, ticket: TicketState, now: string): void {
  const entry = log.append({ kind: 'ticket', ticket }, ticket.eventId, now);
  queries.tickets.upsert.run(
    ticket.barcode,
    ticket.eventId,
    ticket.orderId,
    JSON.stringify(ticket),
    entry.seq,
  );
}

const parseState = (text: string): TicketState => ticketStateSchema.parse(JSON.parse(text));

export function applyDelivery(queries: Queries, log: LogAppender, input: DeliveryInput): IngestResult {
  const parsed = parseDelivery(input.body);
  if ('error' in parsed) {
    const result = queries.quarantine.insert.run(input.receivedAt, input.origin, input.body, parsed.error);
    return { status: 'quarantined', quarantineId: Number(result.lastInsertRowid), error: parsed.error };
  }
  const { envelope } = parsed;
  // The delivery id orders deliveries: it is the version's relay sequence number.
  const deliveryId = log.nextDeliveryId();
  const before = log.written.length;
  let outcome: DeliveryOutcome = 'ignored';
  if (parsed.kind === 'order') {
    const snapshot = normaliseOrder(parsed.order, deliveryId, input.receivedAt);
    recordEvent(queries, log, snapshot.event, false, input.receivedAt);
    const row = queries.orders.get.get(snapshot.orderId);
    const applied: Version | null = row
      ? { source: row.source === 'csv' ? 'csv' : 'webhook', txId: row.tx_id, seq: row.version_seq }
      : null;
    const known = queries.tickets.ofOrder.all(snapshot.orderId).map((ticket) => parseState(ticket.state));
    const merge = mergeOrderSnapshot(known, applied, snapshot);
    if (!merge.isApplied) {
      outcome = 'stale';
    } else {
      const { version } = snapshot;
      queries.orders.upsert.run(
        snapshot.orderId,
        snapshot.eventId,
        version.source,
        version.txId,
        version.seq,
        input.receivedAt,
      );
      for (const ticket of merge.changed) storeTicket(queries, log, ticket, input.receivedAt);
      const isRepeat = applied !== null && applied.source === 'webhook' && applied.txId === version.txId;
      outcome = merge.changed.length > 0 ? 'applied' : isRepeat ? 'duplicate' : 'unchanged';
    }
  } else if (parsed.kind === 'event') {
    recordEvent(queries, log, normaliseEvent(parsed.event), true, input.receivedAt);
    outcome = log.written.length > before ? 'applied' : 'duplicate';
  }
  const seq = log.head();
  queries.deliveries.insert.run(
    deliveryId,
    input.receivedAt,
    input.origin,
    input.body,
    envelope.eventType,
    String(envelope.contextId),
    outcome,
    seq,
  );
  return { status: 'accepted', deliveryId, seq, outcome, entries: log.written.length - before };
}

export function applyScan(queries: Queries, log: LogAppender, scan: ScanRecord, now: string): ScanResult {
  const existing = queries.scans.get.get(scan.id);
  if (existing) return { seq: existing.seq, isNew: false };
  const entry = log.append({ kind: 'scan', scan }, scan.eventId, now);
  queries.scans.insert.run(scan.id, entry.seq, scan.eventId, scan.gate, JSON.stringify(scan));
  return { seq: entry.seq, isNew: true };
}

export function applyImport(
  queries: Queries,
  log: LogAppender,
  eventId: string,
  source: string,
  rows: readonly ImportRow[],
  now: string,
  // Passed through for the merge rule: an authoritative import is the newest version (not yet applied here).
  _options: ImportOptions = {},
): ImportReport {
  const importId = Number(queries.imports.insert.run(eventId, source, rows.length, now).lastInsertRowid);
  if (!queries.events.get.get(eventId)) {
    const info: EventInfo = {
      id: eventId,
      name: `Event ${eventId}`,
      startDate: null,
      endDate: null,
      venueName: null,
      ticketTypes: [],
    };
    recordEvent(queries, log, info, false, now);
  }
  let changed = 0;
  let outranked = 0;
  for (const row of rows) {
    const known = queries.tickets.get.get(row.barcode);
    const knownState = known ? parseState(known.state) : undefined;
    const imported: TicketState = {
      barcode: row.barcode,
      ticketId: row.ticketId,
      orderId: row.orderId ?? `csv-import-${importId}`,
      eventId,
      ticketTypeId: row.ticketTypeId,
      ticketTypeName: row.ticketTypeName,
      holderName: row.holderName,
      customerName: row.holderName,
      email: row.email,
      valid: row.valid,
      cause: 'imported',
      changedAt: now,
      version: { source: 'csv', txId: 0, seq: importId },
    };
    const merged = mergeImportedTicket(knownState, imported);
    if (merged) {
      storeTicket(queries, log, merged, now);
      changed += 1;
    } else if (knownState && compareVersions(imported.version, knownState.version) < 0) {
      outranked += 1;
    }
  }
  return { importId, rows: rows.length, changed, outranked, seq: log.head() };
}
