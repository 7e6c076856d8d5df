// The venue relay's side of the store on real temporary SQLite files: an upstream relay's snapshot
// and entries mirrored into a second store (entries only where something changed, the cursor with
// them), and the outbox of scans to forward.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logEntrySchema } from '../../shared/protocol.js';
import type { ScanRecord } from '../../shared/scans.js';
import { SqliteRelayStore } from './sqlite.js';
import { smallOrder } from '../../test/relay/small-order.js';

let dir: string;
const stores: SqliteRelayStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-upstream-'));
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(name: string, forwardsScans = false): SqliteRelayStore {
  const store = new SqliteRelayStore(join(dir, name), { forwardsScans });
  stores.push(store);
  return store;
}

const delivery = (orderId: number, valid = true, txId = orderId) =>
  smallOrder(orderId, { valid, tx: txId, origin: 'test' });

const scanOf = (gate: string): ScanRecord => ({
  id: randomUUID(),
  barcode: 'B1',
  eventId: '1',
  gate,
  at: '2026-01-01T20:00:00.000Z',
  direction: 'in',
  result: 'admit',
  reason: 'admitted',
  kind: 'scan',
  note: null,
  annuls: null,
});

async function mirrorSnapshot(from: SqliteRelayStore, to: SqliteRelayStore): Promise<void> {
  const snapshot = await from.readSnapshot(['1']);
  await to.mirrorUpstream({ kind: 'snapshot', ...snapshot });
}

async function mirrorEntries(from: SqliteRelayStore, to: SqliteRelayStore, after: number): Promise<void> {
  const stored = await from.readEntries(after, ['1'], 1_000);
  const entries = stored.map((entry) => logEntrySchema.parse(JSON.parse(entry.json)));
  const last = entries[entries.length - 1];
  if (last) await to.mirrorUpstream({ kind: 'entries', cursor: last.seq, entries });
}

describe('mirroring an upstream relay', () => {
  it('turns a snapshot into entries once; the same snapshot again writes nothing', async () => {
    const upstream = open('internet.db');
    for (let order = 1; order <= 5; order += 1) await upstream.ingestDelivery(delivery(order));
    await upstream.appendScan(scanOf('Box office'));
    const venue = open('venue.db');
    await mirrorSnapshot(upstream, venue);
    const head = (await venue.stats()).logHead;
    expect(head).toBe(7); // one event, five tickets, one scan
    expect((await venue.upstreamState()).cursor).toBe((await upstream.stats()).logHead);
    await mirrorSnapshot(upstream, venue);
    expect((await venue.stats()).logHead).toBe(head);
    const ours = await venue.readSnapshot(['1']);
    const theirs = await upstream.readSnapshot(['1']);
    expect(ours.tickets).toEqual(theirs.tickets);
    expect(ours.scans.map((scan) => scan.scan)).toEqual(theirs.scans.map((scan) => scan.scan));
  });

  it('applies entries after its cursor, skips those at or below it, and keeps the newest state', async () => {
    const upstream = open('internet.db');
    await upstream.ingestDelivery(delivery(1));
    const venue = open('venue.db');
    await mirrorEntries(upstream, venue, 0);
    const cursor = (await venue.upstreamState()).cursor;
    await upstream.ingestDelivery(delivery(1, false, 2)); // a refund
    await mirrorEntries(upstream, venue, cursor);
    const headAfterRefund = (await venue.stats()).logHead;
    // The whole log sent again (a frame repeated after a reconnect): nothing new, still refunded.
    await mirrorEntries(upstream, venue, 0);
    expect((await venue.stats()).logHead).toBe(headAfterRefund);
    expect((await venue.readSnapshot(['1'])).tickets.map((ticket) => ticket.valid)).toEqual([false]);
  });

  it('skips index entries (keyed by the upstream relay’s key), advancing its cursor past them', async () => {
    const upstream = open('internet.db');
    await upstream.ingestDelivery(delivery(1));
    const venue = open('venue.db');
    await mirrorEntries(upstream, venue, 0);
    const head = (await venue.stats()).logHead;
    const cursor = (await venue.upstreamState()).cursor;
    const hash = Buffer.alloc(16, 7).toString('base64');
    await venue.mirrorUpstream({
      kind: 'entries',
      cursor: cursor + 2,
      entries: [
        { seq: cursor + 1, kind: 'index', index: { hash, eventId: '2', isPresent: true } },
        { seq: cursor + 2, kind: 'index', index: { hash, eventId: '2', isPresent: false } },
      ],
    });
    expect((await venue.stats()).logHead).toBe(head);
    expect((await venue.upstreamState()).cursor).toBe(cursor + 2);
    expect((await venue.readEntries(0, ['1', '2'], 100)).map((entry) => entry.kind)).not.toContain('index');
  });

  it('queues its own gates’ scans for upstream, and a scan coming back down adds nothing', async () => {
    const venue = open('venue.db', true);
    const own = scanOf('Door 1');
    await venue.appendScan(own);
    expect(await venue.pendingUploads(10)).toEqual([own]);
    const head = (await venue.stats()).logHead;
    const echoed = { ...own, gate: 'Corner Hotel · Door 1' };
    await venue.mirrorUpstream({
      kind: 'entries',
      cursor: 9,
      entries: [{ seq: 9, kind: 'scan', scan: echoed }],
    });
    expect((await venue.stats()).logHead).toBe(head);
    await venue.markForwarded([own.id]);
    const refused = scanOf('Door 2');
    await venue.appendScan(refused);
    await venue.markRefused(refused.id, 'scan_refused: no');
    expect(await venue.upstreamState()).toEqual({ cursor: 9, pendingUploads: 0, refusedUploads: 1 });
    expect(await venue.pendingUploads(10)).toEqual([]);
  });
});
