/**
 * The ticket write path of the SQLite store, in three steps: load the facts from the database, call
 * the pure merge of shared/tickets.ts, write the result. Only the first and last steps know SQLite,
 * so another store (PostgreSQL) reuses the merge unchanged.
 *
 * A ticket's log entries go to its current event and to every event it ever moved away from, so the
 * gates of an old event hear of the move and of everything after it (and deny the ticket there as
 * `wrong_event`); a snapshot of an event carries the tickets that moved away from it for the same
 * reason.
 */
import { createLogger } from '../../shared/logger.js';
import {
  compareVersions,
  importedTicketState,
  mergeOrderSnapshot,
  mergeTicket,
  ticketStateSchema,
  type OrderMerge,
  type OrderSnapshot,
  type TicketChange,
  type TicketState,
  type Version,
} from '../../shared/tickets.js';
import type { LogAppender } from './log-appender.js';
import type { Queries } from './queries.js';
import type { ImportReport, ImportRow } from './types.js';

const log = createLogger('relay.store');

/** A stored state, or null (and a warning) when the row no longer reads as one. */
export function readStoredState(text: string, where: string): TicketState | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = ticketStateSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  log.warn('stored ticket state unreadable: skipped', { where, error: parsed.error.issues[0]?.message });
  return null;
}

export function orderVersionOf(row: { source: string; tx_id: number; version_seq: number }): Version {
  const source = row.source === 'api' ? 'api' : row.source === 'csv' ? 'csv' : 'webhook';
  return { source, txId: row.tx_id, seq: row.version_seq };
}

/** Writes one merged state: a log entry for each event that must hear of it, then the row. */
export function storeTicketChange(
  queries: Queries,
  appender: LogAppender,
  change: TicketChange,
  now: string,
): void {
  const { state, previous } = change;
  if (!change.isPublished) {
    queries.tickets.updateState.run(JSON.stringify(state), state.barcode);
    return;
  }
  if (previous && previous.eventId !== state.eventId)
    queries.moves.insert.run(state.barcode, previous.eventId);
  const audience = new Set([state.eventId]);
  for (const row of queries.moves.ofBarcode.all(state.barcode)) audience.add(row.event_id);
  let seq: number | null = null;
  for (const eventId of audience) {
    const entry = appender.append({ kind: 'ticket', ticket: state }, eventId, now);
    if (!entry) return;
    seq ??= entry.seq;
  }
  queries.tickets.upsert.run(state.barcode, state.eventId, state.orderId, JSON.stringify(state), seq);
}

/** Merges one order snapshot (facts → shared merge → writes). */
export function applyOrderSnapshot(
  queries: Queries,
  appender: LogAppender,
  snapshot: OrderSnapshot,
  now: string,
): OrderMerge {
  const orderRow = queries.orders.get.get(snapshot.orderId);
  const known = new Map<string, TicketState>();
  for (const row of queries.tickets.ofOrder.all(snapshot.orderId)) {
    const state = readStoredState(row.state, `order ${snapshot.orderId}`);
    if (state) known.set(state.barcode, state);
  }
  for (const ticket of snapshot.tickets) {
    if (known.has(ticket.barcode)) continue;
    const row = queries.tickets.get.get(ticket.barcode);
    const state = row ? readStoredState(row.state, `barcode ${ticket.barcode}`) : null;
    if (state) known.set(state.barcode, state);
  }
  const merge = mergeOrderSnapshot(
    { applied: orderRow ? orderVersionOf(orderRow) : null, known: [...known.values()] },
    snapshot,
  );
  for (const change of merge.changes) storeTicketChange(queries, appender, change, now);
  if (merge.orderVersion) {
    const { source, txId, seq } = merge.orderVersion;
    queries.orders.upsert.run(snapshot.orderId, snapshot.eventId, source, txId, seq, now);
  }
  return merge;
}

export interface ImportInput {
  eventId: string;
  source: string;
  rows: readonly ImportRow[];
  isAuthoritative: boolean;
  now: string;
}

/** Merges a CSV import row by row (facts → shared merge → writes). */
export function applyTicketImport(
  queries: Queries,
  appender: LogAppender,
  input: ImportInput,
): Omit<ImportReport, 'seq'> {
  const { eventId, rows, isAuthoritative, now } = input;
  const importId = Number(
    queries.imports.insert.run(eventId, input.source, rows.length, now, isAuthoritative ? 1 : 0)
      .lastInsertRowid,
  );
  let changed = 0;
  let outranked = 0;
  for (const row of rows) {
    const stored = queries.tickets.get.get(row.barcode);
    const known = stored ? readStoredState(stored.state, `barcode ${row.barcode}`) : null;
    const imported = importedTicketState(row, known, { eventId, importId, isAuthoritative, now });
    const change = mergeTicket(known, imported);
    if (change) {
      storeTicketChange(queries, appender, change, now);
      if (change.isPublished) changed += 1;
    } else if (known && compareVersions(imported.version, known.version) < 0) {
      outranked += 1;
    }
  }
  return { importId, rows: rows.length, changed, outranked };
}
