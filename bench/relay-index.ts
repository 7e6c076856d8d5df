/**
 * The relay's share of the other-events index (issue 12): 100,000 tickets of ten other events in a
 * real relay database, read and hashed into index rows the way a gate's snapshot gets them (cold,
 * then from the cache a second gate shares), and the bytes those rows take on the wire as
 * snapshot-chunk frames. Informational rows: the issue pins only the gate's size (bench/gate.ts).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { OtherEventsIndex } from '../relay/hub/other-events.js';
import { DEFAULT_OTHER_EVENTS_WINDOW } from '../relay/hub/other-events-window.js';
import { openSqliteStore } from '../relay/store/sqlite.js';
import type { ImportRow } from '../relay/store/types.js';
import type { IndexEntry } from '../shared/protocol.js';
import { benchRow, type BenchRow } from './types.js';

const EVENTS = 10;
const PER_EVENT = 10_000;
/** As relay/hub/session.ts sends them. */
const CHUNK = 5_000;

function rowsOf(event: number): ImportRow[] {
  return Array.from({ length: PER_EVENT }, (_, index) => ({
    barcode: `B${event}-${index.toString(36).padStart(8, '0')}`,
    valid: true,
    orderId: String(event * PER_EVENT + index),
    ticketId: null,
    ticketTypeId: null,
    ticketTypeName: 'General Admission',
    holderName: 'Bench Holder',
    email: 'bench@example.org',
  }));
}

function wireBytes(rows: readonly IndexEntry[]): number {
  let bytes = 0;
  for (let from = 0; from < rows.length; from += CHUNK) {
    const frame = {
      type: 'snapshot-chunk',
      events: [],
      tickets: [],
      scans: [],
      index: rows.slice(from, from + CHUNK),
    };
    bytes += Buffer.byteLength(JSON.stringify(frame));
  }
  return bytes;
}

export async function measureRelayIndex(dir: string): Promise<BenchRow[]> {
  const store = openSqliteStore(join(dir, 'index-relay.db'));
  try {
    const eventIds: string[] = [];
    for (let event = 0; event < EVENTS; event += 1) {
      const eventId = String(140_000 + event);
      eventIds.push(eventId);
      await store.importTickets(eventId, 'bench.csv', rowsOf(event));
    }
    const index = new OtherEventsIndex({ store, window: DEFAULT_OTHER_EVENTS_WINDOW });
    await index.start();
    const others = { ids: new Set(eventIds), key: eventIds.join(',') };
    const cursor = (await store.stats()).logHead;
    const coldStart = performance.now();
    const rows = await index.snapshotRows(others, cursor);
    const coldMs = performance.now() - coldStart;
    const warmStart = performance.now();
    await index.snapshotRows(others, cursor);
    const warmMs = performance.now() - warmStart;
    if (rows.length !== EVENTS * PER_EVENT) throw new Error(`indexed ${rows.length} tickets`);
    const info = (figure: string, measured: number, unit: string) =>
      benchRow('relay', figure, measured, unit);
    return [
      info('other-events index: rows for 100,000 tickets, read and hashed (cold)', coldMs, 'ms'),
      info('other-events index: the same rows for the next gate (cached)', warmMs, 'ms'),
      info('other-events index: snapshot bytes on the wire for 100,000 entries', wireBytes(rows) / 1e6, 'MB'),
    ];
  } finally {
    await store.close();
  }
}
