/**
 * The PostgreSQL relay store, for several `relay serve` replicas on one database. Writes go through
 * group commit (writer.ts) serialised by the `log_head` row lock, so log seqs commit in order. Each
 * store LISTENs for the other processes' commits (listener.ts) and announces every committed entry
 * through `onEntries` exactly once, in seq order: its own straight after commit, the others' read
 * from the log after the last one announced (also after the LISTEN connection comes back).
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createLogger } from '../../../shared/logger.js';
import { scanRecordSchema, type ScanRecord } from '../../../shared/scans.js';
import {
  eventInfoSchema,
  ticketStateSchema,
  type EventInfo,
  type TicketState,
} from '../../../shared/tickets.js';
import {
  present,
  readEntryPage,
  readRow,
  toGate,
  toQuarantine,
  toStored,
  type LogRow,
  type QuarantineRecord,
} from '../rows.js';
import type {
  AcceptResult,
  AppliedListener,
  DeliveryInput,
  EntriesListener,
  GateRow,
  ImportOptions,
  ImportReport,
  ImportRow,
  IngestResult,
  QuarantineRow,
  RelayStore,
  ReprocessReport,
  ScanResult,
  Snapshot,
  StoreStats,
  StoredEntry,
} from '../types.js';
import type { WriteOp } from '../write-ops.js';
import { createPool, Tx } from './connection.js';
import { PgListener } from './listener.js';
import { decodeLogNotice } from './log-notice.js';
import { migratePg } from './migrations.js';
import { PgWriter } from './writer.js';

const log = createLogger('relay.store.pg');
const EMIT_PAGE = 5_000;

export interface PgStoreOptions {
  /** Connections in the pool (default 16 when listening, 2 for a one-shot admin command). */
  poolSize?: number;
  /**
   * Listen for other processes' commits (default true). A one-shot admin command that never reads
   * `onEntries` passes false and opens no listening connection.
   */
  isListening?: boolean;
}

export class PgRelayStore implements RelayStore {
  private readonly listeners = new Set<EntriesListener>();
  private readonly appliedListeners = new Set<AppliedListener>();
  private readonly reader: Tx;
  private readonly writer: PgWriter;
  private listener: PgListener | null = null;
  private lastEmitted = 0;
  private isCatchingUp = false;
  private wantsCatchUp = false;
  private hasExternalChange = false;
  private isClosed = false;
  private key: Buffer | null = null;

  private constructor(private readonly pool: pg.Pool) {
    this.reader = new Tx(pool);
    this.writer = new PgWriter(pool, (entries) => this.emitOwn(entries));
  }

  static async open(url: string, options: PgStoreOptions = {}): Promise<PgRelayStore> {
    const isListening = options.isListening ?? true;
    const pool = createPool(url, options.poolSize ?? (isListening ? 16 : 2));
    // An idle connection the server dropped must not crash the relay; the next query reconnects.
    pool.on('error', (error) => log.warn('idle database connection lost', { error: error.message }));
    const store = new PgRelayStore(pool);
    try {
      await migratePg(pool);
      store.lastEmitted = await store.head(store.reader);
      if (isListening) {
        store.listener = new PgListener(url, {
          log: (payload) => store.noticed(payload),
          gates: () => {
            store.hasExternalChange = true;
          },
          reconnected: () => {
            store.hasExternalChange = true;
            store.requestCatchUp();
          },
        });
        await store.listener.start();
        // Commits between reading the head and listening were not notified to us: read them.
        store.requestCatchUp();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  private async head(tx: Tx): Promise<number> {
    return (await tx.one<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1'))?.seq ?? 0;
  }

  private write<T>(op: WriteOp): Promise<T> {
    if (this.isClosed) return Promise.reject(new Error('store is closed'));
    return this.writer.write(op) as Promise<T>;
  }

  /** Our own commit: announced at once when it follows the last entry announced, else read in order. */
  private emitOwn(entries: readonly StoredEntry[]): void {
    const fresh = entries.filter((entry) => entry.seq > this.lastEmitted);
    const first = fresh[0];
    if (!first) return;
    if (first.seq === this.lastEmitted + 1 && !this.isCatchingUp) this.announce(fresh);
    else this.requestCatchUp();
  }

  /** A commit somewhere (see log-notice.ts): its entries announced at once when they follow ours. */
  private noticed(payload: string): void {
    const notice = decodeLogNotice(payload);
    if (notice === null) {
      log.warn('unreadable notice on the log channel: reading the log instead');
      this.requestCatchUp();
      return;
    }
    if (notice.head <= this.lastEmitted) return;
    const first = notice.entries[0];
    if (first && first.seq === this.lastEmitted + 1 && !this.isCatchingUp) this.announce(notice.entries);
    else this.requestCatchUp();
  }

  private requestCatchUp(): void {
    if (this.isClosed) return;
    if (this.isCatchingUp) {
      this.wantsCatchUp = true;
      return;
    }
    this.isCatchingUp = true;
    void this.catchUp()
      .catch((error: unknown) => {
        // The next notification (or reconnect) retries from the same place: nothing is skipped.
        log.warn('reading other replicas’ entries failed', { error: (error as Error).message });
      })
      .finally(() => {
        this.isCatchingUp = false;
      });
  }

  private async catchUp(): Promise<void> {
    do {
      this.wantsCatchUp = false;
      for (;;) {
        const rows = await this.reader.rows<LogRow>(
          'SELECT seq, kind, event_id, payload FROM log WHERE seq > $1 ORDER BY seq LIMIT $2',
          [this.lastEmitted, EMIT_PAGE],
        );
        if (this.isClosed) return;
        const fresh = rows.map(toStored).filter((entry) => entry.seq > this.lastEmitted);
        if (fresh.length > 0) this.announce(fresh);
        if (rows.length < EMIT_PAGE) break;
      }
    } while (this.wantsCatchUp);
  }

  private announce(entries: readonly StoredEntry[]): void {
    const last = entries[entries.length - 1];
    if (last) this.lastEmitted = last.seq;
    for (const listener of this.listeners) listener(entries);
  }

  ingestDelivery(input: DeliveryInput): Promise<IngestResult> {
    return this.write({ kind: 'delivery', input });
  }

  /**
   * Stores and applies the delivery in one group-committed transaction, so none is ever left pending
   * (no replica has to claim another's backlog after a crash). The webhook is answered after that
   * commit; its outcome is announced through `onApplied` as on SQLite.
   */
  async acceptDelivery(input: DeliveryInput): Promise<AcceptResult> {
    const result = await this.ingestDelivery(input);
    if (result.status === 'quarantined') return result;
    const applied = [{ origin: input.origin, result }];
    for (const listener of this.appliedListeners) listener(applied);
    return { status: 'accepted', deliveryId: result.deliveryId };
  }

  onApplied(listener: AppliedListener): () => void {
    this.appliedListeners.add(listener);
    return () => this.appliedListeners.delete(listener);
  }

  async findScan(id: string): Promise<{ seq: number; scan: ScanRecord } | null> {
    const row = await this.reader.one<{ seq: number; record: string }>(
      'SELECT seq, record FROM scans WHERE id = $1',
      [id],
    );
    return row ? { seq: row.seq, scan: scanRecordSchema.parse(JSON.parse(row.record)) } : null;
  }

  appendScan(scan: ScanRecord): Promise<ScanResult> {
    return this.write({ kind: 'scan', scan });
  }

  importTickets(
    eventId: string,
    source: string,
    rows: readonly ImportRow[],
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    return this.write({
      kind: 'import',
      eventId,
      source,
      rows,
      isAuthoritative: options.isAuthoritative === true,
    });
  }

  readEntries(after: number, events: readonly string[], limit: number): Promise<StoredEntry[]> {
    return readEntryPage(after, limit, (from, wanted) =>
      this.reader.rows<LogRow>(
        `SELECT seq, kind, event_id, payload FROM log
         WHERE seq > $1 AND (kind = 'event' OR event_id = ANY($2::text[]))
         ORDER BY seq LIMIT $3`,
        [from, [...events], wanted],
      ),
    );
  }

  async readSnapshot(events: readonly string[]): Promise<Snapshot> {
    const ids = [...events];
    const client = await this.pool.connect();
    const tx = new Tx(client);
    try {
      // One repeatable-read transaction: the states and scans are exactly those as of `cursor`.
      await tx.run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const cursor = await this.head(tx);
      const eventRows = await tx.rows<{ info: string }>('SELECT info FROM events ORDER BY event_id');
      const ticketRows = await tx.rows<{ state: string }>(
        // In barcode byte order (as the SQLite store sends), so a gate's B-tree takes it as appends.
        `SELECT state FROM (
           SELECT 0 AS part, barcode, state FROM tickets WHERE event_id = ANY($1::text[])
           UNION ALL
           SELECT 1 AS part, barcode, state FROM tickets
           WHERE barcode IN (SELECT barcode FROM ticket_moves WHERE event_id = ANY($1::text[]))
             AND NOT (event_id = ANY($1::text[]))
         ) AS sent ORDER BY part, barcode COLLATE "C"`,
        [ids],
      );
      const scanRows = await tx.rows<{ seq: number; record: string }>(
        'SELECT seq, record FROM scans WHERE event_id = ANY($1::text[]) ORDER BY seq',
        [ids],
      );
      await tx.run('COMMIT');
      const readTicket = (row: { state: string }): TicketState | null =>
        readRow(ticketStateSchema, row.state, 'ticket state');
      return {
        cursor,
        events: eventRows.map((row) => readRow(eventInfoSchema, row.info, 'event info')).filter(present),
        tickets: ticketRows.map(readTicket).filter(present),
        scans: scanRows
          .map((row) => {
            const scan = readRow(scanRecordSchema, row.record, `scan at seq ${row.seq}`);
            return scan ? { seq: row.seq, scan } : null;
          })
          .filter(present),
      };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async listEvents(): Promise<EventInfo[]> {
    const rows = await this.reader.rows<{ info: string }>('SELECT info FROM events ORDER BY event_id');
    return rows.map((row) => readRow(eventInfoSchema, row.info, 'event info')).filter(present);
  }

  async stats(): Promise<StoreStats> {
    const row = await this.reader.one<{
      head: number;
      deliveries: number;
      oldest: number | null;
      quarantined: number;
      skipped: number;
      last_at: string | null;
    }>(
      `SELECT h.seq AS head, h.last_delivery AS deliveries,
         (SELECT min(seq) FROM log) AS oldest,
         (SELECT count(*) FROM quarantine WHERE reprocessed_at IS NULL) AS quarantined,
         (SELECT count(*) FROM skipped_tickets) AS skipped,
         (SELECT received_at FROM deliveries WHERE origin = 'webhook' ORDER BY id DESC LIMIT 1) AS last_at
       FROM log_head h WHERE h.id = 1`,
    );
    const head = row?.head ?? 0;
    return {
      // Delivery ids are dense and never deleted, so the highest id is the count.
      deliveries: row?.deliveries ?? 0,
      logHead: head,
      oldestRetained: row?.oldest ?? head + 1,
      quarantined: row?.quarantined ?? 0,
      skippedTickets: row?.skipped ?? 0,
      lastDeliveryAt: row?.last_at ?? null,
      // Deliveries are applied in the transaction that accepts them.
      pendingDeliveries: 0,
    };
  }

  async listQuarantine(): Promise<QuarantineRow[]> {
    const rows = await this.reader.rows<QuarantineRecord>(
      `SELECT id, received_at, error, octet_length(body) AS bytes, substr(body, 1, 80) AS preview,
              reprocessed_at, delivery_id FROM quarantine ORDER BY id`,
    );
    return rows.map(toQuarantine);
  }

  reprocessQuarantine(): Promise<ReprocessReport> {
    return this.write({ kind: 'reprocess' });
  }

  async addGate(name: string, tokenHash: string, options: { isVenue?: boolean } = {}): Promise<void> {
    await this.write({ kind: 'add-gate', name, tokenHash, isVenue: options.isVenue === true });
  }

  async findGate(tokenHash: string): Promise<GateRow | null> {
    const row = await this.reader.one<{
      name: string;
      created_at: string;
      revoked_at: string | null;
      is_venue: number;
    }>('SELECT name, created_at, revoked_at, is_venue FROM gates WHERE token_hash = $1', [tokenHash]);
    return row ? toGate(row) : null;
  }

  async listGates(): Promise<GateRow[]> {
    const rows = await this.reader.rows<{
      name: string;
      created_at: string;
      revoked_at: string | null;
      is_venue: number;
    }>('SELECT name, created_at, revoked_at, is_venue FROM gates ORDER BY name');
    return rows.map(toGate);
  }

  revokeGate(name: string): Promise<boolean> {
    return this.write({ kind: 'revoke-gate', name });
  }

  pruneLog(keep: number): Promise<number> {
    return this.write({ kind: 'prune', keep });
  }

  /** True once after another process added or revoked a gate, or after the LISTEN link came back. */
  async pollExternalChanges(): Promise<boolean> {
    const hasChanged = this.hasExternalChange;
    this.hasExternalChange = false;
    return hasChanged;
  }

  /** The relay's key for hashing other events' barcodes: 32 random bytes, made once per database. */
  async indexKey(): Promise<Buffer> {
    if (this.key) return this.key;
    await this.reader.run('INSERT INTO index_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
      randomBytes(32),
    ]);
    const row = await this.reader.one<{ key: Buffer }>('SELECT key FROM index_key WHERE id = 1');
    if (!row) throw new Error('index key missing after insert');
    this.key = row.key;
    return row.key;
  }

  onEntries(listener: EntriesListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    await this.writer.flush();
    this.isClosed = true;
    this.listeners.clear();
    this.appliedListeners.clear();
    await this.listener?.stop();
    await this.pool.end();
  }
}

export function openPgStore(url: string, options: PgStoreOptions = {}): Promise<PgRelayStore> {
  return PgRelayStore.open(url, options);
}
