/**
 * Numbered, append-only migrations of the PostgreSQL relay schema, tracked in `schema_version` and
 * applied in one transaction under an advisory lock, so replicas starting together migrate once. The
 * relay refuses a database written by a newer version of itself. Add a migration: append an entry;
 * never edit one that has shipped.
 *
 * `log_head` is the single row every write transaction locks first (SELECT … FOR UPDATE): writers are
 * serialised, so log seqs commit in order and a reader that saw seq N has seen everything below it.
 */
import type pg from 'pg';
import { Tx } from './connection.js';

export const PG_MIGRATIONS: readonly string[] = [
  // 1: the initial schema (the SQLite schema as of its migration 2, plus the log head and index key).
  `
  CREATE TABLE log_head (
    id integer PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL,
    last_delivery bigint NOT NULL
  );
  INSERT INTO log_head (id, seq, last_delivery) VALUES (1, 0, 0);
  CREATE TABLE deliveries (
    id bigint PRIMARY KEY,
    received_at text NOT NULL,
    origin text NOT NULL,
    body text NOT NULL,
    event_type text NOT NULL,
    context_id text NOT NULL,
    outcome text NOT NULL,
    log_head bigint NOT NULL
  );
  CREATE INDEX deliveries_webhooks ON deliveries (id) WHERE origin = 'webhook';
  CREATE TABLE quarantine (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at text NOT NULL,
    origin text NOT NULL,
    body text NOT NULL,
    error text NOT NULL,
    reprocessed_at text,
    delivery_id bigint REFERENCES deliveries (id)
  );
  CREATE TABLE orders (
    order_id text PRIMARY KEY,
    event_id text NOT NULL,
    source text NOT NULL,
    tx_id bigint NOT NULL,
    version_seq bigint NOT NULL,
    updated_at text NOT NULL
  );
  CREATE TABLE tickets (
    barcode text PRIMARY KEY,
    event_id text NOT NULL,
    order_id text NOT NULL,
    state text NOT NULL,
    seq bigint NOT NULL
  );
  CREATE INDEX tickets_by_order ON tickets (order_id);
  CREATE INDEX tickets_by_event ON tickets (event_id);
  CREATE TABLE ticket_moves (
    barcode text NOT NULL,
    event_id text NOT NULL,
    PRIMARY KEY (barcode, event_id)
  );
  CREATE INDEX ticket_moves_by_event ON ticket_moves (event_id);
  CREATE TABLE events (
    event_id text PRIMARY KEY,
    info text NOT NULL,
    is_full boolean NOT NULL,
    seq bigint NOT NULL
  );
  CREATE TABLE log (
    seq bigint PRIMARY KEY,
    kind text NOT NULL,
    event_id text,
    payload text NOT NULL,
    created_at text NOT NULL
  );
  CREATE INDEX log_by_event ON log (event_id, seq);
  CREATE TABLE scans (
    id text PRIMARY KEY,
    seq bigint NOT NULL,
    event_id text,
    gate text NOT NULL,
    record text NOT NULL
  );
  CREATE INDEX scans_by_event ON scans (event_id, seq);
  CREATE TABLE imports (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id text NOT NULL,
    source text NOT NULL,
    rows integer NOT NULL,
    imported_at text NOT NULL,
    is_authoritative boolean NOT NULL
  );
  CREATE TABLE skipped_tickets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id bigint REFERENCES deliveries (id),
    position integer,
    reason text NOT NULL,
    ticket text NOT NULL,
    recorded_at text NOT NULL
  );
  CREATE INDEX skipped_tickets_by_delivery ON skipped_tickets (delivery_id);
  CREATE TABLE gates (
    name text PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    created_at text NOT NULL,
    revoked_at text
  );
  CREATE TABLE index_key (
    id integer PRIMARY KEY CHECK (id = 1),
    key bytea NOT NULL CHECK (length(key) = 32)
  );
  `,
  // 2: venue tokens (issue 15): a venue relay's token uploads scans of its own gates.
  `ALTER TABLE gates ADD COLUMN is_venue integer NOT NULL DEFAULT 0 CHECK (is_venue IN (0, 1));`,
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** Any constant shared by every replica: the lock that lets one of them migrate at a time. */
const MIGRATION_LOCK = 0x6761_7465;

export class PgSchemaTooNewError extends Error {
  constructor(found: number) {
    super(
      `database schema version ${found} is newer than this relay understands (${PG_SCHEMA_VERSION}); upgrade the relay`,
    );
    this.name = 'SchemaTooNewError';
  }
}

export async function migratePg(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  const tx = new Tx(client);
  try {
    await tx.run('BEGIN');
    await tx.run('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.run('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const row = await tx.one<{ version: number }>('SELECT max(version) AS version FROM schema_version');
    const current = row?.version ?? 0;
    if (current > PG_SCHEMA_VERSION) throw new PgSchemaTooNewError(current);
    for (let version = current; version < PG_SCHEMA_VERSION; version += 1) {
      await client.query(PG_MIGRATIONS[version] ?? '');
      await tx.run('INSERT INTO schema_version (version) VALUES ($1)', [version + 1]);
    }
    await tx.run('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
