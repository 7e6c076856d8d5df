/**
 * The embedded relay store: one SQLite file in WAL mode with synchronous=FULL, so a commit is on disk
 * before the relay answers. Writes go through group commit; reads are synchronous under the hood but
 * exposed asynchronously to match the RelayStore contract.
 */
import Database from 'better-sqlite3';
import { scanRecordSchema, type ScanRecord } from '../../shared/scans.js';
import { eventInfoSchema, ticketStateSchema, type EventInfo } from '../../shared/tickets.js';
import type { LogEntry } from '../../shared/protocol.js';
import { applyDelivery, applyImport, applyScan, LogAppender, type BatchHead } from './apply.js';
import { GroupCommit } from './group-commit.js';
import { assertSchemaNotNewer, migrate } from './migrations.js';
import { prepareQueries, type LogRow, type Queries } from './queries.js';
import type {
  DeliveryInput,
  EntriesListener,
  GateRow,
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

export class SqliteRelayStore implements RelayStore {
  private readonly db: Database.Database;
  private readonly queries: Queries;
  private readonly writes: GroupCommit;
  private readonly listeners = new Set<EntriesListener>();
  private batchEntries: StoredEntry[] = [];
  private readonly batchHead: BatchHead = { value: 0, lastDelivery: 0 };
  private lastEmitted: number;
  private dataVersion: number;
  private isClosed = false;

  constructor(path: string) {
    this.db = new Database(path);
    try {
      assertSchemaNotNewer(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.queries = prepareQueries(this.db);
    this.lastEmitted = this.head();
    this.dataVersion = this.readDataVersion();
    this.writes = new GroupCommit(this.db, {
      begin: () => {
        this.batchEntries = [];
        this.readBatchHead();
      },
      rolledBack: () => this.readBatchHead(),
      committed: () => this.emit(this.batchEntries),
    });
  }

  private head(): number {
    return this.queries.log.head.get()?.head ?? 0;
  }

  private readBatchHead(): void {
    this.batchHead.value = this.head();
    this.batchHead.lastDelivery = this.queries.deliveries.last.get()?.id ?? 0;
  }

  private readDataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Runs `step` in the next group commit with its own log appender. */
  private write<T>(step: (log: LogAppender, now: string) => T): Promise<T> {
    if (this.isClosed) return Promise.reject(new Error('store is closed'));
    return this.writes.enqueue(() => {
      const log = new LogAppender(this.queries, this.batchHead);
      const value = step(log, new Date().toISOString());
      this.batchEntries.push(...log.written);
      return value;
    });
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
    return this.write((log) => applyDelivery(this.queries, log, input));
  }

  appendScan(scan: ScanRecord): Promise<ScanResult> {
    return this.write((log, now) => applyScan(this.queries, log, scan, now));
  }

  importTickets(eventId: string, source: string, rows: readonly ImportRow[]): Promise<ImportReport> {
    return this.write((log, now) => applyImport(this.queries, log, eventId, source, rows, now));
  }

  async readEntries(after: number, events: readonly string[], limit: number): Promise<StoredEntry[]> {
    return this.queries.log.afterForEvents.all(after, JSON.stringify(events), limit).map(toStored);
  }

  async readSnapshot(events: readonly string[]): Promise<Snapshot> {
    const ids = JSON.stringify(events);
    // One read transaction: the states and scans are exactly those as of `cursor`.
    return this.db.transaction(() => ({
      cursor: this.head(),
      events: this.readEvents(),
      tickets: this.queries.tickets.ofEvents.all(ids).map((row) => ticketStateSchema.parse(JSON.parse(row.state))),
      scans: this.queries.scans.ofEvents
        .all(ids)
        .map((row) => ({ seq: row.seq, scan: scanRecordSchema.parse(JSON.parse(row.record)) })),
    }))();
  }

  private readEvents(): EventInfo[] {
    return this.queries.events.all.all().map((row) => eventInfoSchema.parse(JSON.parse(row.info)));
  }

  async listEvents(): Promise<EventInfo[]> {
    return this.readEvents();
  }

  async stats(): Promise<StoreStats> {
    return this.db.transaction(() => {
      const head = this.head();
      const oldest = this.queries.log.oldest.get()?.oldest ?? 0;
      return {
        deliveries: this.queries.deliveries.count.get()?.count ?? 0,
        logHead: head,
        oldestRetained: oldest === 0 ? head + 1 : oldest,
        quarantined: this.queries.quarantine.countPending.get()?.count ?? 0,
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

  async reprocessQuarantine(): Promise<ReprocessReport> {
    return this.write((log, now) => {
      const report: ReprocessReport = { accepted: 0, stillFailing: [] };
      for (const row of this.queries.quarantine.pending.all()) {
        const result = applyDelivery(this.queries, log, { body: row.body, receivedAt: row.received_at, origin: 'reprocess' });
        if (result.status === 'accepted') {
          this.queries.quarantine.resolve.run(now, result.deliveryId, row.id);
          report.accepted += 1;
        } else {
          // applyDelivery quarantined it again: keep one row per body, with the latest error.
          this.queries.quarantine.remove.run(result.quarantineId);
          this.queries.quarantine.fail.run(result.error, row.id);
          report.stillFailing.push({ id: row.id, error: result.error });
        }
      }
      return report;
    });
  }

  async addGate(name: string, tokenHash: string): Promise<void> {
    await this.write((_log, now) => {
      if (this.queries.gates.exists.get(name)) throw new Error(`a gate named "${name}" already exists`);
      this.queries.gates.insert.run(name, tokenHash, now);
    });
  }

  async findGate(tokenHash: string): Promise<GateRow | null> {
    const row = this.queries.gates.byHash.get(tokenHash);
    return row ? toGate(row) : null;
  }

  async listGates(): Promise<GateRow[]> {
    return this.queries.gates.list.all().map(toGate);
  }

  revokeGate(name: string): Promise<boolean> {
    return this.write((_log, now) => this.queries.gates.revoke.run(now, name).changes > 0);
  }

  pruneLog(keep: number): Promise<number> {
    return this.write(() => this.queries.log.prune.run(Math.max(1, keep)).changes);
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
    this.writes.flush();
    this.isClosed = true;
    this.listeners.clear();
    this.db.close();
  }
}

export function openSqliteStore(path: string): SqliteRelayStore {
  return new SqliteRelayStore(path);
}
