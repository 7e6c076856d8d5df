/**
 * The SQLite write steps of a venue relay's upstream link. What the upstream relay sends (live
 * entries, or a snapshot) becomes entries of this relay's own log, with its own seqs, only where it
 * changes something here: tickets through the same merge the gates use (so a replayed older entry
 * changes nothing), events when their info differs, scans deduplicated by id. The upstream cursor is
 * written in the same transaction, so a crash replays a batch at most, and replaying is harmless.
 */
import type { LogEntry } from '../../shared/protocol.js';
import type { ScanRecord } from '../../shared/scans.js';
import { mergeTicket, type EventInfo, type TicketState } from '../../shared/tickets.js';
import { applyScan } from './apply.js';
import { readStoredState, storeTicketChange } from './apply-tickets.js';
import type { LogAppender } from './log-appender.js';
import type { Queries } from './queries.js';
import type { UpstreamBatch } from './types.js';

function mirrorTicket(queries: Queries, appender: LogAppender, ticket: TicketState, now: string): void {
  const row = queries.tickets.get.get(ticket.barcode);
  const known = row ? readStoredState(row.state, `barcode ${ticket.barcode}`) : null;
  const change = mergeTicket(known, ticket);
  if (change) storeTicketChange(queries, appender, change, now);
}

function mirrorEvent(queries: Queries, appender: LogAppender, event: EventInfo, now: string): void {
  const text = JSON.stringify(event);
  if (queries.events.get.get(event.id)?.info === text) return;
  const entry = appender.append({ kind: 'event', event }, event.id, now);
  if (entry) queries.events.upsert.run(event.id, text, 1, entry.seq);
}

function mirrorScan(queries: Queries, appender: LogAppender, scan: ScanRecord, now: string): void {
  // A scan of this relay's own gates comes back under the venue's name: the same id, already here.
  applyScan(queries, appender, scan, now);
}

function mirrorEntry(queries: Queries, appender: LogAppender, entry: LogEntry, now: string): void {
  switch (entry.kind) {
    case 'ticket':
      return mirrorTicket(queries, appender, entry.ticket, now);
    case 'event':
      return mirrorEvent(queries, appender, entry.event, now);
    case 'scan':
      return mirrorScan(queries, appender, entry.scan, now);
    case 'index':
      // The other-events index is keyed by the upstream relay's key, which this relay does not hand
      // on to its gates (yet): its entries would mean nothing to them.
      return;
    default: {
      const never: never = entry;
      throw new Error(`unknown entry ${JSON.stringify(never)}`);
    }
  }
}

export function applyUpstreamBatch(
  queries: Queries,
  appender: LogAppender,
  batch: UpstreamBatch,
  now: string,
): void {
  const before = queries.upstream.cursor.get()?.cursor ?? 0;
  if (batch.kind === 'entries') {
    for (const entry of batch.entries) {
      // Entries at or below the cursor were applied already (a frame sent again after a reconnect).
      if (entry.seq > before) mirrorEntry(queries, appender, entry, now);
    }
  } else {
    for (const event of batch.events) mirrorEvent(queries, appender, event, now);
    for (const ticket of batch.tickets) mirrorTicket(queries, appender, ticket, now);
    for (const { scan } of [...batch.scans].sort((a, b) => a.seq - b.seq))
      mirrorScan(queries, appender, scan, now);
  }
  queries.upstream.setCursor.run(batch.kind === 'snapshot' ? batch.cursor : Math.max(before, batch.cursor));
}

/** Stores a scan one of this relay's own gates uploaded and queues it for the upstream relay. */
export function applyForwardedScan(
  queries: Queries,
  appender: LogAppender,
  scan: ScanRecord,
  now: string,
): ReturnType<typeof applyScan> {
  const result = applyScan(queries, appender, scan, now);
  if (result.isNew) queries.upstream.enqueue.run(scan.id, result.seq);
  return result;
}
