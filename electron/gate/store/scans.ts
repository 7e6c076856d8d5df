/** Named queries over scan records (local decisions and those learned from the relay) and conflicts. */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { scanRecordSchema, type ScanRecord } from '../../../shared/scans.js';

interface ScanRow {
  id: string;
  barcode: string;
  event_id: string | null;
  gate: string;
  at: string;
  direction: string;
  result: string;
  reason: string;
  kind: string;
  note: string | null;
  annuls: string | null;
  conflict_id: string | null;
  is_local: number;
  is_uploaded: number;
  relay_seq: number | null;
}

interface ConflictRow {
  id: string;
  barcode: string;
  event_id: string | null;
  scan_ids: string;
  detected_at: string;
}

/** What the counters need of an admission or exit. */
export interface MovementRow {
  id: string;
  barcode: string;
  event_id: string | null;
  direction: string;
}

export interface StoredConflict {
  id: string;
  barcode: string;
  eventId: string | null;
  scanIds: string[];
  detectedAt: string;
}

/** Rows are parsed back through the wire schema: a damaged row fails loudly, naming the field. */
function scanFromRow(row: ScanRow): ScanRecord {
  return scanRecordSchema.parse({
    id: row.id,
    barcode: row.barcode,
    eventId: row.event_id,
    gate: row.gate,
    at: row.at,
    direction: row.direction,
    result: row.result,
    reason: row.reason,
    kind: row.kind,
    note: row.note,
    annuls: row.annuls,
    ...(row.conflict_id === null ? {} : { conflict: row.conflict_id }),
  });
}

const scanIdsSchema = z.array(z.string());

/**
 * The order things happened in: the relay's log (seq), then this gate's decisions not yet given a
 * seq, by its own local sequence. Never the wall-clock `at`, which jumps when a clock is set.
 */
const IN_LOG_ORDER = 'ORDER BY relay_seq IS NULL, relay_seq, local_seq, rowid';

export function createScanQueries(db: Database.Database) {
  const statements = {
    // A decision made here takes the next local sequence number in the same statement.
    insert: db.prepare(`
      INSERT INTO scans (id, barcode, event_id, gate, at, direction, result, reason, kind, note, annuls,
        conflict_id, is_local, is_uploaded, relay_seq, local_seq)
      VALUES (@id, @barcode, @eventId, @gate, @at, @direction, @result, @reason, @kind, @note, @annuls,
        @conflictId, @isLocal, @isUploaded, @relaySeq,
        CASE WHEN @isDecidedHere = 1 THEN (SELECT COALESCE(MAX(local_seq), 0) + 1 FROM scans) END)
      ON CONFLICT (id) DO UPDATE SET relay_seq = COALESCE(scans.relay_seq, excluded.relay_seq),
        is_uploaded = MAX(scans.is_uploaded, excluded.is_uploaded)`),
    byId: db.prepare<[string], ScanRow>('SELECT * FROM scans WHERE id = ?'),
    // What happened to one barcode, in order.
    history: db.prepare<[string], ScanRow>(`SELECT * FROM scans WHERE barcode = ? ${IN_LOG_ORDER}`),
    // Uploaded in the order they were made, so the relay's seqs keep that order. A scan the relay
    // refused stays out of the queue.
    pending: db.prepare<[number], ScanRow>(
      'SELECT * FROM scans WHERE is_uploaded = 0 AND refused IS NULL ORDER BY local_seq, rowid LIMIT ?',
    ),
    pendingCount: db.prepare<[], { count: number }>(
      'SELECT COUNT(*) AS count FROM scans WHERE is_uploaded = 0 AND refused IS NULL',
    ),
    markRefused: db.prepare<[string, string]>(
      'UPDATE scans SET refused = ? WHERE id = ? AND is_local = 1 AND is_uploaded = 0',
    ),
    refusedCount: db.prepare<[], { count: number }>(
      'SELECT COUNT(*) AS count FROM scans WHERE refused IS NOT NULL',
    ),
    renamePending: db.prepare<[string, string]>(
      'UPDATE scans SET gate = ? WHERE is_local = 1 AND is_uploaded = 0 AND refused IS NULL AND gate <> ?',
    ),
    markUploaded: db.prepare<[number, string]>(
      'UPDATE scans SET is_uploaded = 1, relay_seq = ? WHERE id = ?',
    ),
    // The gate filter is part of a name in any case: "door" finds "Door 1" and "Side door".
    recent: db.prepare<[{ result: string | null; gate: string | null; limit: number }], ScanRow>(`
      SELECT * FROM scans WHERE (@result IS NULL OR result = @result)
        AND (@gate IS NULL OR instr(lower(gate), lower(@gate)) > 0)
      ORDER BY at DESC, rowid DESC LIMIT @limit`),
    reviews: db.prepare<[], ScanRow>(
      "SELECT * FROM scans WHERE kind = 'review' AND conflict_id IS NOT NULL ORDER BY at, id",
    ),
    // `at` only bounds the window (the day or the night); the order is the history's, as for `history`.
    since: db.prepare<[string], ScanRow>(`SELECT * FROM scans WHERE at >= ? ${IN_LOG_ORDER}`),
    // The night's counters read only what movements need, in the history's order, without parsing each
    // row through the wire schema (that cost ~25 µs a row: half a second at 20,000 scans).
    movementsSince: db.prepare<[string], MovementRow>(`
      SELECT id, barcode, event_id, direction FROM scans
      WHERE at >= ? AND result = 'admit' AND kind IN ('scan', 'manual') ${IN_LOG_ORDER}`),
    annulled: db.prepare<[], { annuls: string }>(
      "SELECT annuls FROM scans WHERE kind = 'annul' AND annuls IS NOT NULL",
    ),
    countSince: db.prepare<[string], { count: number }>(
      "SELECT COUNT(*) AS count FROM scans WHERE at >= ? AND kind = 'scan'",
    ),
    insertConflict: db.prepare(`
      INSERT INTO conflicts (id, barcode, event_id, scan_ids, detected_at)
      VALUES (@id, @barcode, @eventId, @scanIds, @detectedAt) ON CONFLICT (id) DO NOTHING`),
    conflicts: db.prepare<[], ConflictRow>('SELECT * FROM conflicts ORDER BY detected_at DESC'),
    // A reviewed conflict is closed: it stays listed, but no longer counts on the badge.
    conflictCount: db.prepare<[], { count: number }>(`
      SELECT COUNT(*) AS count FROM conflicts
      WHERE id NOT IN (SELECT conflict_id FROM scans WHERE kind = 'review' AND conflict_id IS NOT NULL)`),
  };

  return {
    /**
     * Inserts a record; one already known (same id) only gains its relay seq / uploaded mark. A local
     * record without a relay seq is a decision made here: it takes the next local sequence number.
     */
    insert(
      scan: ScanRecord,
      origin: { isLocal: boolean; isUploaded: boolean; relaySeq: number | null },
    ): boolean {
      const info = statements.insert.run({
        ...scan,
        conflictId: scan.conflict ?? null,
        isLocal: origin.isLocal ? 1 : 0,
        isUploaded: origin.isUploaded ? 1 : 0,
        relaySeq: origin.relaySeq,
        isDecidedHere: origin.isLocal && origin.relaySeq === null ? 1 : 0,
      });
      return info.changes > 0;
    },
    exists(id: string): boolean {
      return statements.byId.get(id) !== undefined;
    },
    get(id: string): ScanRecord | null {
      const row = statements.byId.get(id);
      return row ? scanFromRow(row) : null;
    },
    /** Every record of a barcode in the order things happened (see the statement). */
    history(barcode: string): ScanRecord[] {
      return statements.history.all(barcode).map(scanFromRow);
    },
    pending(limit: number): ScanRecord[] {
      return statements.pending.all(limit).map(scanFromRow);
    },
    pendingCount(): number {
      return statements.pendingCount.get()?.count ?? 0;
    },
    markUploaded(id: string, seq: number): void {
      statements.markUploaded.run(seq, id);
    },
    /** The relay refused this local scan: keep it, with the reason, out of the upload queue. */
    markRefused(id: string, reason: string): void {
      statements.markRefused.run(reason, id);
    },
    refusedCount(): number {
      return statements.refusedCount.get()?.count ?? 0;
    },
    /** Local scans not yet uploaded take the gate name the relay knows this gate by; returns how many. */
    renamePending(gate: string): number {
      return statements.renamePending.run(gate, gate).changes;
    },
    recent(filter: { result: string | null; gate: string | null; limit: number }): ScanRecord[] {
      return statements.recent.all(filter).map(scanFromRow);
    },
    /** Conflict reviews from any gate, oldest first. */
    reviews(): ScanRecord[] {
      return statements.reviews.all().map(scanFromRow);
    },
    /** Every record since `at`, in the log's order (`since('')`: all of them, as the night report reads). */
    since(at: string): ScanRecord[] {
      return statements.since.all(at).map(scanFromRow);
    },
    /** Admissions and exits since `at` (annulled ones included: see `annulledIds`), in log order. */
    movementsSince(
      at: string,
    ): { id: string; barcode: string; eventId: string | null; direction: 'in' | 'out' }[] {
      return statements.movementsSince.all(at).map((row) => ({
        id: row.id,
        barcode: row.barcode,
        eventId: row.event_id,
        direction: row.direction === 'out' ? 'out' : 'in',
      }));
    },
    /** Ids of every admission or exit that was annulled. */
    annulledIds(): Set<string> {
      return new Set(statements.annulled.all().map((row) => row.annuls));
    },
    countScansSince(at: string): number {
      return statements.countSince.get(at)?.count ?? 0;
    },
    insertConflict(conflict: StoredConflict): boolean {
      const info = statements.insertConflict.run({ ...conflict, scanIds: JSON.stringify(conflict.scanIds) });
      return info.changes > 0;
    },
    conflicts(): StoredConflict[] {
      return statements.conflicts.all().map((row) => ({
        id: row.id,
        barcode: row.barcode,
        eventId: row.event_id,
        scanIds: scanIdsSchema.parse(JSON.parse(row.scan_ids)),
        detectedAt: row.detected_at,
      }));
    },
    conflictCount(): number {
      return statements.conflictCount.get()?.count ?? 0;
    },
  };
}

export type ScanQueries = ReturnType<typeof createScanQueries>;
