/**
 * The ticket write path of the PostgreSQL store: load the facts, call the pure merge of
 * shared/tickets.ts (the very one the SQLite store and every gate use), write the result. A ticket's
 * entries go to its event and every event it moved away from, as in ../apply-tickets.ts.
 */
import {
  compareVersions,
  importedTicketState,
  mergeOrderSnapshot,
  mergeTicket,
  type OrderMerge,
  type OrderSnapshot,
  type TicketChange,
  type TicketState,
} from '../../../shared/tickets.js';
import { orderVersionOf, readStoredState, type ImportInput } from '../apply-tickets.js';
import type { ImportReport } from '../types.js';
import type { PgLogAppender } from './appender.js';
import type { Tx } from './connection.js';

export async function storeTicketChange(
  tx: Tx,
  appender: PgLogAppender,
  change: TicketChange,
  now: string,
): Promise<void> {
  const { state, previous } = change;
  if (!change.isPublished) {
    await tx.run('UPDATE tickets SET state = $1 WHERE barcode = $2', [JSON.stringify(state), state.barcode]);
    return;
  }
  if (previous && previous.eventId !== state.eventId)
    await tx.run('INSERT INTO ticket_moves (barcode, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      state.barcode,
      previous.eventId,
    ]);
  const audience = new Set([state.eventId]);
  const moves = await tx.rows<{ event_id: string }>('SELECT event_id FROM ticket_moves WHERE barcode = $1', [
    state.barcode,
  ]);
  for (const row of moves) audience.add(row.event_id);
  let seq: number | null = null;
  for (const eventId of audience) {
    const entry = appender.append({ kind: 'ticket', ticket: state }, eventId, now);
    if (!entry) return;
    seq ??= entry.seq;
  }
  await tx.run(
    `INSERT INTO tickets (barcode, event_id, order_id, state, seq) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (barcode) DO UPDATE SET event_id = excluded.event_id, order_id = excluded.order_id,
       state = excluded.state, seq = excluded.seq`,
    [state.barcode, state.eventId, state.orderId, JSON.stringify(state), seq],
  );
}

export async function applyOrderSnapshot(
  tx: Tx,
  appender: PgLogAppender,
  snapshot: OrderSnapshot,
  now: string,
): Promise<OrderMerge> {
  const orderRow = await tx.one<{ source: string; tx_id: number; version_seq: number }>(
    'SELECT source, tx_id, version_seq FROM orders WHERE order_id = $1',
    [snapshot.orderId],
  );
  // The order's tickets and any barcode of the snapshot stored under another order, in one read.
  const rows = await tx.rows<{ state: string }>(
    'SELECT state FROM tickets WHERE order_id = $1 OR barcode = ANY($2::text[])',
    [snapshot.orderId, snapshot.tickets.map((ticket) => ticket.barcode)],
  );
  const known = new Map<string, TicketState>();
  for (const row of rows) {
    const state = readStoredState(row.state, `order ${snapshot.orderId}`);
    if (state) known.set(state.barcode, state);
  }
  const merge = mergeOrderSnapshot(
    { applied: orderRow ? orderVersionOf(orderRow) : null, known: [...known.values()] },
    snapshot,
  );
  for (const change of merge.changes) await storeTicketChange(tx, appender, change, now);
  if (merge.orderVersion) {
    const { source, txId, seq } = merge.orderVersion;
    await tx.run(
      `INSERT INTO orders (order_id, event_id, source, tx_id, version_seq, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (order_id) DO UPDATE SET event_id = excluded.event_id, source = excluded.source,
         tx_id = excluded.tx_id, version_seq = excluded.version_seq, updated_at = excluded.updated_at`,
      [snapshot.orderId, snapshot.eventId, source, txId, seq, now],
    );
  }
  return merge;
}

export async function applyTicketImport(
  tx: Tx,
  appender: PgLogAppender,
  input: ImportInput,
): Promise<Omit<ImportReport, 'seq'>> {
  const { eventId, rows, isAuthoritative, now } = input;
  const inserted = await tx.one<{ id: number }>(
    `INSERT INTO imports (event_id, source, rows, imported_at, is_authoritative)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [eventId, input.source, rows.length, now, isAuthoritative],
  );
  const importId = inserted?.id ?? 0;
  let changed = 0;
  let outranked = 0;
  for (const row of rows) {
    const stored = await tx.one<{ state: string }>('SELECT state FROM tickets WHERE barcode = $1', [
      row.barcode,
    ]);
    const known = stored ? readStoredState(stored.state, `barcode ${row.barcode}`) : null;
    const imported = importedTicketState(row, known, { eventId, importId, isAuthoritative, now });
    const change = mergeTicket(known, imported);
    if (change) {
      await storeTicketChange(tx, appender, change, now);
      if (change.isPublished) changed += 1;
    } else if (known && compareVersions(imported.version, known.version) < 0) {
      outranked += 1;
    }
  }
  return { importId, rows: rows.length, changed, outranked };
}
