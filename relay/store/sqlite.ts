/**
 * The embedded relay store: one SQLite file in WAL mode with synchronous=FULL, so a commit is on disk
 * before the relay answers. Writes go through group commit (on a worker thread when serving); reads
 * run on this thread's own connection, synchronous under the hood but
 * exposed asynchronously to match the RelayStore contract.
 */
import Database from 'better-sqlite3';
import type { z } from 'zod';
import { createLogger } from '../../shared/logger.js';
import { scanRecordSchema, type ScanRecord } from '../../shared/scans.js';
import {
  eventInfoSchema,
  ticketStateSchema,
  type EventInfo,
  type TicketState,
} from '../../shared/tickets.js';
import { logEntrySchema, type LogEntry } from '../../shared/protocol.js';
import { openDatabase } from './database.js';
import type { WriteOp } from './write-ops.js';
import { InlineWriter, WorkerWriter, type StoreWriter } from './writer.js';
import { prepareQueries, type LogRow, type Queries } from './queries.js';
import type {
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
} from './types.js';

const EMIT_PAGE = 5_000;
const log = createLogger('relay.store');

/**
 * Parses a stored JSON row with the wire schema; a row it refuses is skipped and logged, so one bad
 * row never stops a snapshot or a catch-up (a gate would refuse it anyway).
 */
export function readRow<T>(schema: z.ZodType<T>, text: string, what: string): T | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    log.warn('stored row is not JSON: skipped', { what });
    return null;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  log.warn('stored row refused by the wire schema: skipped', {
    what,
    error: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
  });
  return null;
}

export const present = <T>(value: T | null): value is T => value !== null;

const toStored = (row: LogRow): StoredEntry => ({
  seq: row.seq,
  kind: row.kind as LogEntry['kind'],
  eventId: row.event_id,
  json: row.payload,
});

const toGate = (row: { name: string; created_at: string; revoked_at: string | null }): GateRow => ({
  name: row.name,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

export interface SqliteStoreOptions {
  /** `worker` commits on a worker thread (the serving relay); `inline` on this one (default). */
  writer?: 'inline' | 'worker';
}

export class SqliteRelayStore implements RelayStore {
  private readonly db: Database.Database;
  private readonly queries: Queries;
  private readonly writer: StoreWriter;
  private readonly listeners = new Set<EntriesListener>();
  private lastEmitted: number;
  private dataVersion: number;
  private isClosed = false;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.db = openDatabase(path);
    this.queries = prepareQueries(this.db);
    this.lastEmitted = this.head();
    this.dataVersion = this.readDataVersion();
    const onCommitted = (entries: StoredEntry[]) => this.emit(entries);
    this.writer =
      options.writer === 'worker'
        ? new WorkerWriter(path, onCommitted)
        : new InlineWriter(this.queries, this.db, onCommitted);
  }

  private head(): number {
    return this.queries.log.head.get()?.head ?? 0;
  }

  private readDataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  private write<T>(op: WriteOp): Promise<T> {
    if (this.isClosed) return Promise.reject(new Error('store is closed'));
    return this.writer.write(op) as Promise<T>;
  }

  /** Announces entries in seq order; fills any gap left by another process's writes from the log. */
  private emit(entries: readonly StoredEntry[]): void {
    if (entries.length === 0) return;
    const first = entries[0];
    if (first && first.seq === this.lastEmitted + 1) {
      this.announce(entries);
      return;
    }
    this.catchUpFromLog();
  }

  private catchUpFromLog(): void {
    for (;;) {
      const rows = this.queries.log.after.all(this.lastEmitted, EMIT_PAGE).map(toStored);
      if (rows.length === 0) return;
      this.announce(rows);
      if (rows.length < EMIT_PAGE) return;
    }
  }

  private announce(entries: readonly StoredEntry[]): void {
    const last = entries[entries.length - 1];
    if (last) this.lastEmitted = last.seq;
    for (const listener of this.listeners) listener(entries);
  }

  ingestDelivery(input: DeliveryInput): Promise<IngestResult> {
    return this.write({ kind: 'delivery', input });
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

  async readEntries(after: number, events: readonly string[], limit: number): Promise<StoredEntry[]> {
    const ids = JSON.stringify(events);
    const entries: StoredEntry[] = [];
    let from = after;
    // A skipped row must not shorten the page: a short page means "end of the log" to the reader.
    while (entries.length < limit) {
      const wanted = limit - entries.length;
      const rows = this.queries.log.afterForEvents.all(from, ids, wanted);
      for (const row of rows) {
        if (readRow(logEntrySchema, row.payload, `log entry ${row.seq}`)) entries.push(toStored(row));
      }
      const last = rows[rows.length - 1];
      if (!last || rows.length < wanted) break;
      from = last.seq;
    }
    return entries;
  }

  async readSnapshot(events: readonly string[]): Promise<Snapshot> {
    const ids = JSON.stringify(events);
    // One read transaction: the states and scans are exactly those as of `cursor`.
    const readTicket = (row: { state: string }): TicketState | null =>
      readRow(ticketStateSchema, row.state, 'ticket state');
    return this.db.transaction(() => ({
      cursor: this.head(),
      events: this.readEvents(),
      tickets: [
        ...this.queries.tickets.ofEvents.all(ids).map(readTicket),
        ...this.queries.tickets.movedFromEvents.all(ids, ids).map(readTicket),
      ].filter(present),
      scans: this.queries.scans.ofEvents
        .all(ids)
        .map((row) => {
          const scan = readRow(scanRecordSchema, row.record, `scan at seq ${row.seq}`);
          return scan ? { seq: row.seq, scan } : null;
        })
        .filter(present),
    }))();
  }

  private readEvents(): EventInfo[] {
    return this.queries.events.all
      .all()
      .map((row) => readRow(eventInfoSchema, row.info, 'event info'))
      .filter(present);
  }

  async listEvents(): Promise<EventInfo[]> {
    return this.readEvents();
  }

  async stats(): Promise<StoreStats> {
    return this.db.transaction(() => {
      const head = this.head();
      const oldest = this.queries.log.oldest.get()?.oldest ?? 0;
      return {
        // Delivery ids are dense and never deleted, so the highest id is the count (without a scan).
        deliveries: this.queries.deliveries.last.get()?.id ?? 0,
        logHead: head,
        oldestRetained: oldest === 0 ? head + 1 : oldest,
        quarantined: this.queries.quarantine.countPending.get()?.count ?? 0,
        skippedTickets: this.queries.skipped.count.get()?.count ?? 0,
        lastDeliveryAt: this.queries.deliveries.lastWebhookAt.get()?.received_at ?? null,
      };
    })();
  }

  async listQuarantine(): Promise<QuarantineRow[]> {
    return this.queries.quarantine.list.all().map((row) => ({
      id: row.id,
      receivedAt: row.received_at,
      error: row.error,
      bytes: row.bytes,
      preview: row.preview,
      reprocessedAt: row.reprocessed_at,
      deliveryId: row.delivery_id,
    }));
  }

  reprocessQuarantine(): Promise<ReprocessReport> {
    return this.write({ kind: 'reprocess' });
  }

  async addGate(name: string, tokenHash: string): Promise<void> {
    await this.write({ kind: 'add-gate', name, tokenHash });
  }

  async findGate(tokenHash: string): Promise<GateRow | null> {
    const row = this.queries.gates.byHash.get(tokenHash);
    return row ? toGate(row) : null;
  }

  async listGates(): Promise<GateRow[]> {
    return this.queries.gates.list.all().map(toGate);
  }

  revokeGate(name: string): Promise<boolean> {
    return this.write({ kind: 'revoke-gate', name });
  }

  pruneLog(keep: number): Promise<number> {
    return this.write({ kind: 'prune', keep });
  }

  async pollExternalChanges(): Promise<boolean> {
    const version = this.readDataVersion();
    if (version === this.dataVersion) return false;
    this.dataVersion = version;
    this.catchUpFromLog();
    return true;
  }

  onEntries(listener: EntriesListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.writer.close();
    this.listeners.clear();
    this.db.close();
  }
}

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteRelayStore {
  return new SqliteRelayStore(path, options);
}
