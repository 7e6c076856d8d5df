// The inline writer on a real temporary SQLite file: an apply that ran while a group commit was
// queued (so without an fsync of its own) is announced only after that commit, in seq order, once.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { prepareQueries } from './queries.js';
import type { AppliedDelivery, StoredEntry } from './types.js';
import { InlineWriter } from './writer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const delivery = (orderId: number) => ({
  body: JSON.stringify({
    eventType: 'order-saved',
    contextId: orderId,
    data: {
      id: orderId,
      event: { id: 1, name: 'Show' },
      tickets: { items: [{ barcode: `B${orderId}`, valid: true }] },
      transactions: { items: [{ id: orderId }] },
    },
  }),
  receivedAt: '2026-01-01T00:00:00.000Z',
  origin: 'webhook',
});

describe('InlineWriter', () => {
  it('announces an apply made while a commit was queued only after that commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-writer-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'relay.db'));
    // A second connection, as a gate's view of what is committed when an entry is announced.
    const observer = new Database(join(dir, 'relay.db'), { readonly: true });
    const gatesCommitted = () =>
      (observer.prepare('SELECT count(*) AS n FROM gates').get() as { n: number }).n;
    const events: string[] = [];
    const announced: StoredEntry[] = [];
    const applied: AppliedDelivery[] = [];
    const writer = new InlineWriter(
      prepareQueries(db),
      db,
      {
        committed: (entries) => {
          if (entries.length > 0)
            events.push(
              `entries ${entries.map((entry) => entry.seq).join(',')} (gates: ${gatesCommitted()})`,
            );
          announced.push(...entries);
        },
        applied: (deliveries) => applied.push(...deliveries),
      },
      { maxApplyDeferMs: 0 },
    );
    // A burst (a batch of 8 acceptances): their apply follows in a transaction of its own.
    await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map((order) => writer.write({ kind: 'accept', input: delivery(order) })),
    );
    // Queued in the same turn as that apply: the apply skips its fsync and waits for this commit.
    const gate = writer.write({ kind: 'add-gate', name: 'Gate 1', tokenHash: 'hash' }).then(() => {
      events.push('gate committed');
    });
    await gate;
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Announced after the gate's commit (which made the apply durable), before its caller hears.
    await new Promise<void>((resolve) => {
      const check = () => (announced.length >= 9 ? resolve() : setImmediate(check));
      check();
    });
    // The apply (one slice, or two if it ran out of time) is announced only once the gate's commit
    // made it durable: never with the gate still uncommitted; in order, once.
    expect(events).toContain('gate committed');
    const slices = events.filter((event) => event.startsWith('entries'));
    expect(slices.length).toBeGreaterThan(0);
    expect(slices.every((event) => event.endsWith('(gates: 1)'))).toBe(true);
    expect(announced.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(applied.map((delivery) => delivery.result)).toHaveLength(8);
    // Later applies go on as usual: each entry announced once, in order.
    await writer.write({ kind: 'accept', input: delivery(9) });
    await new Promise<void>((resolve) => {
      const check = () => (announced.length >= 10 ? resolve() : setImmediate(check));
      check();
    });
    expect(announced.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await writer.close();
    observer.close();
    db.close();
  });

  it('applies a lone delivery in the transaction that accepts it: its entries come with its answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-writer-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'relay.db'));
    const seen: string[] = [];
    const writer = new InlineWriter(prepareQueries(db), db, {
      committed: (entries) => {
        if (entries.length > 0) seen.push(`entries ${entries.map((entry) => entry.seq).join(',')}`);
      },
      applied: (deliveries) => seen.push(`applied ${deliveries.length}`),
    });
    const answer = await writer.write({ kind: 'accept', input: delivery(1) });
    // Announced by the same commit, before the caller hears its answer: no second transaction.
    expect(answer).toEqual({ status: 'accepted', deliveryId: 1 });
    expect(seen).toEqual(['entries 1,2', 'applied 1']);
    const pending = db.prepare('SELECT count(*) AS n FROM pending_deliveries').get() as { n: number };
    expect(pending.n).toBe(0);
    await writer.close();
    db.close();
  });
});

describe('InlineWriter.acceptAll', () => {
  it('announces nothing of a run of acceptances that failed: its savepoint rolled back what the first applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-writer-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'relay.db'));
    // The second acceptance of the run fails to store, as on a full disk.
    db.exec(`CREATE TEMP TRIGGER refuse BEFORE INSERT ON pending_deliveries WHEN NEW.body LIKE '%"B2"%'
             BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const announced: StoredEntry[] = [];
    const applied: AppliedDelivery[] = [];
    const writer = new InlineWriter(prepareQueries(db), db, {
      committed: (entries) => announced.push(...entries),
      applied: (deliveries) => applied.push(...deliveries),
    });
    // A trickle (a run of two): the first is applied in the batch, then the second throws.
    await expect(writer.acceptAll([delivery(1), delivery(2)])).rejects.toThrow('disk full');
    const logged = db.prepare('SELECT count(*) AS n FROM log').get() as { n: number };
    expect(logged.n).toBe(0);
    expect(announced).toEqual([]);
    expect(applied).toEqual([]);
    // The writer goes on: the next delivery's entries are the log's first.
    await writer.acceptAll([delivery(3)]);
    expect(announced.map((entry) => entry.seq)).toEqual([1, 2]);
    await writer.close();
    db.close();
  });
});
