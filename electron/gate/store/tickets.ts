/** Named queries over events and tickets (the allowlist). Every value is bound. */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import {
  joinTicketStates,
  VERSION_SOURCES,
  type EventInfo,
  type TicketState,
  type Version,
} from '../../../shared/tickets.js';
import { nameRest } from './migrations.js';

export interface TicketRow {
  barcode: string;
  ticket_id: string | null;
  order_id: string;
  event_id: string;
  ticket_type_id: string | null;
  ticket_type_name: string | null;
  holder_name: string | null;
  customer_name: string | null;
  email: string | null;
  is_valid: number;
  cause: string;
  changed_at: string;
  version_source: string;
  version_tx: number;
  version_seq: number;
  ticket_type_tags: string | null;
  version_is_authoritative: number;
}

interface EventRow {
  id: string;
  name: string;
  start_date: string | null;
  end_date: string | null;
  venue_name: string | null;
  ticket_types: string;
  tags: string | null;
  is_cancelled: number;
}

const ticketTypesSchema = z.array(
  z.object({ id: z.string(), name: z.string().nullable(), tags: z.array(z.string()).optional() }),
);
const tagsSchema = z.array(z.string());

/** A JSON list of tags, or none: a damaged value reads as no tags rather than crashing a scan. */
function tagsFrom(json: string | null): string[] {
  if (json === null) return [];
  try {
    const parsed = tagsSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

const tagsColumn = (tags: readonly string[] | undefined): string | null =>
  tags && tags.length > 0 ? JSON.stringify(tags) : null;

type ColumnValue = string | number | null;

/**
 * The tickets table's columns and how each is read from a state, in one list that the insert, the
 * upsert and the narrow update are all made from. Bound positionally (the fastest binding).
 */
const COLUMNS: readonly (readonly [string, (state: TicketState) => ColumnValue])[] = [
  ['barcode', (state) => state.barcode],
  ['ticket_id', (state) => state.ticketId],
  ['order_id', (state) => state.orderId],
  ['event_id', (state) => state.eventId],
  ['ticket_type_id', (state) => state.ticketTypeId],
  ['ticket_type_name', (state) => state.ticketTypeName],
  ['holder_name', (state) => state.holderName],
  ['customer_name', (state) => state.customerName],
  ['email', (state) => state.email],
  ['is_valid', (state) => (state.valid ? 1 : 0)],
  ['cause', (state) => state.cause],
  ['changed_at', (state) => state.changedAt],
  ['version_source', (state) => state.version.source],
  ['version_tx', (state) => state.version.txId],
  ['version_seq', (state) => state.version.seq],
  ['ticket_type_tags', (state) => tagsColumn(state.ticketTypeTags)],
  ['version_is_authoritative', (state) => (state.version.isAuthoritative ? 1 : 0)],
];
/** The columns the lookup indexes cover (see migrations.ts; the surname indexes derive from names). */
const LOOKUP_COLUMNS = new Set(['order_id', 'holder_name', 'customer_name', 'email']);
const NOT_KEY = COLUMNS.filter(([name]) => name !== 'barcode');
/** Every column but the barcode and the lookup columns: what a new version usually changes. */
const REST = NOT_KEY.filter(([name]) => !LOOKUP_COLUMNS.has(name));

const INSERT = `INSERT INTO tickets (${COLUMNS.map(([name]) => name).join(', ')})
  VALUES (${COLUMNS.map(() => '?').join(', ')})`;

const ticketValues = (state: TicketState): ColumnValue[] => COLUMNS.map(([, value]) => value(state));

/** Everything but the lookup columns, then the barcode (updateRest's parameters). */
const restValues = (state: TicketState): ColumnValue[] => [
  ...REST.map(([, value]) => value(state)),
  state.barcode,
];

/** Whether the columns the lookup indexes cover are exactly as stored (case included: it is shown). */
const isLookupUnchanged = (stored: TicketState, next: TicketState): boolean =>
  stored.orderId === next.orderId &&
  stored.holderName === next.holderName &&
  stored.customerName === next.customerName &&
  stored.email === next.email;

export function ticketFromRow(row: TicketRow): TicketState {
  return {
    barcode: row.barcode,
    ticketId: row.ticket_id,
    orderId: row.order_id,
    eventId: row.event_id,
    ticketTypeId: row.ticket_type_id,
    ticketTypeName: row.ticket_type_name,
    holderName: row.holder_name,
    customerName: row.customer_name,
    email: row.email,
    valid: row.is_valid === 1,
    cause: row.cause,
    changedAt: row.changed_at,
    version: versionFromRow(row),
    ...(row.ticket_type_tags === null ? {} : { ticketTypeTags: tagsFrom(row.ticket_type_tags) }),
  };
}

function versionFromRow(row: TicketRow): Version {
  const source = VERSION_SOURCES.find((known) => known === row.version_source) ?? 'webhook';
  const version: Version = { source, txId: row.version_tx, seq: row.version_seq };
  if (row.version_is_authoritative === 1) version.isAuthoritative = true;
  return version;
}

function eventFromRow(row: EventRow): EventInfo {
  // A JSON column is a trust boundary too: a damaged value reads as "no types" rather than crashing.
  const types = ticketTypesSchema.safeParse(JSON.parse(row.ticket_types));
  return {
    id: row.id,
    name: row.name,
    startDate: row.start_date,
    endDate: row.end_date,
    venueName: row.venue_name,
    ticketTypes: types.success ? types.data : [],
    ...(row.tags === null ? {} : { tags: tagsFrom(row.tags) }),
    ...(row.is_cancelled === 1 ? { isCancelled: true } : {}),
  };
}

/** Range bounds that make `column >= low AND column < high` a prefix match using the index. */
export function prefixRange(prefix: string): { low: string; high: string } {
  return { low: prefix, high: `${prefix}\u{10FFFF}` };
}

export function createTicketQueries(db: Database.Database) {
  const statements = {
    byBarcode: db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE barcode = ?'),
    upsert: db.prepare<ColumnValue[]>(
      `${INSERT} ON CONFLICT (barcode) DO UPDATE SET ${NOT_KEY.map(([name]) => `${name} = excluded.${name}`).join(', ')}`,
    ),
    /**
     * A new version whose lookup columns (order, names, email) are as stored — nearly every change: a
     * refund, a reissue's version. Leaving them out of the SET spares the six lookup indexes (a full
     * upsert deletes and re-inserts an entry in each, at random places: ten times the cost).
     */
    updateRest: db.prepare<ColumnValue[]>(
      `UPDATE tickets SET ${REST.map(([name]) => `${name} = ?`).join(', ')} WHERE barcode = ?`,
    ),
    /** A first load's insert: a barcode already stored is left for the merge rule (see applyNew). */
    insertNew: db.prepare<ColumnValue[]>(`${INSERT} ON CONFLICT (barcode) DO NOTHING`),
    count: db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM tickets'),
    byBarcodePrefix: db.prepare<[string, string, number], TicketRow>(
      'SELECT * FROM tickets WHERE barcode >= ? AND barcode < ? ORDER BY barcode LIMIT ?',
    ),
    byHolder: db.prepare<[string, string, number], TicketRow>(
      'SELECT * FROM tickets WHERE holder_name >= ? AND holder_name < ? ORDER BY holder_name LIMIT ?',
    ),
    byCustomer: db.prepare<[string, string, number], TicketRow>(
      'SELECT * FROM tickets WHERE customer_name >= ? AND customer_name < ? ORDER BY customer_name LIMIT ?',
    ),
    byHolderRest: db.prepare<[string, string, number], TicketRow>(
      `SELECT * FROM tickets WHERE ${nameRest('holder_name')} >= ? AND ${nameRest('holder_name')} < ?
       AND instr(holder_name, ' ') > 0 LIMIT ?`,
    ),
    byCustomerRest: db.prepare<[string, string, number], TicketRow>(
      `SELECT * FROM tickets WHERE ${nameRest('customer_name')} >= ? AND ${nameRest('customer_name')} < ?
       AND instr(customer_name, ' ') > 0 LIMIT ?`,
    ),
    byEmail: db.prepare<[string, string, number], TicketRow>(
      'SELECT * FROM tickets WHERE email >= ? AND email < ? ORDER BY email LIMIT ?',
    ),
    byOrder: db.prepare<[string, string, number], TicketRow>(
      'SELECT * FROM tickets WHERE order_id >= ? AND order_id < ? ORDER BY order_id LIMIT ?',
    ),
    ofOrder: db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE order_id = ? ORDER BY barcode'),
    soldByType: db.prepare<[string], { type: string | null; count: number }>(`
      SELECT COALESCE(ticket_type_name, ticket_type_id) AS type, COUNT(*) AS count FROM tickets
      WHERE event_id = ? AND is_valid = 1 GROUP BY type`),
    eventById: db.prepare<[string], EventRow>('SELECT * FROM events WHERE id = ?'),
    allEvents: db.prepare<[], EventRow>('SELECT * FROM events ORDER BY start_date, name'),
    upsertEvent: db.prepare(`
      INSERT INTO events (id, name, start_date, end_date, venue_name, ticket_types, tags, is_cancelled)
      VALUES (@id, @name, @start_date, @end_date, @venue_name, @ticket_types, @tags, @is_cancelled)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, start_date = excluded.start_date,
        end_date = excluded.end_date, venue_name = excluded.venue_name, ticket_types = excluded.ticket_types,
        tags = excluded.tags, is_cancelled = excluded.is_cancelled`),
  };

  return {
    get(barcode: string): TicketState | null {
      const row = statements.byBarcode.get(barcode);
      return row ? ticketFromRow(row) : null;
    },
    count(): number {
      return statements.count.get()?.count ?? 0;
    },
    /**
     * Merges a state from the relay into the stored one with the shared merge rule (the relay's own),
     * so this gate ends where the relay is; returns whether it inserted, updated or kept.
     */
    apply(state: TicketState): 'inserted' | 'updated' | 'kept' {
      const row = statements.byBarcode.get(state.barcode);
      const stored = row ? ticketFromRow(row) : null;
      if (joinTicketStates(stored, state) === stored) return 'kept';
      if (stored && isLookupUnchanged(stored, state)) statements.updateRest.run(...restValues(state));
      else statements.upsert.run(...ticketValues(state));
      return stored ? 'updated' : 'inserted';
    },
    /**
     * For a first load, where nearly every barcode is new: inserts without looking first (a stored
     * state and nothing are merged to the state itself), and only a barcode already stored goes
     * through `apply` and the merge rule.
     */
    applyNew(state: TicketState): 'inserted' | 'updated' | 'kept' {
      if (statements.insertNew.run(...ticketValues(state)).changes === 1) return 'inserted';
      return this.apply(state);
    },
    /**
     * Prefix search over every lookup key (names also from their second word); each key's own index
     * serves its query. With `isByCodeOnly` (names hidden) only barcodes and order numbers are searched.
     */
    search(query: string, limit: number, { isByCodeOnly = false } = {}): TicketState[] {
      const { low, high } = prefixRange(query);
      const found = new Map<string, TicketState>();
      const byCode = [statements.byBarcodePrefix, statements.byOrder];
      const byName = [
        statements.byHolder,
        statements.byCustomer,
        statements.byHolderRest,
        statements.byCustomerRest,
        statements.byEmail,
      ];
      for (const statement of isByCodeOnly ? byCode : [...byCode, ...byName]) {
        for (const row of statement.all(low, high, limit)) {
          if (found.size >= limit) break;
          if (!found.has(row.barcode)) found.set(row.barcode, ticketFromRow(row));
        }
      }
      return [...found.values()];
    },
    /** Every ticket of one order (exact order id). */
    ofOrder(orderId: string): TicketState[] {
      return statements.ofOrder.all(orderId).map(ticketFromRow);
    },
    /** Valid (sold) tickets of one event per ticket type (name, else id; null when it has none). */
    soldByType(eventId: string): { type: string | null; count: number }[] {
      return statements.soldByType.all(eventId);
    },
    event(id: string): EventInfo | null {
      const row = statements.eventById.get(id);
      return row ? eventFromRow(row) : null;
    },
    events(): EventInfo[] {
      return statements.allEvents.all().map(eventFromRow);
    },
    upsertEvent(event: EventInfo): void {
      statements.upsertEvent.run({
        id: event.id,
        name: event.name,
        start_date: event.startDate,
        end_date: event.endDate,
        venue_name: event.venueName,
        ticket_types: JSON.stringify(event.ticketTypes),
        tags: tagsColumn(event.tags),
        is_cancelled: event.isCancelled ? 1 : 0,
      });
    },
  };
}

export type TicketQueries = ReturnType<typeof createTicketQueries>;
