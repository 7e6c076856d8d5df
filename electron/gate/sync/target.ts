/**
 * What the sync client sees of the engine: the connection settings, the cursor and selected events,
 * pending uploads, and the apply steps (each its own transaction, see ../apply.ts).
 */
import { applyEntries, applyEvents, applySnapshotChunk, finishSnapshot } from '../apply.js';
import type { Engine } from '../engine.js';
import type { SyncTarget } from './client.js';

export function syncTargetFor(engine: Engine): SyncTarget {
  const now = () => engine.now().toISOString();
  return {
    connection: () => ({ relayUrl: engine.settings.relayUrl, token: engine.secrets.get() }),
    cursor: () => engine.store.state.cursor(),
    events: () => [...engine.settings.events],
    pendingScans: (limit) => engine.store.scans.pending(limit),
    welcome: (events) => applyEvents(engine.store, events),
    snapshotChunk: (chunk) =>
      engine.applied(applySnapshotChunk(engine.store, engine.settings.gateName, chunk, now())),
    snapshotEnd: (cursor) => finishSnapshot(engine.store, cursor, now()),
    entries: (entries) => {
      const outcome = applyEntries(engine.store, engine.settings.gateName, entries, now());
      engine.applied(outcome);
      return outcome.cursor;
    },
    scanAcked: (id, seq) => engine.store.scans.markUploaded(id, seq),
    changed: () => engine.changed(),
  };
}
