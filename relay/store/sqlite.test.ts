// The SQLite relay store on real temporary files: group commit, isolation of a failing write,
// announcing other processes' writes in order, and accepted deliveries (durable first, applied after).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteRelayStore } from './sqlite.js';
import { smallOrder } from '../../test/relay/small-order.js';
import type { AppliedDelivery, StoredEntry } from './types.js';

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

const delivery = (orderId: number, barcode = `B${orderId}`) =>
  smallOrder(orderId, { barcodes: [barcode], origin: 'test' });

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

/** Resolves once `count` accepted deliveries have been applied (announced through onApplied). */
function appliedBy(store: SqliteRelayStore, count: number): Promise<AppliedDelivery[]> {
  const applied: AppliedDelivery[] = [];
  return new Promise((resolve) => {
    const stop = store.onApplied((deliveries) => {
      applied.push(...deliveries);
      if (applied.length < count) return;
      stop();
      resolve(applied);
    });
  });
}

describe('SqliteRelayStore accepted deliveries', () => {
  it('answers once the raw delivery is stored, then applies it and announces its entries', async () => {
    const store = open();
    const entries: number[] = [];
    store.onEntries((stored) => entries.push(...stored.map((entry) => entry.seq)));
    const applied = appliedBy(store, 2);
    const answers = await Promise.all([store.acceptDelivery(delivery(1)), store.acceptDelivery(delivery(2))]);
    expect(answers).toEqual([
      { status: 'accepted', deliveryId: 1 },
      { status: 'accepted', deliveryId: 2 },
    ]);
    const results = (await applied).map((delivery) => delivery.result);
    expect(results).toMatchObject([
      { status: 'accepted', deliveryId: 1, outcome: 'applied' },
      { status: 'accepted', deliveryId: 2, outcome: 'applied' },
    ]);
    expect(entries).toEqual([1, 2, 3]);
    expect(await store.stats()).toMatchObject({ deliveries: 2, pendingDeliveries: 0, logHead: 3 });
  });

  it('quarantines an unreadable body at once (answered 202 by the route) and never applies it', async () => {
    const store = open();
    const answer = await store.acceptDelivery({
      body: '{"eventType":',
      receivedAt: 'now',
      origin: 'webhook',
    });
    expect(answer).toMatchObject({ status: 'quarantined', quarantineId: 1 });
    expect(await store.stats()).toMatchObject({ deliveries: 0, pendingDeliveries: 0, quarantined: 1 });
  });

  it('applies deliveries a crash left pending when the store opens again, in order, exactly once', async () => {
    const path = join(dir, 'relay.db');
    await open().close();
    stores.length = 0;
    // What a kill -9 between the two transactions leaves: durable, answered, not yet applied.
    const raw = new Database(path);
    const insert = raw.prepare(
      'INSERT INTO pending_deliveries (id, received_at, origin, body) VALUES (?, ?, ?, ?)',
    );
    for (const id of [1, 2, 3]) {
      const { body, receivedAt } = delivery(10 + id, 'SAME');
      insert.run(id, receivedAt, 'webhook', body);
    }
    raw.close();
    const store = new SqliteRelayStore(path);
    const applied = await appliedBy(store, 3);
    expect(applied.map((delivery) => delivery.result)).toMatchObject([
      { status: 'accepted', deliveryId: 1, outcome: 'applied' },
      { status: 'accepted', deliveryId: 2, outcome: 'applied' },
      { status: 'accepted', deliveryId: 3, outcome: 'applied' },
    ]);
    // Applied in id order: the ticket moved from order 11 to 12 to 13, and the last one holds it.
    const snapshot = await store.readSnapshot(['1']);
    expect(snapshot.tickets).toMatchObject([{ barcode: 'SAME', orderId: '13' }]);
    expect(await store.stats()).toMatchObject({ deliveries: 3, pendingDeliveries: 0 });
    const head = (await store.stats()).logHead;
    await store.close();
    const again = open();
    const appliedAgain = appliedBy(again, 1);
    await again.acceptDelivery(delivery(20));
    await appliedAgain;
    expect(await again.stats()).toMatchObject({ deliveries: 4, pendingDeliveries: 0, logHead: head + 1 });
  });

  it('applies the backlog on close, so a stopped relay leaves nothing pending', async () => {
    const store = open();
    await Promise.all(Array.from({ length: 20 }, (_, index) => store.acceptDelivery(delivery(index + 1))));
    await store.close();
    stores.length = 0;
    const raw = new Database(join(dir, 'relay.db'), { readonly: true });
    const counts = raw
      .prepare(
        'SELECT (SELECT count(*) FROM pending_deliveries) AS pending, (SELECT count(*) FROM deliveries) AS applied',
      )
      .get();
    raw.close();
    expect(counts).toEqual({ pending: 0, applied: 20 });
  });

  it('quarantines an accepted delivery whose apply fails, and applies its neighbours', async () => {
    const path = join(dir, 'relay.db');
    await open().close();
    stores.length = 0;
    // A real failure inside the apply transaction, for the delivery of order 2 only.
    const raw = new Database(path);
    raw.exec(`CREATE TRIGGER refuse_order_2 BEFORE INSERT ON deliveries WHEN NEW.context_id = '2'
              BEGIN SELECT RAISE(ABORT, 'disk says no'); END;`);
    raw.close();
    const store = new SqliteRelayStore(path);
    stores.push(store);
    const applied = appliedBy(store, 2);
    const answers = await Promise.all([1, 2, 3].map((order) => store.acceptDelivery(delivery(order))));
    expect(answers.map((answer) => answer.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect((await applied).map((delivery) => delivery.result)).toMatchObject([
      { status: 'accepted', deliveryId: 1 },
      { status: 'accepted', deliveryId: 3 },
    ]);
    const quarantined = await store.listQuarantine();
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]?.error).toContain('disk says no');
    expect(await store.stats()).toMatchObject({ pendingDeliveries: 0, quarantined: 1 });
    const snapshot = await store.readSnapshot(['1']);
    expect(snapshot.tickets.map((ticket) => ticket.barcode).sort()).toEqual(['B1', 'B3']);
  });

  it('applies older accepted deliveries before a delivery ingested directly (backfill, ties)', async () => {
    const store = open();
    const applied = appliedBy(store, 1);
    const [accepted, ingested] = await Promise.all([
      store.acceptDelivery(delivery(1, 'SAME')),
      store.ingestDelivery(delivery(2, 'SAME')),
    ]);
    expect(accepted).toEqual({ status: 'accepted', deliveryId: 1 });
    expect(ingested).toMatchObject({ status: 'accepted', deliveryId: 2 });
    expect((await applied)[0]?.result).toMatchObject({ deliveryId: 1 });
    expect((await store.readSnapshot(['1'])).tickets).toMatchObject([{ barcode: 'SAME', orderId: '2' }]);
  });
});

describe('stats with a burst backlog', () => {
  it('counts pending deliveries from a narrow index, not by walking their bodies', async () => {
    const store = open();
    const db = new Database(join(dir, 'relay.db'));
    const insert = db.prepare(
      'INSERT INTO pending_deliveries (id, received_at, origin, body) VALUES (?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (let id = 1; id <= 2_000; id += 1) insert.run(id, 'x', 'webhook', delivery(id).body);
    })();
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT count(*) AS count FROM pending_deliveries').all() as {
      detail: string;
    }[];
    expect(plan.map((row) => row.detail).join()).toMatch(/COVERING INDEX/);
    expect((await store.stats()).pendingDeliveries).toBe(2_000);
    db.close();
  });
});
