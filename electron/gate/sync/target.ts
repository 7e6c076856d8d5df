/**
 * What the sync client sees of the engine: the connection settings, the cursor and selected events,
 * pending uploads, and the apply steps. Snapshot chunks and large entry batches go through the
 * engine's ApplyQueue (bounded slices that leave room for scans, see apply-queue.ts); the queue also
 * tells the client when to stop reading (`backlog`).
 */
import { applyEvents, recordApplyErrors } from '../apply.js';
import type { Engine } from '../engine.js';
import { acceptIndexKey } from '../other-events.js';
import { relayUrlsOf } from '../settings.js';
import type { SyncTarget } from './client.js';

export function syncTargetFor(engine: Engine): SyncTarget {
  const queue = engine.applyQueue;
  const now = () => engine.now().toISOString();
  return {
    connection: () => ({ relayUrls: relayUrlsOf(engine.settings), token: engine.secrets.get() }),
    cursor: () => engine.store.state.cursor(),
    events: () => [...engine.settings.events],
    pendingScans: (limit) => engine.store.scans.pending(limit),
    welcome: (events, gate, indexKey) => {
      applyEvents(engine.store, events);
      engine.authenticatedAs(gate);
      return acceptIndexKey(engine.store, indexKey);
    },
    snapshotBegin: (cursor) => queue.snapshotBegin(cursor ?? 0),
    // What a lost connection queued is dropped: the relay sends it again after the cursor on disk.
    disconnected: () => queue.drop(),
    // Stored by the queue, slice by slice; progress is reported from there (engine.status).
    snapshotChunk: (chunk) => {
      queue.snapshotChunk(chunk);
      return 0;
    },
    snapshotEnd: (cursor) => queue.snapshotEnd(cursor),
    entries: (entries, unreadable) => queue.entries(entries, unreadable),
    backlog: () => queue.backlog(),
    recordApplyErrors: (problems) => recordApplyErrors(engine.store, problems, now()),
    // Losing this mark in a power cut only means the scan is uploaded again, and the relay dedupes
    // it by id: no need to wait for the disk (fsync) on the gate's main thread after every scan.
    scanAcked: (id, seq) =>
      engine.store.replayableTransaction(() => engine.store.scans.markUploaded(id, seq)),
    scanRefused: (id, reason) => engine.scanRefused(id, reason),
    changed: () => engine.changed(),
  };
}
