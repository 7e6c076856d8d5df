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
  type SnapshotChunk,
} from '../apply.js';
import type { Engine } from '../engine.js';
import type { SyncTarget } from './client.js';

/** Snapshot chunks are applied in batches of about this many tickets (one transaction each). */
export const SNAPSHOT_BATCH_TICKETS = 25_000;

export function syncTargetFor(engine: Engine, batchTickets = SNAPSHOT_BATCH_TICKETS): SyncTarget {
  const now = () => engine.now().toISOString();
  let batch: SnapshotChunk[] = [];
  let batchSize = 0;
  /** Stores the batch; returns how many tickets it held. */
  const flush = (): number => {
    if (batch.length === 0) return 0;
    const chunks = batch;
    const tickets = chunks.reduce((sum, chunk) => sum + chunk.tickets.length, 0);
    batch = [];
    batchSize = 0;
    engine.applied(applySnapshotChunks(engine.store, engine.gateName(), chunks, now()));
    return tickets;
  };
  return {
    connection: () => ({ relayUrl: engine.settings.relayUrl, token: engine.secrets.get() }),
    cursor: () => engine.store.state.cursor(),
    events: () => [...engine.settings.events],
    pendingScans: (limit) => engine.store.scans.pending(limit),
    welcome: (events, gate) => {
      applyEvents(engine.store, events);
      engine.authenticatedAs(gate);
    },
    snapshotBegin: () => {
      // Chunks of a snapshot cut short by a disconnect are dropped: the relay sends it again.
      batch = [];
      batchSize = 0;
    },
    snapshotChunk: (chunk) => {
      batch.push(chunk);
      batchSize += chunk.tickets.length + chunk.scans.length;
      return batchSize >= batchTickets ? flush() : 0;
    },
    snapshotEnd: (cursor) => {
      flush();
      finishSnapshot(engine.store, cursor, now());
    },
    entries: (entries) => {
      const outcome = applyEntries(engine.store, engine.gateName(), entries, now());
      engine.applied(outcome);
      return outcome.cursor;
    },
    scanAcked: (id, seq) => engine.store.scans.markUploaded(id, seq),
    scanRefused: (id, reason) => engine.scanRefused(id, reason),
    changed: () => engine.changed(),
  };
}
