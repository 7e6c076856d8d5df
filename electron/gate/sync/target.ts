/**
 * What the sync client sees of the engine: the connection settings, the cursor and selected events,
 * pending uploads, and the apply steps. Snapshot chunks and large entry batches go through the
 * engine's ApplyQueue (bounded slices that leave room for scans, see apply-queue.ts); the queue also
 * tells the client when to stop reading (`backlog`).
 */
import { applyEvents } from '../apply.js';
import type { Engine } from '../engine.js';
import type { SyncTarget } from './client.js';

export function syncTargetFor(engine: Engine): SyncTarget {
  const queue = engine.applyQueue;
  return {
    connection: () => ({ relayUrl: engine.settings.relayUrl, token: engine.secrets.get() }),
    cursor: () => engine.store.state.cursor(),
    events: () => [...engine.settings.events],
    pendingScans: (limit) => engine.store.scans.pending(limit),
    welcome: (events) => applyEvents(engine.store, events),
    snapshotBegin: () => queue.snapshotBegin(),
    // Stored by the queue, slice by slice; progress is reported from there (engine.status).
    snapshotChunk: (chunk) => {
      queue.snapshotChunk(chunk);
      return 0;
    },
    snapshotEnd: (cursor) => queue.snapshotEnd(cursor),
    entries: (entries) => queue.entries(entries),
    backlog: () => queue.backlog(),
    scanAcked: (id, seq) => engine.store.scans.markUploaded(id, seq),
    changed: () => engine.changed(),
  };
}
