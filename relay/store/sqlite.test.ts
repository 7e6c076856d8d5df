// The SQLite relay store on real temporary files: group commit, isolation of a failing write, and
// announcing other processes' writes in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteRelayStore } from './sqlite.js';
import type { StoredEntry } from './types.js';

let dir: string;
const stores: SqliteRelayStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-store-'));
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(): SqliteRelayStore {
  const store = new SqliteRelayStore(join(dir, 'relay.db'));
  stores.push(store);
  return store;
}

const delivery = (orderId: number, barcode = `B${orderId}`) => ({
  body: JSON.stringify({
    eventType: 'order-saved',
    contextId: orderId,
    data: {
      id: orderId,
      event: { id: 1, name: 'Show' },
      tickets: { items: [{ barcode, valid: true }] },
      transactions: { items: [{ id: orderId }] },
    },
  }),
  receivedAt: '2026-01-01T00:00:00.000Z',
  origin: 'test',
});

describe('SqliteRelayStore', () => {
  it('commits concurrent deliveries together and announces their entries once, in seq order', async () => {
    const store = open();
    const announcements: StoredEntry[][] = [];
    store.onEntries((entries) => announcements.push([...entries]));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) => store.ingestDelivery(delivery(index + 1))),
    );
    expect(results.every((result) => result.status === 'accepted')).toBe(true);
    expect(announcements).toHaveLength(1);
    const seqs = announcements[0]?.map((entry) => entry.seq) ?? [];
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
    // One event entry (the first order brings the event) and one ticket entry per order.
    expect(seqs).toHaveLength(51);
    expect((await store.stats()).deliveries).toBe(50);
  });

  it('rolls back a failing write alone: the rest of its batch commits', async () => {
    const store = open();
    await store.addGate('Gate 1', 'hash-1');
    const [before, duplicate, after] = await Promise.allSettled([
      store.ingestDelivery(delivery(1)),
      store.addGate('Gate 1', 'hash-2'),
      store.ingestDelivery(delivery(2)),
    ]);
    expect(before.status).toBe('fulfilled');
    expect(duplicate).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: 'a gate named "Gate 1" already exists' }),
    });
    expect(after.status).toBe('fulfilled');
    const entries = await store.readEntries(0, ['1'], 100);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
  });

  it('announces entries written by another connection, before its own later ones, without gaps', async () => {
    const relay = open();
    const cli = open();
    const seen: number[] = [];
    relay.onEntries((entries) => seen.push(...entries.map((entry) => entry.seq)));
    await relay.ingestDelivery(delivery(1));
    await cli.ingestDelivery(delivery(2));
    await cli.ingestDelivery(delivery(3));
    // The relay's next own write lands after the other connection's: the gap is filled first.
    await relay.ingestDelivery(delivery(4));
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    await cli.ingestDelivery(delivery(5));
    expect(await relay.pollExternalChanges()).toBe(true);
    expect(await relay.pollExternalChanges()).toBe(false);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('keeps the newest entries when pruning, and reports where the retained log starts', async () => {
    const store = open();
    for (let order = 1; order <= 10; order += 1) await store.ingestDelivery(delivery(order));
    expect(await store.pruneLog(4)).toBe(7);
    const stats = await store.stats();
    expect(stats).toMatchObject({ logHead: 11, oldestRetained: 8, deliveries: 10 });
    // State survives pruning: the snapshot still has every ticket.
    expect((await store.readSnapshot(['1'])).tickets).toHaveLength(10);
  });
});
