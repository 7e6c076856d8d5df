/**
 * What the sync client sees of the engine: the connection settings, the cursor and selected events,
 * pending uploads, and the apply steps (each its own transaction, see ../apply.ts; snapshot chunks
 * are applied in batches).
 */
import {
  applyEntries,
  applyEvents,
  applySnapshotChunks,
  finishSnapshot,
  recordApplyErrors,
  type SnapshotChunk,
} from '../apply.js';
import type { Engine } from '../engine.js';
import { acceptIndexKey } from '../other-events.js';
import { relayUrlsOf } from '../settings.js';
import type { SyncTarget } from './client.js';

/** Snapshot chunks are applied in batches of about this many tickets (one transaction each). */
export const SNAPSHOT_BATCH_TICKETS = 25_000;

export function syncTargetFor(engine: Engine, batchTickets = SNAPSHOT_BATCH_TICKETS): SyncTarget {
  const now = () => engine.now().toISOString();
  let batch: SnapshotChunk[] = [];
  let batchSize = 0;
  let snapshotCursor = 0;
  const conflictDays = (barcode: string) => engine.conflictDays(barcode);
  /** Stores the batch; returns how many tickets it held. */
  const flush = (): number => {
    if (batch.length === 0) return 0;
    const chunks = batch;
    const tickets = chunks.reduce((sum, chunk) => sum + chunk.tickets.length, 0);
    batch = [];
    batchSize = 0;
    engine.applied(
      applySnapshotChunks(
        engine.store,
        engine.settings.gateName,
        chunks,
        now(),
        snapshotCursor,
        conflictDays,
      ),
    );
    return tickets;
  };
  return {
    connection: () => ({ relayUrls: relayUrlsOf(engine.settings), token: engine.secrets.get() }),
    cursor: () => engine.store.state.cursor(),
    events: () => [...engine.settings.events],
    pendingScans: (limit) => engine.store.scans.pending(limit),
    welcome: (events, indexKey) => {
      applyEvents(engine.store, events);
      return acceptIndexKey(engine.store, indexKey);
    },
    snapshotBegin: (cursor) => {
      // Chunks of a snapshot cut short by a disconnect are dropped: the relay sends it again.
      batch = [];
      batchSize = 0;
      snapshotCursor = cursor ?? 0;
    },
    snapshotChunk: (chunk) => {
      batch.push(chunk);
      batchSize += chunk.tickets.length + chunk.scans.length + (chunk.index?.length ?? 0);
      return batchSize >= batchTickets ? flush() : 0;
    },
    snapshotEnd: (cursor) => {
      flush();
      finishSnapshot(engine.store, cursor, now());
    },
    entries: (entries, unreadable) => {
      const outcome = applyEntries(
        engine.store,
        engine.settings.gateName,
        entries,
        now(),
        unreadable,
        conflictDays,
      );
      engine.applied(outcome);
      return { cursor: outcome.cursor, errors: outcome.errors };
    },
    recordApplyErrors: (problems) => recordApplyErrors(engine.store, problems, now()),
    // Losing this mark in a power cut only means the scan is uploaded again, and the relay dedupes
    // it by id: no need to wait for the disk (fsync) on the gate's main thread after every scan.
    scanAcked: (id, seq) =>
      engine.store.replayableTransaction(() => engine.store.scans.markUploaded(id, seq)),
    changed: () => engine.changed(),
  };
}
