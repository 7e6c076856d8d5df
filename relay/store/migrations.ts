/**
 * Numbered, append-only schema migrations tracked in PRAGMA user_version and applied in one
 * transaction. The relay refuses a database written by a newer version of itself.
 * Add a migration: append an entry; never edit one that has shipped.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: the initial schema.
  `
  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    origin TEXT NOT NULL,
    body TEXT NOT NULL,
    event_type TEXT NOT NULL,
    context_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    log_head INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    origin TEXT NOT NULL,
    body TEXT NOT NULL,
    error TEXT NOT NULL,
    reprocessed_at TEXT,
    delivery_id INTEGER REFERENCES deliveries(id)
  ) STRICT;
  CREATE TABLE orders (
    order_id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    source TEXT NOT NULL,
    tx_id INTEGER NOT NULL,
    version_seq INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE tickets (
    barcode TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    state TEXT NOT NULL,
    seq INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX tickets_by_order ON tickets(order_id);
  CREATE INDEX tickets_by_event ON tickets(event_id);
  CREATE TABLE events (
    event_id TEXT PRIMARY KEY,
    info TEXT NOT NULL,
    is_full INTEGER NOT NULL,
    seq INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    event_id TEXT,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX log_by_event ON log(event_id, seq);
  CREATE TABLE scans (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    event_id TEXT,
    gate TEXT NOT NULL,
    record TEXT NOT NULL
  ) STRICT;
  CREATE INDEX scans_by_event ON scans(event_id, seq);
  CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    source TEXT NOT NULL,
    rows INTEGER NOT NULL,
    imported_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE gates (
    name TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  ) STRICT;
  `,
  // 2: issue 9. Tickets skipped inside readable deliveries are kept for operators; the events a
  // ticket moved away from still hear of it; CSV imports may be authoritative. Blank barcodes an
  // older relay stored (a barcode of spaces, trimmed to "") broke every snapshot: moved to the
  // skipped list.
  `
  CREATE TABLE skipped_tickets (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER REFERENCES deliveries(id),
    position INTEGER,
    reason TEXT NOT NULL,
    ticket TEXT NOT NULL,
    recorded_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX skipped_tickets_by_delivery ON skipped_tickets(delivery_id);
  CREATE TABLE ticket_moves (
    barcode TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (barcode, event_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX ticket_moves_by_event ON ticket_moves(event_id);
  ALTER TABLE imports ADD COLUMN is_authoritative INTEGER NOT NULL DEFAULT 0;
  INSERT INTO skipped_tickets (delivery_id, position, reason, ticket, recorded_at)
    SELECT NULL, NULL, 'barcode is blank (found stored on upgrade)', state, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    FROM tickets WHERE trim(barcode) = '';
  DELETE FROM tickets WHERE trim(barcode) = '';
  `,
  // 3: issue 12. The key of the other-events index (gates get keyed hashes of other events'
  // barcodes): one row, made on first use and kept here so every relay on this database agrees.
  `
  CREATE TABLE index_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL CHECK (length(key) = 32)
  ) STRICT;
  `,
  // 4: issue 14. A webhook is acknowledged once its delivery is durable here; applying it to tickets
  // and the log follows in a later transaction, which deletes the row (store/pending.ts).
  `
  CREATE TABLE pending_deliveries (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    origin TEXT NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  `,
  // 5: issue 15. Venue relays. A venue token (gates.is_venue) uploads scans on behalf of the venue's
  // own gates. A relay chained to an upstream relay keeps its upstream cursor in `upstream` (written
  // with the mirrored entries, in one transaction) and the scans of its own gates still to forward in
  // `upstream_outbox` (written with the scan, deleted when the upstream acknowledges it), so a crash
  // loses or doubles nothing upstream. A scan the upstream refuses keeps its row with the refusal, for
  // operators (a gate token given as the venue token would otherwise drop every scan silently).
  `
  ALTER TABLE gates ADD COLUMN is_venue INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE upstream (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cursor INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE upstream_outbox (
    scan_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    refusal TEXT
  ) STRICT;
  CREATE INDEX upstream_outbox_by_seq ON upstream_outbox(seq);
  `,
  // 6: issue 14. A burst may leave up to 200,000 deliveries pending. Counting them (every gate's hello
  // reads the store's stats) walked the whole table, bodies and all: 78 ms at 150,000 rows. With
  // this narrow index SQLite counts the index instead (well under 1 ms).
  `
  CREATE INDEX pending_deliveries_origin ON pending_deliveries (origin);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export class SchemaTooNewError extends Error {
  constructor(found: number) {
    super(
      `database schema version ${found} is newer than this relay understands (${SCHEMA_VERSION}); upgrade the relay`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/** Checked before anything else touches the file (even the journal mode). */
export function assertSchemaNotNewer(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) throw new SchemaTooNewError(current);
}

export function migrate(db: Database.Database): void {
  assertSchemaNotNewer(db);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let version = current; version < SCHEMA_VERSION; version += 1) {
      db.exec(MIGRATIONS[version] ?? '');
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
