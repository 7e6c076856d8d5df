/**
 * Applies what the relay sends to the store. Every function here runs inside one synchronous
 * transaction and is idempotent: a batch delivered twice changes nothing the second time. The cursor
 * moves in the same transaction as the changes it covers (exactly-once effect over at-least-once
 * delivery); snapshot chunks leave the cursor alone until snapshot-end, so a gate killed mid-snapshot
 * starts the snapshot again from the old cursor.
 */
import type { IndexEntry, LogEntry } from '../../shared/protocol.js';
import type { ScanRecord } from '../../shared/scans.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';
import { findConflicts, type DayOf } from './conflicts.js';
import { applyIndexEntry } from './other-events.js';
import type { GateStore } from './store/index.js';

export interface ApplyOutcome {
  ticketsInserted: number;
  ticketsChanged: number;
  scansAdded: ScanRecord[];
  conflictsAdded: number;
  cursor: number;
}

/** For a barcode of a multi-day event, the door day of each of its scans; null otherwise. */
export type ConflictDays = (barcode: string) => DayOf | null;

function emptyOutcome(cursor: number): ApplyOutcome {
  return { ticketsInserted: 0, ticketsChanged: 0, scansAdded: [], conflictsAdded: 0, cursor };
}

class Applier {
  readonly outcome: ApplyOutcome;
  private readonly touched = new Set<string>();

  constructor(
    private readonly store: GateStore,
    private readonly gate: string,
    private readonly now: string,
    private readonly conflictDays?: ConflictDays,
  ) {
    this.outcome = emptyOutcome(store.state.cursor());
  }

  ticket(state: TicketState): void {
    const result = this.store.tickets.apply(state);
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
): ApplyOutcome {
  return store.replayableTransaction(() => {
    const applier = new Applier(store, gate, now, conflictDays);
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
 * entry removed while this gate was away), and the cursor moves, in one transaction.
 */
export function finishSnapshot(store: GateStore, cursor: number, now: string): void {
  store.transaction(() => {
    store.otherEvents.dropBefore(cursor);
    store.state.setCursor(cursor);
    store.state.setLastSync(now);
  });
}

/** Applies log entries newer than the cursor, in seq order, and moves the cursor past them. */
export function applyEntries(
  store: GateStore,
  gate: string,
  entries: readonly LogEntry[],
  now: string,
  conflictDays?: ConflictDays,
): ApplyOutcome {
  return store.replayableTransaction(() => {
    const applier = new Applier(store, gate, now, conflictDays);
    let cursor = store.state.cursor();
    for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
      if (entry.seq <= cursor) continue;
      switch (entry.kind) {
        case 'ticket':
          applier.ticket(entry.ticket);
          break;
        case 'event':
          store.tickets.upsertEvent(entry.event);
          break;
        case 'scan':
          applier.scan(entry.scan, entry.seq);
          break;
        case 'index':
          applyIndexEntry(store, entry.index, entry.seq);
          break;
        default: {
          const impossible: never = entry;
          throw new Error(`unknown log entry ${JSON.stringify(impossible)}`);
        }
      }
      cursor = entry.seq;
    }
    store.state.setCursor(cursor);
    store.state.setLastSync(now);
    const outcome = applier.finish();
    outcome.cursor = cursor;
    return outcome;
  });
}
