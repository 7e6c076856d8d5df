/**
 * Numbered, append-only schema migrations of the gate database, tracked in `PRAGMA user_version`.
 * Never edit a shipped migration: add the next number. All pending ones run in one transaction, and
 * a database written by a newer build is refused rather than guessed at.
 */
import type Database from 'better-sqlite3';

/**
 * A name from its second word on ("Priya Ramanathan" → "Ramanathan"), case-insensitive. Queries must
 * use exactly this expression for SQLite to answer them from the index.
 */
export function nameRest(column: 'holder_name' | 'customer_name'): string {
  return `substr(${column}, instr(${column}, ' ') + 1) COLLATE NOCASE`;
}

export const MIGRATIONS: readonly string[] = [
  // 1: the allowlist, scans, conflicts, settings and the sync cursor.
  `
  CREATE TABLE events (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT,
    venue_name TEXT,
    ticket_types TEXT NOT NULL
  ) STRICT;

  CREATE TABLE tickets (
    barcode TEXT PRIMARY KEY,
    ticket_id TEXT,
    order_id TEXT NOT NULL COLLATE NOCASE,
    event_id TEXT NOT NULL,
    ticket_type_id TEXT,
    ticket_type_name TEXT,
    holder_name TEXT COLLATE NOCASE,
    customer_name TEXT COLLATE NOCASE,
    email TEXT COLLATE NOCASE,
    is_valid INTEGER NOT NULL,
    cause TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    version_source TEXT NOT NULL,
    version_tx INTEGER NOT NULL,
    version_seq INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX tickets_order ON tickets (order_id);
  CREATE INDEX tickets_holder ON tickets (holder_name);
  CREATE INDEX tickets_customer ON tickets (customer_name);
  CREATE INDEX tickets_email ON tickets (email);

  CREATE TABLE scans (
    id TEXT PRIMARY KEY,
    barcode TEXT NOT NULL,
    event_id TEXT,
    gate TEXT NOT NULL,
    at TEXT NOT NULL,
    direction TEXT NOT NULL,
    result TEXT NOT NULL,
    reason TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT,
    annuls TEXT,
    is_local INTEGER NOT NULL,
    is_uploaded INTEGER NOT NULL,
    relay_seq INTEGER
  ) STRICT;
  CREATE INDEX scans_barcode ON scans (barcode, at);
  CREATE INDEX scans_at ON scans (at);
  CREATE INDEX scans_pending ON scans (at) WHERE is_uploaded = 0;

  CREATE TABLE conflicts (
    id TEXT PRIMARY KEY,
    barcode TEXT NOT NULL,
    event_id TEXT,
    scan_ids TEXT NOT NULL,
    detected_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TABLE sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cursor INTEGER NOT NULL,
    last_sync_at TEXT
  ) STRICT;
  INSERT INTO sync_state (id, cursor, last_sync_at) VALUES (1, 0, NULL);
  `,
  // 2: door staff look people up by surname too: index the names from their second word on.
  `
  CREATE INDEX tickets_holder_rest ON tickets (${nameRest('holder_name')});
  CREATE INDEX tickets_customer_rest ON tickets (${nameRest('customer_name')});
  `,
  // 3: order by sequence, never by wall clock: this gate's own decisions get a local sequence (the
  // order it made them; earlier ones numbered in the order they were stored), others' scans keep the
  // relay's seq. Log entries and snapshot items the gate could not apply are recorded.
  `
  ALTER TABLE scans ADD COLUMN local_seq INTEGER;
  WITH numbered AS (SELECT rowid AS row, row_number() OVER (ORDER BY rowid) AS seq FROM scans WHERE is_local = 1)
  UPDATE scans SET local_seq = numbered.seq FROM numbered WHERE scans.rowid = numbered.row;
  CREATE UNIQUE INDEX scans_local_seq ON scans (local_seq) WHERE local_seq IS NOT NULL;
  CREATE INDEX scans_pending_local ON scans (local_seq) WHERE is_uploaded = 0;

  CREATE TABLE apply_errors (
    id INTEGER PRIMARY KEY,
    seq INTEGER,
    what TEXT NOT NULL,
    error TEXT NOT NULL,
    item TEXT NOT NULL,
    recorded_at TEXT NOT NULL
  ) STRICT;
  `,
  // 4: door rules (issue 12): ticket-type and event tags for attention flags, the event's cancelled
  // mark, and the relay's index of other events' tickets — a keyed hash and an event id per ticket,
  // nothing personal — stamped with the seq that last confirmed it, plus the key to hash scans with.
  `
  ALTER TABLE tickets ADD COLUMN ticket_type_tags TEXT;
  ALTER TABLE events ADD COLUMN tags TEXT;
  ALTER TABLE events ADD COLUMN is_cancelled INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sync_state ADD COLUMN index_key BLOB;
  CREATE TABLE other_event_tickets (
    hash BLOB PRIMARY KEY,
    event_id TEXT NOT NULL,
    seq INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
  // 5: a ticket's version may come from an authoritative CSV import, which outranks webhooks of its
  // transaction id (issue 9); the merge needs to know.
  `
  ALTER TABLE tickets ADD COLUMN version_is_authoritative INTEGER NOT NULL DEFAULT 0;
  `,
  // 6: a conflict review (scan kind 'review') names the conflict it closes; reviews are found by it.
  `
  ALTER TABLE scans ADD COLUMN conflict_id TEXT;
  CREATE INDEX scans_review ON scans (conflict_id) WHERE conflict_id IS NOT NULL;
  `,
  // 7: a scan the relay refused (another gate's name, an event outside the hello, an annulment of
  // nothing) keeps the relay's reason and leaves the upload queue instead of being retried forever.
  `
  ALTER TABLE scans ADD COLUMN refused TEXT;
  DROP INDEX scans_pending_local;
  CREATE INDEX scans_pending_local ON scans (local_seq) WHERE is_uploaded = 0 AND refused IS NULL;
  `,
  // 8: tickets keyed by barcode in the table's own b-tree (WITHOUT ROWID): one b-tree to write per
  // ticket instead of a rowid table plus a barcode index, so a snapshot, sent in barcode order, is
  // stored as appends at about twice the rate. The lookup indexes are made again, by the same names.
  `
  CREATE TABLE tickets_by_barcode (
    barcode TEXT PRIMARY KEY,
    ticket_id TEXT,
    order_id TEXT NOT NULL COLLATE NOCASE,
    event_id TEXT NOT NULL,
    ticket_type_id TEXT,
    ticket_type_name TEXT,
    holder_name TEXT COLLATE NOCASE,
    customer_name TEXT COLLATE NOCASE,
    email TEXT COLLATE NOCASE,
    is_valid INTEGER NOT NULL,
    cause TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    version_source TEXT NOT NULL,
    version_tx INTEGER NOT NULL,
    version_seq INTEGER NOT NULL,
    ticket_type_tags TEXT,
    version_is_authoritative INTEGER NOT NULL DEFAULT 0
  ) STRICT, WITHOUT ROWID;
  INSERT INTO tickets_by_barcode (barcode, ticket_id, order_id, event_id, ticket_type_id, ticket_type_name,
    holder_name, customer_name, email, is_valid, cause, changed_at, version_source, version_tx, version_seq,
    ticket_type_tags, version_is_authoritative)
  SELECT barcode, ticket_id, order_id, event_id, ticket_type_id, ticket_type_name, holder_name,
    customer_name, email, is_valid, cause, changed_at, version_source, version_tx, version_seq,
    ticket_type_tags, version_is_authoritative
  FROM tickets ORDER BY barcode;
  DROP TABLE tickets;
  ALTER TABLE tickets_by_barcode RENAME TO tickets;
  CREATE INDEX tickets_order ON tickets (order_id);
  CREATE INDEX tickets_holder ON tickets (holder_name);
  CREATE INDEX tickets_customer ON tickets (customer_name);
  CREATE INDEX tickets_email ON tickets (email);
  CREATE INDEX tickets_holder_rest ON tickets (${nameRest('holder_name')});
  CREATE INDEX tickets_customer_rest ON tickets (${nameRest('customer_name')});
  `,
];

export class NewerDatabaseError extends Error {
  constructor(found: number, known: number) {
    super(
      `gate database is at schema version ${found}, newer than this build knows (${known}); upgrade Gatehouse`,
    );
  }
}

/** Brings the database to the latest schema; returns the version it started from. */
export function migrate(db: Database.Database): number {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > MIGRATIONS.length) throw new NewerDatabaseError(current, MIGRATIONS.length);
  if (current === MIGRATIONS.length) return current;
  db.transaction(() => {
    for (let version = current; version < MIGRATIONS.length; version += 1) {
      db.exec(MIGRATIONS[version] ?? '');
    }
    // user_version cannot be bound; the value is our own integer.
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
  return current;
}
