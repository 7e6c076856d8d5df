/**
 * The decision journal: this gate's own decisions (scans, manual admissions, annulments, reviews),
 * one JSON line each, written with O_DSYNC before the database row. A decision is on disk once its
 * small line is; the database then commits it without waiting for fsync. Waiting would cost more
 * than the line: a synced commit flushes every page written since the last sync, and while a
 * snapshot is being stored that is megabytes of ticket pages, which once took a scan 150–200 ms.
 *
 * After a power cut the database may have lost its last unsynced commits; the journal still holds
 * those decisions and they are stored again, in their order, when the store opens (a decision already
 * stored is left as it is). Once a synced commit covers every line (the door quiet, or the store
 * closing), the journal is emptied.
 */
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { scanRecordSchema, type ScanRecord } from '../../../shared/scans.js';

export interface JournalRead {
  scans: ScanRecord[];
  /** Lines that could not be read: a line torn by a power cut mid-write, never acknowledged. */
  unreadable: number;
}

export class DecisionJournal {
  private readonly descriptor: number;
  private bytes: number;
  private isClosed = false;

  constructor(readonly path: string) {
    // O_DSYNC: each write returns once its data is on disk. 0600: the lines hold barcodes.
    this.descriptor = openSync(
      path,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC,
      0o600,
    );
    this.bytes = fstatSync(this.descriptor).size;
  }

  /** Every decision in the journal, oldest first. */
  read(): JournalRead {
    const scans: ScanRecord[] = [];
    let unreadable = 0;
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        scans.push(scanRecordSchema.parse(JSON.parse(line)));
      } catch {
        unreadable += 1;
      }
    }
    return { scans, unreadable };
  }

  /** Appends one decision; returns once it is on disk. */
  append(scan: ScanRecord): void {
    const line = Buffer.from(`${JSON.stringify(scan)}\n`);
    let written = 0;
    while (written < line.length) written += writeSync(this.descriptor, line, written);
    this.bytes += line.length;
  }

  /** Bytes in the journal (0 once emptied). */
  get size(): number {
    return this.bytes;
  }

  /** Empties the journal: call only once a synced database commit holds every line. */
  clear(): void {
    this.truncateTo(0);
  }

  /** Drops what was appended after `bytes` (a decision that could not be stored). */
  truncateTo(bytes: number): void {
    ftruncateSync(this.descriptor, bytes);
    this.bytes = bytes;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    closeSync(this.descriptor);
  }
}
