/**
 * The SQLite store's snapshot read, a plain function of one connection: run inline (admin commands,
 * tests) or on the reader worker (reader-worker.ts) when serving, so that reading and checking tens of
 * thousands of rows never holds up the thread answering webhooks.
 */
import type Database from 'better-sqlite3';
import { scanRecordSchema } from '../../shared/scans.js';
import {
  eventInfoSchema,
  ticketStateSchema,
  type EventInfo,
  type TicketState,
} from '../../shared/tickets.js';
import type { Queries } from './queries.js';
import { present, readRow } from './rows.js';
import type { Snapshot } from './types.js';

export function readEvents(queries: Queries): EventInfo[] {
  return queries.events.all
    .all()
    .map((row) => readRow(eventInfoSchema, row.info, 'event info'))
    .filter(present);
}

export function readSnapshotNow(
  db: Database.Database,
  queries: Queries,
  events: readonly string[],
): Snapshot {
  const ids = JSON.stringify(events);
  const readTicket = (row: { state: string }): TicketState | null =>
    readRow(ticketStateSchema, row.state, 'ticket state');
  // One read transaction: the states and scans are exactly those as of `cursor`.
  return db.transaction(() => ({
    cursor: queries.log.head.get()?.head ?? 0,
    events: readEvents(queries),
    tickets: [
      ...queries.tickets.ofEvents.all(ids).map(readTicket),
      ...queries.tickets.movedFromEvents.all(ids, ids).map(readTicket),
    ].filter(present),
    scans: queries.scans.ofEvents
      .all(ids)
      .map((row) => {
        const scan = readRow(scanRecordSchema, row.record, `scan at seq ${row.seq}`);
        return scan ? { seq: row.seq, scan } : null;
      })
      .filter(present),
  }))();
}
