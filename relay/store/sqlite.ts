/**
 * The embedded relay store: one SQLite file in WAL mode with synchronous=FULL, so a commit is on disk
 * before the relay answers. Writes go through group commit (on a worker thread when serving, which
 * also applies accepted deliveries: writer.ts); snapshots and catch-up pages are read on a worker
 * thread when serving (reader.ts); other reads run on this thread's own connection, synchronous
 * under the hood but exposed asynchronously to match the RelayStore contract.
 */
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { scanRecordSchema, type ScanRecord } from '../../shared/scans.js';
import type { EventInfo } from '../../shared/tickets.js';
import { BurstAcceptor } from './burst-accept.js';
import { openDatabase } from './database.js';
import { prepareQueries, type Queries } from './queries.js';
import { SnapshotReader } from './reader.js';
import { present, readEntryPage, readRow, toGate, toQuarantine, toStored } from './rows.js';
import { readEvents, readSnapshotNow } from './sqlite-reads.js';
import type { WriteOp } from './write-ops.js';
import { InlineWriter, WorkerWriter, type StoreWriter, type WriterListeners } from './writer.js';
import type {
  AcceptResult,
  AppliedDelivery,
  AppliedListener,
  DeliveryInput,
  EntriesListener,
  GateRow,
  ImportOptions,
  ImportReport,
  ImportRow,
  IngestResult,
  QuarantineRow,
  ReprocessReport,
  ScanResult,
  Snapshot,
  StoreStats,
  StoredEntry,
  UpstreamBatch,
  UpstreamState,
  VenueRelayStore,
} from './types.js';

const EMIT_PAGE = 5_000;

export interface SqliteStoreOptions {
  /** `worker` commits on a worker thread (the serving relay); `inline` on this one (default). */
  writer?: 'inline' | 'worker';
  /** `worker` reads snapshots on a worker thread (the serving relay); `inline` on this one (default). */
  reader?: 'inline' | 'worker';
  /** A venue relay: every scan its own gates upload also goes into the upstream outbox. */
  forwardsScans?: boolean;
}

export class SqliteRelayStore implements VenueRelayStore {
  private readonly db: Database.Database;
  private readonly queries: Queries;
  private readonly writer: StoreWriter;
  private readonly reader: SnapshotReader | null;
  /** Webhooks of a burst, stored on this thread (the serving relay only). */
  private readonly burst: BurstAcceptor | null;
  private readonly listeners = new Set<EntriesListener>();
  private readonly appliedListeners = new Set<AppliedListener>();
  private lastEmitted: number;
  private dataVersion: number;
  private isClosed = false;
  private readonly forwardsScans: boolean;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.forwardsScans = options.forwardsScans === true;
    this.db = openDatabase(path);
    this.queries = prepareQueries(this.db);
    this.lastEmitted = this.head();
    this.dataVersion = this.readDataVersion();
    const listeners: WriterListeners = {
      committed: (entries) => this.emit(entries),
      applied: (deliveries) => this.announceApplied(deliveries),
    };
    if (options.writer === 'worker') {
      const worker = new WorkerWriter(path, listeners);
      this.writer = worker;
      this.burst = new BurstAcceptor(
        this.db,
        this.queries,
        {
          accept: (input) => this.write({ kind: 'accept', input }),
          noteAccepted: (count) => worker.noteAccepted(count),
          get isBacklogFull() {
            return worker.isBacklogFull;
          },
        },
        worker.turns,
      );
    } else {
      this.writer = new InlineWriter(this.queries, this.db, listeners);
      this.burst = null;
    }
    this.reader = options.reader === 'worker' ? new SnapshotReader(path) : null;
  }

  private announceApplied(deliveries: readonly AppliedDelivery[]): void {
    for (const listener of this.appliedListeners) listener(deliveries);
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

  acceptDelivery(input: DeliveryInput): Promise<AcceptResult> {
    if (this.isClosed) return Promise.reject(new Error('store is closed'));
    if (this.burst) return this.burst.accept(input);
    return this.write({ kind: 'accept', input });
  }

  appendScan(scan: ScanRecord): Promise<ScanResult> {
    return this.write({ kind: 'scan', scan, isForwarded: this.forwardsScans });
  }

  async findScan(id: string): Promise<{ seq: number; scan: ScanRecord } | null> {
    const row = this.queries.scans.byId.get(id);
    return row ? { seq: row.seq, scan: scanRecordSchema.parse(JSON.parse(row.record)) } : null;
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
    if (this.reader) return this.reader.readEntries(after, events, limit);
    const ids = JSON.stringify(events);
    return readEntryPage(after, limit, (from, wanted) =>
      this.queries.log.afterForEvents.all(from, ids, wanted),
    );
  }

  async readSnapshot(events: readonly string[]): Promise<Snapshot> {
    if (this.reader) return this.reader.read(events);
    return readSnapshotNow(this.db, this.queries, events);
  }

  async listEvents(): Promise<EventInfo[]> {
    return readEvents(this.queries);
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
        lastDeliveryAt:
          this.queries.pending.lastWebhookAt.get()?.received_at ??
          this.queries.deliveries.lastWebhookAt.get()?.received_at ??
          null,
        pendingDeliveries: this.queries.pending.count.get()?.count ?? 0,
      };
    })();
  }

  async listQuarantine(): Promise<QuarantineRow[]> {
    return this.queries.quarantine.list.all().map(toQuarantine);
  }

  reprocessQuarantine(): Promise<ReprocessReport> {
    return this.write({ kind: 'reprocess' });
  }

  async addGate(name: string, tokenHash: string, options: { isVenue?: boolean } = {}): Promise<void> {
    await this.write({ kind: 'add-gate', name, tokenHash, isVenue: options.isVenue === true });
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

  async indexKey(): Promise<Buffer> {
    const stored = this.queries.indexKey.get.get();
    if (stored) return stored.key;
    // One small write on this connection, once per database: not worth a trip through the writer.
    this.queries.indexKey.create.run(randomBytes(32));
    const made = this.queries.indexKey.get.get();
    if (!made) throw new Error('the index key could not be stored');
    return made.key;
  }

  async mirrorUpstream(batch: UpstreamBatch): Promise<void> {
    await this.write({ kind: 'upstream-batch', batch });
  }

  async upstreamState(): Promise<UpstreamState> {
    return this.db.transaction(() => {
      const counts = this.queries.upstream.counts.get();
      return {
        cursor: this.queries.upstream.cursor.get()?.cursor ?? 0,
        pendingUploads: counts?.pending ?? 0,
        refusedUploads: counts?.refused ?? 0,
      };
    })();
  }

  async pendingUploads(limit: number): Promise<ScanRecord[]> {
    return this.queries.upstream.pending
      .all(limit)
      .map((row) => readRow(scanRecordSchema, row.record, 'scan to forward upstream'))
      .filter(present);
  }

  async markForwarded(scanIds: readonly string[]): Promise<void> {
    if (scanIds.length > 0) await this.write({ kind: 'forwarded', scanIds });
  }

  async markRefused(scanId: string, refusal: string): Promise<void> {
    await this.write({ kind: 'refused-upstream', scanId, refusal });
  }

  onEntries(listener: EntriesListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onApplied(listener: AppliedListener): () => void {
    this.appliedListeners.add(listener);
    return () => this.appliedListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    // Webhooks of this turn are stored (or handed to the worker) before the worker closes.
    this.burst?.flush();
    await this.writer.close();
    await this.reader?.close();
    this.listeners.clear();
    this.appliedListeners.clear();
    this.db.close();
  }
}

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteRelayStore {
  return new SqliteRelayStore(path, options);
}
