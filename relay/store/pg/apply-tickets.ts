/**
 * The ticket write path of the PostgreSQL store: load the facts, call the pure merge of
 * shared/tickets.ts (the very one the SQLite store and every gate use), write the result. A ticket's
 * entries go to its event and every event it moved away from, as in ../apply-tickets.ts.
 *
 * Round trips, not rows, are what a write costs here: the facts of an order (its row, its tickets'
 * states, their moves, its event) come back in one query, and its ticket writes go out in one
 * statement. An import does the same per chunk of rows.
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
  type Version,
} from '../../../shared/tickets.js';
import { orderVersionOf, readStoredState, type ImportInput } from '../apply-tickets.js';
import type { ImportReport } from '../types.js';
import type { PgLogAppender } from './appender.js';
import type { Tx } from './connection.js';

const IMPORT_CHUNK = 1_000;

export interface EventRow {
  info: string;
  is_full: boolean;
}

/** What is stored about some barcodes (and an order, and an event), read in one query. */
export interface TicketFacts {
  states: Map<string, TicketState>;
  /** Events each barcode moved away from. */
  moves: Map<string, Set<string>>;
  order: Version | null;
  event: EventRow | null;
}

export async function loadFacts(
  tx: Tx,
  barcodes: readonly string[],
  orderId: string | null,
  eventId: string,
): Promise<TicketFacts> {
  const row = await tx.one<{
    states: string[];
    moves: [string, string][];
    order_row: { source: string; tx_id: number; version_seq: number } | null;
    event_row: EventRow | null;
  }>(
    `SELECT
       (SELECT coalesce(array_agg(state), '{}') FROM tickets
         WHERE barcode = ANY($1::text[]) OR order_id = $2) AS states,
       (SELECT coalesce(json_agg(json_build_array(barcode, event_id)), '[]'::json) FROM ticket_moves
         WHERE barcode = ANY($1::text[]) OR barcode IN (SELECT barcode FROM tickets WHERE order_id = $2)) AS moves,
       (SELECT json_build_object('source', source, 'tx_id', tx_id, 'version_seq', version_seq)
         FROM orders WHERE order_id = $2) AS order_row,
       (SELECT json_build_object('info', info, 'is_full', is_full) FROM events WHERE event_id = $3) AS event_row`,
    [[...barcodes], orderId, eventId],
  );
  const states = new Map<string, TicketState>();
  for (const text of row?.states ?? []) {
    const state = readStoredState(text, orderId ? `order ${orderId}` : `event ${eventId}`);
    if (state) states.set(state.barcode, state);
  }
  const moves = new Map<string, Set<string>>();
  for (const [barcode, movedFrom] of row?.moves ?? []) {
    const events = moves.get(barcode) ?? new Set<string>();
    events.add(movedFrom);
    moves.set(barcode, events);
  }
  return {
    states,
    moves,
    order: row?.order_row ? orderVersionOf(row.order_row) : null,
    event: row?.event_row ?? null,
  };
}

interface TicketRowWrite {
  state: TicketState;
  /** The seq of its newest published entry; null when only the stored state changes. */
  seq: number | null;
}

/**
 * Ticket writes collected in memory and sent in one statement. Facts are kept up to date as changes
 * are added, so a later row of the same import sees an earlier one, as it would read it back.
 */
export class TicketWrites {
  private readonly rows = new Map<string, TicketRowWrite>();
  private readonly newMoves: [string, string][] = [];

  constructor(private readonly facts: Pick<TicketFacts, 'states' | 'moves'>) {}

  /** Mirrors ../apply-tickets.ts storeTicketChange: entries for each event that must hear of it. */
  add(appender: PgLogAppender, change: TicketChange, now: string): void {
    const { state, previous } = change;
    const barcode = state.barcode;
    const earlier = this.rows.get(barcode);
    if (!change.isPublished) {
      this.facts.states.set(barcode, state);
      this.rows.set(barcode, { state, seq: earlier?.seq ?? null });
      return;
    }
    const moves = this.facts.moves.get(barcode) ?? new Set<string>();
    if (previous && previous.eventId !== state.eventId && !moves.has(previous.eventId)) {
      moves.add(previous.eventId);
      this.facts.moves.set(barcode, moves);
      this.newMoves.push([barcode, previous.eventId]);
    }
    const audience = new Set([state.eventId, ...moves]);
    let seq: number | null = null;
    for (const eventId of audience) {
      const entry = appender.append({ kind: 'ticket', ticket: state }, eventId, now);
      if (!entry) return;
      seq ??= entry.seq;
    }
    this.facts.states.set(barcode, state);
    this.rows.set(barcode, { state, seq });
  }

  async flush(tx: Tx): Promise<void> {
    const published = [...this.rows.values()].filter((row) => row.seq !== null);
    const quiet = [...this.rows.values()].filter((row) => row.seq === null);
    if (published.length === 0 && quiet.length === 0 && this.newMoves.length === 0) return;
    await tx.run(
      `WITH moved AS (
         INSERT INTO ticket_moves (barcode, event_id)
         SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING
       ), quiet AS (
         UPDATE tickets SET state = changed.state
         FROM unnest($3::text[], $4::text[]) AS changed (barcode, state)
         WHERE tickets.barcode = changed.barcode
       )
       INSERT INTO tickets (barcode, event_id, order_id, state, seq)
       SELECT * FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
       ON CONFLICT (barcode) DO UPDATE SET event_id = excluded.event_id, order_id = excluded.order_id,
         state = excluded.state, seq = excluded.seq`,
      [
        this.newMoves.map(([barcode]) => barcode),
        this.newMoves.map(([, eventId]) => eventId),
        quiet.map((row) => row.state.barcode),
        quiet.map((row) => JSON.stringify(row.state)),
        published.map((row) => row.state.barcode),
        published.map((row) => row.state.eventId),
        published.map((row) => row.state.orderId),
        published.map((row) => JSON.stringify(row.state)),
        published.map((row) => row.seq),
      ],
    );
    this.rows.clear();
    this.newMoves.length = 0;
  }
}

/**
 * Merges an order snapshot and collects its ticket writes; the caller writes them, and
 * `merge.orderVersion`, when its batch ends.
 */
export function applyOrderSnapshot(
  appender: PgLogAppender,
  snapshot: OrderSnapshot,
  facts: TicketFacts,
  writes: TicketWrites,
  now: string,
): OrderMerge {
  const merge = mergeOrderSnapshot({ applied: facts.order, known: [...facts.states.values()] }, snapshot);
  for (const change of merge.changes) writes.add(appender, change, now);
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
  for (let start = 0; start < rows.length; start += IMPORT_CHUNK) {
    const chunk = rows.slice(start, start + IMPORT_CHUNK);
    const facts = await loadFacts(
      tx,
      chunk.map((row) => row.barcode),
      null,
      eventId,
    );
    const writes = new TicketWrites(facts);
    for (const row of chunk) {
      const known = facts.states.get(row.barcode) ?? null;
      const imported = importedTicketState(row, known, { eventId, importId, isAuthoritative, now });
      const change = mergeTicket(known, imported);
      if (change) {
        writes.add(appender, change, now);
        if (change.isPublished) changed += 1;
      } else if (known && compareVersions(imported.version, known.version) < 0) {
        outranked += 1;
      }
    }
    await writes.flush(tx);
  }
  return { importId, rows: rows.length, changed, outranked };
}
