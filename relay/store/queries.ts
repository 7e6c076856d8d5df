/**
 * Every SQL statement of the relay store, prepared once and grouped by entity. Every value is bound;
 * event-id lists are bound as one JSON array and expanded with json_each.
 */
import type Database from 'better-sqlite3';
import type { LogRow } from './rows.js';

export type { LogRow } from './rows.js';

export interface GateRecord {
  name: string;
  created_at: string;
  revoked_at: string | null;
  is_venue: number;
}

export function prepareQueries(db: Database.Database) {
  const statement = <Row = unknown>(sql: string) => db.prepare<unknown[], Row>(sql);
  return {
    deliveries: {
      insert: statement(
        `INSERT INTO deliveries (id, received_at, origin, body, event_type, context_id, outcome, log_head)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      /** The highest delivery id given out, applied or still pending. */
      last: statement<{ id: number }>(
        `SELECT max(coalesce((SELECT max(id) FROM deliveries), 0),
                    coalesce((SELECT max(id) FROM pending_deliveries), 0)) AS id`,
      ),
      lastWebhookAt: statement<{ received_at: string }>(
        `SELECT received_at FROM deliveries WHERE origin = 'webhook' ORDER BY id DESC LIMIT 1`,
      ),
    },
    /** Deliveries accepted and durable, not yet applied (store/pending.ts). */
    pending: {
      insert: statement(`INSERT INTO pending_deliveries (id, received_at, origin, body) VALUES (?, ?, ?, ?)`),
      oldest: statement<{ id: number; received_at: string; origin: string; body: string }>(
        `SELECT id, received_at, origin, body FROM pending_deliveries ORDER BY id LIMIT ?`,
      ),
      remove: statement(`DELETE FROM pending_deliveries WHERE id = ?`),
      count: statement<{ count: number }>(`SELECT count(*) AS count FROM pending_deliveries`),
      lastWebhookAt: statement<{ received_at: string }>(
        `SELECT received_at FROM pending_deliveries WHERE origin = 'webhook' ORDER BY id DESC LIMIT 1`,
      ),
    },
    skipped: {
      insert: statement(
        `INSERT INTO skipped_tickets (delivery_id, position, reason, ticket, recorded_at) VALUES (?, ?, ?, ?, ?)`,
      ),
      count: statement<{ count: number }>(`SELECT count(*) AS count FROM skipped_tickets`),
    },
    quarantine: {
      insert: statement(`INSERT INTO quarantine (received_at, origin, body, error) VALUES (?, ?, ?, ?)`),
      list: statement<{
        id: number;
        received_at: string;
        error: string;
        bytes: number;
        preview: string;
        reprocessed_at: string | null;
        delivery_id: number | null;
      }>(
        `SELECT id, received_at, error, length(CAST(body AS BLOB)) AS bytes, substr(body, 1, 80) AS preview,
                reprocessed_at, delivery_id FROM quarantine ORDER BY id`,
      ),
      pending: statement<{ id: number; received_at: string; body: string }>(
        `SELECT id, received_at, body FROM quarantine WHERE reprocessed_at IS NULL ORDER BY id`,
      ),
      resolve: statement(`UPDATE quarantine SET reprocessed_at = ?, delivery_id = ? WHERE id = ?`),
      fail: statement(`UPDATE quarantine SET error = ? WHERE id = ?`),
      remove: statement(`DELETE FROM quarantine WHERE id = ?`),
      countPending: statement<{ count: number }>(
        `SELECT count(*) AS count FROM quarantine WHERE reprocessed_at IS NULL`,
      ),
    },
    orders: {
      get: statement<{ source: string; tx_id: number; version_seq: number }>(
        `SELECT source, tx_id, version_seq FROM orders WHERE order_id = ?`,
      ),
      upsert: statement(
        `INSERT INTO orders (order_id, event_id, source, tx_id, version_seq, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (order_id) DO UPDATE SET event_id = excluded.event_id, source = excluded.source,
           tx_id = excluded.tx_id, version_seq = excluded.version_seq, updated_at = excluded.updated_at`,
      ),
    },
    tickets: {
      ofOrder: statement<{ state: string }>(`SELECT state FROM tickets WHERE order_id = ?`),
      get: statement<{ state: string }>(`SELECT state FROM tickets WHERE barcode = ?`),
      ofEvents: statement<{ state: string }>(
        `SELECT state FROM tickets WHERE event_id IN (SELECT value FROM json_each(?)) ORDER BY barcode`,
      ),
      /** Tickets that moved away from any of the events (and are not now in one of them). */
      movedFromEvents: statement<{ state: string }>(
        `SELECT state FROM tickets
         WHERE barcode IN (SELECT barcode FROM ticket_moves WHERE event_id IN (SELECT value FROM json_each(?)))
           AND event_id NOT IN (SELECT value FROM json_each(?))
         ORDER BY barcode`,
      ),
      /** A new version that changes nothing a gate sees: no log entry, the row keeps its seq. */
      updateState: statement(`UPDATE tickets SET state = ? WHERE barcode = ?`),
      upsert: statement(
        `INSERT INTO tickets (barcode, event_id, order_id, state, seq) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (barcode) DO UPDATE SET event_id = excluded.event_id, order_id = excluded.order_id,
           state = excluded.state, seq = excluded.seq`,
      ),
    },
    moves: {
      insert: statement(`INSERT OR IGNORE INTO ticket_moves (barcode, event_id) VALUES (?, ?)`),
      ofBarcode: statement<{ event_id: string }>(`SELECT event_id FROM ticket_moves WHERE barcode = ?`),
    },
    events: {
      get: statement<{ info: string; is_full: number }>(
        `SELECT info, is_full FROM events WHERE event_id = ?`,
      ),
      all: statement<{ info: string }>(`SELECT info FROM events ORDER BY event_id`),
      upsert: statement(
        `INSERT INTO events (event_id, info, is_full, seq) VALUES (?, ?, ?, ?)
         ON CONFLICT (event_id) DO UPDATE SET info = excluded.info, is_full = excluded.is_full, seq = excluded.seq`,
      ),
    },
    log: {
      head: statement<{ head: number }>(`SELECT coalesce(max(seq), 0) AS head FROM log`),
      oldest: statement<{ oldest: number }>(`SELECT coalesce(min(seq), 0) AS oldest FROM log`),
      insert: statement(`INSERT INTO log (seq, kind, event_id, payload, created_at) VALUES (?, ?, ?, ?, ?)`),
      after: statement<LogRow>(
        `SELECT seq, kind, event_id, payload FROM log WHERE seq > ? ORDER BY seq LIMIT ?`,
      ),
      afterForEvents: statement<LogRow>(
        `SELECT seq, kind, event_id, payload FROM log
         WHERE seq > ? AND (kind = 'event' OR event_id IN (SELECT value FROM json_each(?)))
         ORDER BY seq LIMIT ?`,
      ),
      prune: statement(`DELETE FROM log WHERE seq <= (SELECT max(seq) FROM log) - ?`),
    },
    scans: {
      get: statement<{ seq: number }>(`SELECT seq FROM scans WHERE id = ?`),
      byId: statement<{ seq: number; record: string }>(`SELECT seq, record FROM scans WHERE id = ?`),
      insert: statement(`INSERT INTO scans (id, seq, event_id, gate, record) VALUES (?, ?, ?, ?, ?)`),
      ofEvents: statement<{ seq: number; record: string }>(
        `SELECT seq, record FROM scans WHERE event_id IN (SELECT value FROM json_each(?)) ORDER BY seq`,
      ),
    },
    imports: {
      insert: statement(
        `INSERT INTO imports (event_id, source, rows, imported_at, is_authoritative) VALUES (?, ?, ?, ?, ?)`,
      ),
    },
    gates: {
      insert: statement(`INSERT INTO gates (name, token_hash, created_at, is_venue) VALUES (?, ?, ?, ?)`),
      byHash: statement<GateRecord>(
        `SELECT name, created_at, revoked_at, is_venue FROM gates WHERE token_hash = ?`,
      ),
      list: statement<GateRecord>(`SELECT name, created_at, revoked_at, is_venue FROM gates ORDER BY name`),
      revoke: statement(`UPDATE gates SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`),
      exists: statement<{ name: string }>(`SELECT name FROM gates WHERE name = ?`),
    },
    indexKey: {
      get: statement<{ key: Buffer }>(`SELECT key FROM index_key WHERE id = 1`),
      /** The first relay to ask makes the key; a race between two is settled by the primary key. */
      create: statement(`INSERT INTO index_key (id, key) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`),
    },
    /** A relay chained to an upstream relay: its cursor there and the scans it must still forward. */
    upstream: {
      cursor: statement<{ cursor: number }>(`SELECT cursor FROM upstream WHERE id = 1`),
      setCursor: statement(
        `INSERT INTO upstream (id, cursor) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor`,
      ),
      enqueue: statement(`INSERT OR IGNORE INTO upstream_outbox (scan_id, seq) VALUES (?, ?)`),
      dequeue: statement(`DELETE FROM upstream_outbox WHERE scan_id = ?`),
      pending: statement<{ record: string }>(
        `SELECT scans.record FROM upstream_outbox JOIN scans ON scans.id = upstream_outbox.scan_id
         WHERE upstream_outbox.refusal IS NULL ORDER BY upstream_outbox.seq LIMIT ?`,
      ),
      refuse: statement(`UPDATE upstream_outbox SET refusal = ? WHERE scan_id = ?`),
      counts: statement<{ pending: number; refused: number }>(
        `SELECT count(*) FILTER (WHERE refusal IS NULL) AS pending, count(refusal) AS refused FROM upstream_outbox`,
      ),
    },
  };
}

export type Queries = ReturnType<typeof prepareQueries>;
