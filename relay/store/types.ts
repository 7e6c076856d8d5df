/**
 * The relay store contract. Every method is asynchronous so that a networked store (PostgreSQL with
 * LISTEN/NOTIFY between replicas) can stand beside the embedded SQLite one without touching the hub
 * or the ingest route. Committed log entries are announced through `onEntries`, after commit, in seq
 * order, exactly once per store instance (including entries written by other processes). A webhook
 * is answered once `acceptDelivery` has made it durable; its effects follow (`onApplied`).
 */
import type { LogEntry } from '../../shared/protocol.js';
import type { ScanRecord } from '../../shared/scans.js';
import type { EventInfo, ImportedTicket, TicketState } from '../../shared/tickets.js';

/** What became of an accepted delivery. Stored with the delivery for operators. */
export type DeliveryOutcome = 'applied' | 'unchanged' | 'duplicate' | 'stale' | 'ignored';

export type IngestResult =
  | {
      status: 'accepted';
      deliveryId: number;
      seq: number;
      outcome: DeliveryOutcome;
      entries: number;
      /** Tickets left out of the delivery (no usable barcode), kept with it for operators. */
      skippedTickets: number;
      /**
       * Orders this delivery tied: the same transactions as the version applied, different content.
       * The merge kept the fail-safe reading; the truth is Moshtix's, so fetch these orders and
       * ingest the answers with origin `api`.
       */
      tiedOrders: string[];
    }
  | { status: 'quarantined'; quarantineId: number; error: string };

/**
 * The answer to a webhook: the delivery is durably stored (or quarantined, when it cannot be tied to
 * an order or an event at all). Its effects on tickets and the log follow; see `onApplied`.
 */
export type AcceptResult =
  { status: 'accepted'; deliveryId: number } | { status: 'quarantined'; quarantineId: number; error: string };

/** An accepted delivery, now applied to tickets and the log. */
export interface AppliedDelivery {
  origin: string;
  result: IngestResult;
}

export type AppliedListener = (deliveries: readonly AppliedDelivery[]) => void;

export interface DeliveryInput {
  body: string;
  receivedAt: string;
  /**
   * Where the delivery came from: `webhook`, `backfill`, `reprocess`, or `api` (an order fetched
   * from the Moshtix API, recorded as a resolved version that outranks webhooks of its transaction).
   */
  origin: string;
}

export interface ScanResult {
  seq: number;
  isNew: boolean;
}

export interface Snapshot {
  /** The state as of this seq: entries after it follow. */
  cursor: number;
  events: EventInfo[];
  tickets: TicketState[];
  scans: { seq: number; scan: ScanRecord }[];
}

export interface QuarantineRow {
  id: number;
  receivedAt: string;
  error: string;
  bytes: number;
  preview: string;
  reprocessedAt: string | null;
  deliveryId: number | null;
}

export interface ReprocessReport {
  accepted: number;
  stillFailing: { id: number; error: string }[];
}

export interface GateRow {
  name: string;
  createdAt: string;
  revokedAt: string | null;
  /** A venue relay's token: uploads scans on behalf of the venue's own gates ("Venue · Door 1"). */
  isVenue: boolean;
}

/**
 * What a relay chained to an upstream relay takes from it, applied in one transaction together with
 * the new upstream cursor: live entries, or a whole snapshot (a venue that was far behind, or that
 * follows a new event) turned into entries of its own log where they change something.
 */
export type UpstreamBatch =
  | { kind: 'entries'; cursor: number; entries: readonly LogEntry[] }
  | {
      kind: 'snapshot';
      cursor: number;
      events: readonly EventInfo[];
      tickets: readonly TicketState[];
      scans: readonly { seq: number; scan: ScanRecord }[];
    };

export interface UpstreamState {
  /** The upstream seq this relay has applied (0: never linked, or start over from a snapshot). */
  cursor: number;
  /** Scans of this relay's own gates not yet acknowledged upstream. */
  pendingUploads: number;
  /** Scans the upstream refused (kept with the refusal, never sent again). */
  refusedUploads: number;
}

export type ImportRow = ImportedTicket;

export interface ImportOptions {
  /** Record the import as the newest version (source `csv`): it can revoke what webhooks said. */
  isAuthoritative?: boolean;
}

export interface ImportReport {
  importId: number;
  rows: number;
  changed: number;
  /** Rows whose barcode already has a newer state (a webhook one, or a newer import): left alone. */
  outranked: number;
  seq: number;
}

export interface StoreStats {
  deliveries: number;
  logHead: number;
  /** Lowest seq still in the log; a cursor below `oldest - 1` needs a snapshot. */
  oldestRetained: number;
  quarantined: number;
  /** Tickets left out of readable deliveries (no usable barcode), kept for operators. */
  skippedTickets: number;
  /** receivedAt of the newest webhook delivery accepted, or null before the first. */
  lastDeliveryAt: string | null;
  /** Deliveries accepted (durable, answered) but not yet applied to tickets and the log. */
  pendingDeliveries: number;
}

/**
 * A log entry as stored: `json` is the LogEntry serialised once at write time, so the hub can put it
 * on the wire without re-serialising per gate. Gates parse every frame they receive.
 */
export interface StoredEntry {
  seq: number;
  kind: LogEntry['kind'];
  /** The event the entry belongs to; event-info entries go to every gate. */
  eventId: string | null;
  json: string;
}

export type EntriesListener = (entries: readonly StoredEntry[]) => void;

export interface RelayStore {
  /** Stores a delivery and applies it; resolves once both are committed (admin commands, ties). */
  ingestDelivery(input: DeliveryInput): Promise<IngestResult>;
  /**
   * Stores a delivery durably and resolves (the webhook answer); applying it may follow in a later
   * transaction, announced through `onApplied` — also after a crash, when the store opens again.
   */
  acceptDelivery(input: DeliveryInput): Promise<AcceptResult>;
  appendScan(scan: ScanRecord): Promise<ScanResult>;
  /** A stored scan by id, with its seq (for checks before an upload is accepted). */
  findScan(id: string): Promise<{ seq: number; scan: ScanRecord } | null>;
  importTickets(
    eventId: string,
    source: string,
    rows: readonly ImportRow[],
    options?: ImportOptions,
  ): Promise<ImportReport>;
  /**
   * Entries with seq > after, for the given events (event-info entries always), oldest first: up to
   * `limit` of them, fewer only at the end of the log. A stored entry the wire schema refuses is
   * skipped and logged, never sent.
   */
  readEntries(after: number, events: readonly string[], limit: number): Promise<StoredEntry[]>;
  /**
   * Ticket states and scans of the events (tickets that moved away from one of them too), as of
   * `cursor`. A stored row the wire schema refuses is skipped and logged.
   */
  readSnapshot(events: readonly string[]): Promise<Snapshot>;
  listEvents(): Promise<EventInfo[]>;
  stats(): Promise<StoreStats>;
  listQuarantine(): Promise<QuarantineRow[]>;
  reprocessQuarantine(): Promise<ReprocessReport>;
  addGate(name: string, tokenHash: string, options?: { isVenue?: boolean }): Promise<void>;
  findGate(tokenHash: string): Promise<GateRow | null>;
  listGates(): Promise<GateRow[]>;
  revokeGate(name: string): Promise<boolean>;
  /** Drops log entries older than the newest `keep` (state lives on in tickets, scans, events). */
  pruneLog(keep: number): Promise<number>;
  /** Notices commits made by other processes (CLI imports, revocations); cheap when nothing changed. */
  pollExternalChanges(): Promise<boolean>;
  onEntries(listener: EntriesListener): () => void;
  /**
   * The relay's 32-byte HMAC key for the other-events index: made at random on first use and kept in
   * the database, so every relay on one database hashes alike (and gates keep their index).
   */
  indexKey(): Promise<Buffer>;
  /** Deliveries accepted through `acceptDelivery` (or left pending by a crash), once applied. */
  onApplied(listener: AppliedListener): () => void;
  close(): Promise<void>;
}

/**
 * A store that can be a venue relay's (relay/upstream/): the embedded SQLite one. A venue relay runs on
 * a box at the venue with its own database; the PostgreSQL store serves internet relays only.
 */
export interface VenueRelayStore extends RelayStore {
  // A store opened to forward scans puts every new scan appended by appendScan into its outbox, in the
  // same transaction; mirrored ones never.
  /** Applies a batch from the upstream relay and stores its cursor, in one transaction. */
  mirrorUpstream(batch: UpstreamBatch): Promise<void>;
  upstreamState(): Promise<UpstreamState>;
  /** The oldest scans still to forward upstream, in the order they were stored. */
  pendingUploads(limit: number): Promise<ScanRecord[]>;
  /** Takes scans out of the outbox: the upstream stored them. */
  markForwarded(scanIds: readonly string[]): Promise<void>;
  /** The upstream refused the scan for good: kept with the reason, never sent again. */
  markRefused(scanId: string, refusal: string): Promise<void>;
}

export function isVenueRelayStore(store: RelayStore): store is VenueRelayStore {
  return 'mirrorUpstream' in store && typeof store.mirrorUpstream === 'function';
}
