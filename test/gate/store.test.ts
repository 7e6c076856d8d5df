/** The gate store over a real temporary SQLite file: migrations, apply, cursor atomicity, conflicts. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEntries, applySnapshotChunk, finishSnapshot } from '../../electron/gate/apply.js';
import { GateStore } from '../../electron/gate/store/index.js';
import { MIGRATIONS, nameRest, NewerDatabaseError } from '../../electron/gate/store/migrations.js';
import { lookup } from '../../electron/gate/views.js';
import type { LogEntry } from '../../shared/protocol.js';
import { makeTempDir } from '../relay/support.js';
import { eventInfo, scanRecord, ticketState } from './fixtures.js';

const NOW = '2026-11-27T10:00:00.000Z';
let dir: ReturnType<typeof makeTempDir>;
let store: GateStore;
const path = () => join(dir.path, 'gate.db');

beforeEach(() => {
  dir = makeTempDir();
  store = new GateStore(path());
});
afterEach(async () => {
  await store.closeFully();
  dir.remove();
});

describe('gate store', () => {
  it('migrates a new database to the latest version in WAL with synchronous=FULL', () => {
    const raw = new Database(path(), { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    expect(store.state.cursor()).toBe(0);
  });

  it('refuses a database written by a newer build and leaves it untouched', () => {
    store.close();
    const raw = new Database(path());
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => new GateStore(path())).toThrow(NewerDatabaseError);
    const check = new Database(path(), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    check.close();
    store = new GateStore(join(dir.path, 'other.db'));
  });

  it('upgrades the tickets of a version-7 database to a table keyed by barcode, keeping every ticket and lookup', () => {
    const oldPath = join(dir.path, 'v7.db');
    const raw = new Database(oldPath);
    raw.transaction(() => {
      for (const migration of MIGRATIONS.slice(0, 7)) raw.exec(migration);
      raw.pragma('user_version = 7');
    })();
    const insert = raw.prepare(
      `INSERT INTO tickets (barcode, order_id, event_id, holder_name, is_valid, cause, changed_at,
        version_source, version_tx, version_seq, ticket_type_tags, version_is_authoritative)
       VALUES (?, ?, '1', ?, ?, 'sold', ?, 'csv', 5, 9, '["vip"]', 1)`,
    );
    insert.run('B-2', 'O-1', 'Ana Sousa', 1, NOW);
    insert.run('A-1', 'O-1', 'Priya Ramanathan', 0, NOW);
    raw.close();

    const upgraded = new GateStore(oldPath);
    try {
      expect(upgraded.tickets.get('A-1')).toMatchObject({
        orderId: 'O-1',
        holderName: 'Priya Ramanathan',
        valid: false,
        ticketTypeTags: ['vip'],
        version: { source: 'csv', txId: 5, seq: 9, isAuthoritative: true },
      });
      expect(upgraded.tickets.count()).toBe(2);
      expect(upgraded.missingTicketIndexes()).toEqual([]);
      // Found by surname through its index, as before.
      expect(upgraded.tickets.search('Ramanathan', 10).map((ticket) => ticket.barcode)).toEqual(['A-1']);
    } finally {
      upgraded.close();
    }
    const check = new Database(oldPath, { readonly: true });
    const table = check.prepare("SELECT sql FROM sqlite_master WHERE name = 'tickets'").get() as {
      sql: string;
    };
    expect(table.sql).toMatch(/WITHOUT ROWID/);
    check.close();
  });

  it('keeps lookups right across new versions: a refund keeps the names found, a new holder is found by the new name only', () => {
    const entry = (seq: number, overrides: Parameters<typeof ticketState>[1]): LogEntry => ({
      seq,
      kind: 'ticket',
      ticket: ticketState('LK-1', { ...overrides, version: { source: 'webhook', txId: seq, seq } }),
    });
    const found = (query: string) => store.tickets.search(query, 10).map((ticket) => ticket.barcode);
    applyEntries(store, 'Gate 1', [entry(1, { holderName: 'Ana Sousa', orderId: 'O-77' })], NOW);
    applyEntries(
      store,
      'Gate 1',
      [entry(2, { holderName: 'Ana Sousa', orderId: 'O-77', valid: false, cause: 'refunded' })],
      NOW,
    );
    expect(store.tickets.get('LK-1')).toMatchObject({
      valid: false,
      cause: 'refunded',
      version: { txId: 2 },
    });
    expect(found('Sousa')).toEqual(['LK-1']);
    expect(found('O-77')).toEqual(['LK-1']);
    applyEntries(store, 'Gate 1', [entry(3, { holderName: 'Bea Okafor', orderId: 'O-78' })], NOW);
    expect(found('Okafor')).toEqual(['LK-1']);
    expect(found('O-78')).toEqual(['LK-1']);
    expect(found('Sousa')).toEqual([]);
    expect(found('O-77')).toEqual([]);
  });

  it('has STRICT tables: a value of the wrong type is rejected', () => {
    store.close();
    const raw = new Database(path());
    expect(() => raw.prepare("INSERT INTO sync_state (id, cursor) VALUES (1, 'many')").run()).toThrow();
    for (const column of ['holder_name', 'customer_name'] as const) {
      const rest = nameRest(column);
      const plan = raw
        .prepare(`EXPLAIN QUERY PLAN SELECT * FROM tickets WHERE ${rest} >= ? AND ${rest} < ? LIMIT 50`)
        .all('abc', 'abd');
      expect(JSON.stringify(plan)).toMatch(/USING INDEX tickets_\w+_rest/);
    }
    raw.close();
    store = new GateStore(path());
  });

  it('applies entries once, in seq order, and stores the cursor with them', () => {
    const entries: LogEntry[] = [
      {
        seq: 2,
        kind: 'ticket',
        ticket: ticketState('B1', {
          valid: false,
          cause: 'not_valid',
          version: { source: 'webhook', txId: 11, seq: 2 },
        }),
      },
      { seq: 1, kind: 'ticket', ticket: ticketState('B1') },
      { seq: 3, kind: 'event', event: eventInfo('E1') },
    ];
    const first = applyEntries(store, 'Gate 1', entries, NOW);
    expect(first.cursor).toBe(3);
    expect(store.tickets.get('B1')?.valid).toBe(false);
    const again = applyEntries(store, 'Gate 1', entries, NOW);
    expect(again.ticketsChanged).toBe(0);
    expect(store.state.cursor()).toBe(3);
    expect(store.tickets.count()).toBe(1);
  });

  it('applies the other entries of a batch when one cannot be stored, records it, and moves past it', () => {
    const broken = {
      seq: 2,
      kind: 'ticket',
      ticket: { ...ticketState('B2'), cause: null },
    } as unknown as LogEntry;
    const good = (seq: number, barcode: string): LogEntry => ({
      seq,
      kind: 'ticket',
      ticket: ticketState(barcode),
    });
    const outcome = applyEntries(store, 'Gate 1', [good(1, 'B1'), broken, good(3, 'B3')], NOW);
    expect(store.tickets.get('B1')?.valid).toBe(true);
    expect(store.tickets.get('B2')).toBeNull();
    expect(store.tickets.get('B3')?.valid).toBe(true);
    expect(store.state.cursor()).toBe(3);
    expect(outcome.errors).toEqual([expect.stringMatching(/^could not apply log entry 2: .*NOT NULL/)]);
    expect(store.applyErrors.count()).toBe(1);
  });

  it('rolls back the whole batch and its cursor when the disk is full (a real SQLITE_FULL)', () => {
    // max_page_count caps this connection's database where it stands: the next new page fails.
    const db = (store as unknown as { db: Database.Database }).db;
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    const entries: LogEntry[] = Array.from({ length: 2_000 }, (_, index) => ({
      seq: index + 1,
      kind: 'ticket',
      ticket: ticketState(`FULL-${index}`),
    }));
    expect(() => applyEntries(store, 'Gate 1', entries, NOW)).toThrow(/full/);
    expect(store.tickets.get('FULL-0')).toBeNull();
    expect(store.state.cursor()).toBe(0);
    expect(store.applyErrors.count()).toBe(0);
  });

  it('never lets an older version overwrite a newer one (a stale snapshot after a refund)', () => {
    applyEntries(
      store,
      'Gate 1',
      [
        {
          seq: 5,
          kind: 'ticket',
          ticket: ticketState('B1', { valid: false, version: { source: 'webhook', txId: 20, seq: 5 } }),
        },
      ],
      NOW,
    );
    applySnapshotChunk(
      store,
      'Gate 1',
      {
        events: [],
        tickets: [ticketState('B1', { version: { source: 'webhook', txId: 10, seq: 1 } })],
        scans: [],
      },
      NOW,
    );
    expect(store.tickets.get('B1')?.valid).toBe(false);
  });

  it('leaves the cursor alone until snapshot-end, so an interrupted snapshot starts over', () => {
    applySnapshotChunk(
      store,
      'Gate 1',
      { events: [eventInfo('E1')], tickets: [ticketState('B1'), ticketState('B2')], scans: [] },
      NOW,
    );
    expect(store.state.cursor()).toBe(0);
    expect(store.tickets.count()).toBe(2);
    finishSnapshot(store, 42, NOW);
    expect(store.state.cursor()).toBe(42);
    expect(store.state.lastSyncAt()).toBe(NOW);
  });

  it('records a conflict when another gate’s admission of a barcode admitted here arrives', () => {
    const mine = scanRecord({ gate: 'Gate 1', at: '2026-11-27T09:00:00.000Z' });
    store.scans.insert(mine, { isLocal: true, isUploaded: false, relaySeq: null });
    const theirs = scanRecord({ gate: 'Gate 2', at: '2026-11-27T09:00:05.000Z' });
    const outcome = applyEntries(store, 'Gate 1', [{ seq: 1, kind: 'scan', scan: theirs }], NOW);
    expect(outcome.conflictsAdded).toBe(1);
    const again = applyEntries(store, 'Gate 1', [{ seq: 2, kind: 'scan', scan: theirs }], NOW);
    expect(again.conflictsAdded).toBe(0);
    // In sequence order: ours has no relay seq yet, so it comes after theirs (as it will at the relay).
    expect(store.scans.conflicts()).toEqual([
      expect.objectContaining({ barcode: 'B1', scanIds: [theirs.id, mine.id] }),
    ]);
  });

  it('records no conflict when the holder exited in between, or the first admission was annulled', () => {
    const first = scanRecord({ gate: 'Gate 1', at: '2026-11-27T09:00:00.000Z' });
    const exit = scanRecord({
      gate: 'Gate 1',
      direction: 'out',
      reason: 'exited',
      at: '2026-11-27T09:10:00.000Z',
    });
    const back = scanRecord({ gate: 'Gate 2', at: '2026-11-27T09:20:00.000Z' });
    applyEntries(
      store,
      'Gate 1',
      [
        { seq: 1, kind: 'scan', scan: first },
        { seq: 2, kind: 'scan', scan: exit },
        { seq: 3, kind: 'scan', scan: back },
      ],
      NOW,
    );
    const other = scanRecord({ barcode: 'B2', gate: 'Gate 1', at: '2026-11-27T09:00:00.000Z' });
    const annul = scanRecord({
      barcode: 'B2',
      gate: 'Gate 1',
      kind: 'annul',
      result: 'deny',
      reason: 'annulled',
      annuls: other.id,
      at: '2026-11-27T09:00:30.000Z',
    });
    const late = scanRecord({ barcode: 'B2', gate: 'Gate 2', at: '2026-11-27T09:01:00.000Z' });
    applyEntries(
      store,
      'Gate 1',
      [
        { seq: 4, kind: 'scan', scan: other },
        { seq: 5, kind: 'scan', scan: annul },
        { seq: 6, kind: 'scan', scan: late },
      ],
      NOW,
    );
    expect(store.scans.conflictCount()).toBe(0);
  });

  it('orders a history by relay seq, then its own unsent decisions as made, never by wall clock', () => {
    const at = (minute: string) => `2026-11-27T09:${minute}:00.000Z`;
    // Gate 2's clock runs late; ours went back an hour between its decisions.
    const theirs = scanRecord({ gate: 'Gate 2', at: at('05') });
    const exit = scanRecord({ gate: 'Gate 1', direction: 'out', reason: 'exited', at: at('40') });
    const back = scanRecord({ gate: 'Gate 1', reason: 'readmitted', at: at('00') });
    const again = scanRecord({ gate: 'Gate 1', result: 'deny', reason: 'already_admitted', at: at('01') });
    applyEntries(store, 'Gate 1', [{ seq: 3, kind: 'scan', scan: theirs }], NOW);
    for (const scan of [exit, back, again]) {
      store.scans.insert(scan, { isLocal: true, isUploaded: false, relaySeq: null });
    }
    expect(store.scans.pending(10).map((scan) => scan.id)).toEqual([exit.id, back.id, again.id]);
    store.scans.markUploaded(exit.id, 7);
    expect(store.scans.history('B1').map((scan) => scan.id)).toEqual([theirs.id, exit.id, back.id, again.id]);
    expect(store.scans.pending(10).map((scan) => scan.id)).toEqual([back.id, again.id]);
  });

  it('marks our own scan uploaded when it comes back from the relay', () => {
    const mine = scanRecord({ gate: 'Gate 1' });
    store.scans.insert(mine, { isLocal: true, isUploaded: false, relaySeq: null });
    expect(store.scans.pendingCount()).toBe(1);
    applyEntries(store, 'Gate 1', [{ seq: 9, kind: 'scan', scan: mine }], NOW);
    expect(store.scans.pendingCount()).toBe(0);
  });

  it('looks tickets up by barcode prefix (any case), names, email and order id, at most 50', () => {
    const tickets = Array.from({ length: 60 }, (_, index) =>
      ticketState(`F2D7${String(index).padStart(4, '0')}`, {
        orderId: `ORD-${index}`,
        holderName: index === 7 ? 'Jane Citizen' : 'Fred Durst',
        email: `fan${index}@example.com`,
      }),
    );
    applySnapshotChunk(store, 'Gate 1', { events: [eventInfo('E1')], tickets, scans: [] }, NOW);
    expect(lookup(store, 'f2d7')).toHaveLength(50);
    expect(lookup(store, 'jane').map((detail) => detail.barcode)).toEqual(['F2D70007']);
    expect(lookup(store, 'FAN59@')[0]?.orderId).toBe('ORD-59');
    expect(lookup(store, 'ORD-42')[0]).toMatchObject({
      barcode: 'F2D70042',
      eventName: 'Show E1',
      valid: true,
      inside: false,
      history: [],
    });
    expect(lookup(store, 'nobody')).toEqual([]);
  });

  it('finds a person by surname or a later word of the name, not only by its start', () => {
    const tickets = [
      ticketState('SUR-1', { holderName: 'Priya Ramanathan', customerName: 'Priya Ramanathan' }),
      ticketState('SUR-2', { holderName: 'Mary Jane Watson', customerName: 'Peter Parker' }),
      ticketState('SUR-3', { holderName: 'Ramona Flowers', customerName: 'Ramona Flowers' }),
    ];
    applySnapshotChunk(store, 'Gate 1', { events: [eventInfo('E1')], tickets, scans: [] }, NOW);
    expect(lookup(store, 'ramanath').map((detail) => detail.barcode)).toEqual(['SUR-1']);
    expect(lookup(store, 'jane w').map((detail) => detail.barcode)).toEqual(['SUR-2']);
    expect(lookup(store, 'parker').map((detail) => detail.barcode)).toEqual(['SUR-2']);
    // The start of a name still matches; a word's middle does not.
    expect(lookup(store, 'ramo').map((detail) => detail.barcode)).toEqual(['SUR-3']);
    expect(lookup(store, 'anathan')).toEqual([]);
  });

  it('answers lookups from indexes, not table scans', () => {
    store.close();
    const raw = new Database(path(), { readonly: true });
    for (const column of ['holder_name', 'customer_name', 'email', 'order_id', 'barcode']) {
      const plan = raw
        .prepare(`EXPLAIN QUERY PLAN SELECT * FROM tickets WHERE ${column} >= ? AND ${column} < ? LIMIT 50`)
        .all('abc', 'abd');
      expect(JSON.stringify(plan)).toMatch(/USING (INDEX|PRIMARY KEY)/);
    }
    raw.close();
    store = new GateStore(path());
  });
});
