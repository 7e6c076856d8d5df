/**
 * The statements the shared write path (apply.ts, apply-tickets.ts, log-appender.ts, reprocessing)
 * runs, as a synchronous interface. SQLite's prepared statements (queries.ts) satisfy it as they are;
 * the PostgreSQL store satisfies it with the facts of a batch loaded before the merge and the writes
 * collected for one flush after it (pg/batch-facts.ts). So both stores run the very same merge code.
 */

interface Get<Args extends unknown[], Row> {
  get(...args: Args): Row | undefined;
}
interface All<Args extends unknown[], Row> {
  all(...args: Args): Row[];
}
export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}
interface Run<Args extends unknown[]> {
  run(...args: Args): RunResult;
}

export interface OrderRow {
  source: string;
  tx_id: number;
  version_seq: number;
}
export interface EventRow {
  info: string;
  is_full: number;
}
export interface PendingQuarantineRow {
  id: number;
  received_at: string;
  body: string;
}

export interface ApplyQueries {
  deliveries: {
    insert: Run<
      [
        id: number,
        receivedAt: string,
        origin: string,
        body: string,
        eventType: string,
        contextId: string,
        outcome: string,
        logHead: number,
      ]
    >;
  };
  skipped: {
    insert: Run<
      [deliveryId: number, position: number, reason: string, ticket: string, recordedAt: string]
    >;
  };
  quarantine: {
    insert: Run<[receivedAt: string, origin: string, body: string, error: string]>;
    pending: All<[], PendingQuarantineRow>;
    resolve: Run<[reprocessedAt: string, deliveryId: number, id: number]>;
    fail: Run<[error: string, id: number]>;
    remove: Run<[id: number]>;
  };
  orders: {
    get: Get<[orderId: string], OrderRow>;
    upsert: Run<
      [orderId: string, eventId: string, source: string, txId: number, versionSeq: number, now: string]
    >;
  };
  tickets: {
    ofOrder: All<[orderId: string], { state: string }>;
    get: Get<[barcode: string], { state: string }>;
    updateState: Run<[state: string, barcode: string]>;
    upsert: Run<[barcode: string, eventId: string, orderId: string, state: string, seq: number | null]>;
  };
  moves: {
    insert: Run<[barcode: string, eventId: string]>;
    ofBarcode: All<[barcode: string], { event_id: string }>;
  };
  events: {
    get: Get<[eventId: string], EventRow>;
    upsert: Run<[eventId: string, info: string, isFull: number, seq: number]>;
  };
  log: {
    insert: Run<[seq: number, kind: string, eventId: string | null, payload: string, createdAt: string]>;
  };
  scans: {
    get: Get<[id: string], { seq: number }>;
    insert: Run<[id: string, seq: number, eventId: string | null, gate: string, record: string]>;
  };
  imports: {
    insert: Run<
      [eventId: string, source: string, rows: number, importedAt: string, isAuthoritative: number]
    >;
  };
}
