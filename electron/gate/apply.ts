/**
 * Applies what the relay sends to the store. Every function here runs inside one synchronous
 * transaction and is idempotent: a batch delivered twice changes nothing the second time. The cursor
 * moves in the same transaction as the changes it covers (exactly-once effect over at-least-once
 * delivery); snapshot chunks leave the cursor alone until snapshot-end, so a gate killed mid-snapshot
 * starts the snapshot again from the old cursor.
 *
 * One bad item never costs its neighbours: a batch in which an entry fails is applied again entry by
 * entry, each in its own savepoint, and an entry that cannot be applied (or did not even parse, see
 * sync/frames.ts) is recorded in the store (apply_errors) in the same transaction as the cursor that
 * moves past it. A failure of the machine
 * rather than of the entry (disk full, I/O) still fails the whole batch, so the relay sends it again.
 */
import type { IndexEntry, LogEntry } from '../../shared/protocol.js';
import type { ScanRecord } from '../../shared/scans.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';
import { findConflicts, type DayOf } from './conflicts.js';
import { applyIndexEntry } from './other-events.js';
import type { ApplyError } from './store/apply-errors.js';
import { isEnvironmentFailure, type GateStore } from './store/index.js';

export interface ApplyOutcome {
  ticketsInserted: number;
  ticketsChanged: number;
  scansAdded: ScanRecord[];
  conflictsAdded: number;
  cursor: number;
  /** Items that could not be applied (each recorded in the store), in words for status.lastError. */
  errors: string[];
}

/** For a barcode of a multi-day event, the door day of each of its scans; null otherwise. */
export type ConflictDays = (barcode: string) => DayOf | null;

function emptyOutcome(cursor: number): ApplyOutcome {
  return { ticketsInserted: 0, ticketsChanged: 0, scansAdded: [], conflictsAdded: 0, cursor, errors: [] };
}

export function describeApplyError(problem: ApplyError): string {
  return `could not apply ${problem.what}: ${problem.error}`;
}

class Applier {
  readonly outcome: ApplyOutcome;
  private readonly touched = new Set<string>();

  constructor(
    private readonly store: GateStore,
    private readonly gate: string,
    private readonly now: string,
    private readonly conflictDays?: ConflictDays,
    /** A first snapshot into an empty table: insert first, merge only what is already stored. */
    private readonly isFirstLoad = false,
  ) {
    this.outcome = emptyOutcome(store.state.cursor());
  }

  ticket(state: TicketState): void {
    const result = this.isFirstLoad ? this.store.tickets.applyNew(state) : this.store.tickets.apply(state);
    if (result === 'inserted') this.outcome.ticketsInserted += 1;
    if (result !== 'kept') this.outcome.ticketsChanged += 1;
  }

  scan(scan: ScanRecord, seq: number): void {
    const isOwn = scan.gate === this.gate;
    // Our own scan coming back from the relay proves the upload landed.
    const isKnown = this.store.scans.exists(scan.id);
    this.store.scans.insert(scan, { isLocal: isOwn, isUploaded: true, relaySeq: seq });
    if (!isKnown && !isOwn) this.outcome.scansAdded.push(scan);
    if (scan.result === 'admit') this.touched.add(scan.barcode);
  }

  /**
   * Applies one log entry; `isIsolated` puts it in its own savepoint, and one that cannot be applied
   * is recorded instead. Without it, a failure is thrown to the caller.
   */
  entry(entry: LogEntry, isIsolated: boolean): void {
    if (!isIsolated) {
      this.applyEntry(entry);
      return;
    }
    try {
      this.store.savepoint(() => this.applyEntry(entry));
    } catch (error) {
      if (isEnvironmentFailure(error)) throw error;
      this.reject({
        seq: entry.seq,
        what: `log entry ${entry.seq}`,
        error: (error as Error).message,
        item: JSON.stringify(entry),
      });
    }
  }

  reject(problem: ApplyError): void {
    this.store.applyErrors.record(problem, this.now);
    this.outcome.errors.push(describeApplyError(problem));
  }

  private applyEntry(entry: LogEntry): void {
    switch (entry.kind) {
      case 'ticket':
        this.ticket(entry.ticket);
        return;
      case 'event':
        this.store.tickets.upsertEvent(entry.event);
        return;
      case 'scan':
        this.scan(entry.scan, entry.seq);
        return;
      case 'index':
        applyIndexEntry(this.store, entry.index, entry.seq);
        return;
      default: {
        const impossible: never = entry;
        throw new Error(`unknown log entry ${JSON.stringify(impossible)}`);
      }
    }
  }

  /** Conflicts are looked for once per barcode per batch, after all its scans are in. */
  finish(): ApplyOutcome {
    for (const barcode of this.touched) {
      const dayOf = this.conflictDays?.(barcode) ?? null;
      for (const pair of findConflicts(this.store.scans.history(barcode), dayOf)) {
        const isNew = this.store.scans.insertConflict({
          id: pair.id,
          barcode: pair.barcode,
          eventId: pair.eventId,
          scanIds: pair.scans.map((scan) => scan.id),
          detectedAt: this.now,
        });
        if (isNew) this.outcome.conflictsAdded += 1;
      }
    }
    return this.outcome;
  }
}

export function applyEvents(store: GateStore, events: readonly EventInfo[]): void {
  store.transaction(() => {
    for (const event of events) store.tickets.upsertEvent(event);
  });
}

export interface SnapshotChunk {
  events: readonly EventInfo[];
  tickets: readonly TicketState[];
  scans: readonly { seq: number; scan: ScanRecord }[];
  index?: readonly IndexEntry[];
}

export function applySnapshotChunk(
  store: GateStore,
  gate: string,
  chunk: SnapshotChunk,
  now: string,
): ApplyOutcome {
  return applySnapshotChunks(store, gate, [chunk], now);
}

/**
 * Applies several snapshot chunks in one transaction: SQLite inserts run several times faster in
 * big transactions than in one per 1,000-ticket chunk. The cursor does not move (see finishSnapshot),
 * so a crash mid-snapshot only means the snapshot is sent again. Index entries are stamped with the
 * snapshot's cursor (from snapshot-begin), which finishSnapshot relies on.
 */
export function applySnapshotChunks(
  store: GateStore,
  gate: string,
  chunks: readonly SnapshotChunk[],
  now: string,
  snapshotCursor = 0,
  conflictDays?: ConflictDays,
  isFirstLoad = false,
): ApplyOutcome {
  return store.replayableTransaction(() => {
    const applier = new Applier(store, gate, now, conflictDays, isFirstLoad);
    for (const chunk of chunks) {
      for (const event of chunk.events) store.tickets.upsertEvent(event);
      for (const ticket of chunk.tickets) applier.ticket(ticket);
      for (const { seq, scan } of chunk.scans) applier.scan(scan, seq);
      for (const entry of chunk.index ?? []) applyIndexEntry(store, entry, snapshotCursor);
    }
    return applier.finish();
  });
}

/**
 * A snapshot is the whole state as of `cursor`: index entries it did not (re)confirm are gone (an
 * entry removed while this gate was away), and the cursor moves, in one transaction. Replayable like
 * the chunks before it: a synced commit here would flush the whole snapshot's pages at once (257 ms
 * for a million tickets, with scans waiting). A power cut may take it back, with the cursor, and
 * the gate asks for the snapshot again.
 */
export function finishSnapshot(store: GateStore, cursor: number, now: string): void {
  store.replayableTransaction(() => {
    store.otherEvents.dropBefore(cursor);
    store.state.setCursor(cursor);
    store.state.setLastSync(now);
  });
}

/**
 * Records items that could not be read (a snapshot chunk's, see sync/frames.ts, or a whole frame);
 * the gate goes on without them. Returns them in words for status.lastError.
 */
export function recordApplyErrors(store: GateStore, problems: readonly ApplyError[], now: string): string[] {
  store.transaction(() => {
    for (const problem of problems) store.applyErrors.record(problem, now);
  });
  return problems.map(describeApplyError);
}

/**
 * Applies log entries newer than the cursor, in seq order, and moves the cursor past them. `unreadable`
 * are entries of the same frame that did not parse: recorded, and the cursor may pass them. The
 * cursor never passes an entry that was neither applied nor recorded.
 */
export function applyEntries(
  store: GateStore,
  gate: string,
  entries: readonly LogEntry[],
  now: string,
  unreadable: readonly ApplyError[] = [],
  conflictDays?: ConflictDays,
): ApplyOutcome {
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  const applyAll = (isIsolated: boolean): ApplyOutcome => {
    const applier = new Applier(store, gate, now, conflictDays);
    const applied = store.state.cursor();
    let cursor = applied;
    for (const problem of unreadable) {
      // At or below the cursor: sent again after it was recorded the first time.
      if (problem.seq !== null && problem.seq <= applied) continue;
      applier.reject(problem);
      if (problem.seq !== null) cursor = Math.max(cursor, problem.seq);
    }
    for (const entry of sorted) {
      if (entry.seq <= applied) continue;
      applier.entry(entry, isIsolated);
      cursor = Math.max(cursor, entry.seq);
    }
    store.state.setCursor(cursor);
    store.state.setLastSync(now);
    const outcome = applier.finish();
    outcome.cursor = cursor;
    return outcome;
  };
  return store.replayableTransaction(() => {
    // The whole batch in one savepoint first (a savepoint per entry costs time on a long catch-up);
    // only when an entry fails is it done again entry by entry, so the others still go in.
    try {
      return store.savepoint(() => applyAll(false));
    } catch (error) {
      if (isEnvironmentFailure(error)) throw error;
      return applyAll(true);
    }
  });
}
