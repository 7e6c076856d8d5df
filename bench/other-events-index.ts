/**
 * The gate's share of the other-events index: 100,000 entries (16-byte keyed hash + event id) applied
 * through the engine's snapshot path into a real gate database, and the database growth measured
 * (page count × page size, read through the WAL). Issue 12's goal: under 10 MB.
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { applySnapshotChunks, finishSnapshot } from '../electron/gate/apply.js';
import { GateStore } from '../electron/gate/store/index.js';
import type { IndexEntry } from '../shared/protocol.js';
import type { BenchRow } from './types.js';

const ENTRIES = 100_000;
const FRAME = 5_000;
const GOAL_BYTES = 10_000_000;

function databaseBytes(path: string): number {
  // A second connection sees the committed size, checkpointed or not.
  const reader = new GateStore(path);
  try {
    return reader.pageBytes();
  } finally {
    reader.close();
  }
}

export function measureIndexSize(dir: string): BenchRow {
  const path = join(dir, 'index.db');
  const store = new GateStore(path);
  try {
    const before = databaseBytes(path);
    const key = Buffer.alloc(32, 1);
    const frames: { events: []; tickets: []; scans: []; index: IndexEntry[] }[] = [];
    for (let from = 0; from < ENTRIES; from += FRAME) {
      const index = Array.from({ length: Math.min(FRAME, ENTRIES - from) }, (_, offset) => ({
        hash: createHmac('sha256', key)
          .update(`BARCODE-${from + offset}`)
          .digest()
          .subarray(0, 16)
          .toString('base64'),
        // Ids spread over a fortnight of other events, as Moshtix numbers them.
        eventId: String(132_000 + ((from + offset) % 40)),
        isPresent: true,
      }));
      frames.push({ events: [], tickets: [], scans: [], index });
    }
    const now = new Date().toISOString();
    applySnapshotChunks(store, 'Bench', frames, now, 1);
    finishSnapshot(store, 1, now);
    const growth = databaseBytes(path) - before;
    const megabytes = growth / 1e6;
    return {
      bench: 'gate',
      figure: 'other-events index: gate database growth for 100,000 entries',
      measured: megabytes,
      unit: 'MB',
      goal: '< 10 MB',
      floor: null,
      ratio: null,
      pass: growth < GOAL_BYTES,
    };
  } finally {
    store.close();
  }
}
