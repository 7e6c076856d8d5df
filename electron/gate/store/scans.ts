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
  });
}

const scanIdsSchema = z.array(z.string());

export function createScanQueries(db: Database.Database) {
  const statements = {
    insert: db.prepare(`
      INSERT INTO scans (id, barcode, event_id, gate, at, direction, result, reason, kind, note, annuls,
        is_local, is_uploaded, relay_seq)
      VALUES (@id, @barcode, @eventId, @gate, @at, @direction, @result, @reason, @kind, @note, @annuls,
        @isLocal, @isUploaded, @relaySeq)
      ON CONFLICT (id) DO UPDATE SET relay_seq = COALESCE(scans.relay_seq, excluded.relay_seq),
        is_uploaded = MAX(scans.is_uploaded, excluded.is_uploaded)`),
    byId: db.prepare<[string], ScanRow>('SELECT * FROM scans WHERE id = ?'),
    history: db.prepare<[string], ScanRow>('SELECT * FROM scans WHERE barcode = ? ORDER BY at, id'),
    pending: db.prepare<[number], ScanRow>(
      'SELECT * FROM scans WHERE is_uploaded = 0 AND refused IS NULL ORDER BY at, rowid LIMIT ?',
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
    recent: db.prepare<[{ result: string | null; gate: string | null; limit: number }], ScanRow>(`
      SELECT * FROM scans WHERE (@result IS NULL OR result = @result) AND (@gate IS NULL OR gate = @gate)
      ORDER BY at DESC, rowid DESC LIMIT @limit`),
    since: db.prepare<[string], ScanRow>('SELECT * FROM scans WHERE at >= ? ORDER BY at, id'),
    countSince: db.prepare<[string], { count: number }>(
      "SELECT COUNT(*) AS count FROM scans WHERE at >= ? AND kind = 'scan'",
    ),
    insertConflict: db.prepare(`
      INSERT INTO conflicts (id, barcode, event_id, scan_ids, detected_at)
      VALUES (@id, @barcode, @eventId, @scanIds, @detectedAt) ON CONFLICT (id) DO NOTHING`),
    conflicts: db.prepare<[], ConflictRow>('SELECT * FROM conflicts ORDER BY detected_at DESC'),
    conflictCount: db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM conflicts'),
  };

  return {
    /** Inserts a record; one already known (same id) only gains its relay seq / uploaded mark. */
    insert(
      scan: ScanRecord,
      origin: { isLocal: boolean; isUploaded: boolean; relaySeq: number | null },
    ): boolean {
      const info = statements.insert.run({
        ...scan,
        isLocal: origin.isLocal ? 1 : 0,
        isUploaded: origin.isUploaded ? 1 : 0,
        relaySeq: origin.relaySeq,
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
    since(at: string): ScanRecord[] {
      return statements.since.all(at).map(scanFromRow);
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
