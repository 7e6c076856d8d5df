// The inline writer on a real temporary SQLite file: an apply that ran while a group commit was
// queued (so without an fsync of its own) is announced only after that commit, in seq order, once.
// The burst acceptor (webhooks of a burst stored on the serving thread) on a real file too.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { smallOrder } from '../../test/relay/small-order.js';
import { prepareQueries } from './queries.js';
import { BURST_BATCH, BurstAcceptor } from './burst-accept.js';
import type { AcceptResult, AppliedDelivery, DeliveryInput, StoredEntry } from './types.js';
import { BACKLOG_LIMIT, InlineWriter, type InlineWriterOptions } from './writer.js';
import { WriteTurns } from './write-turns.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const delivery = (orderId: number) => smallOrder(orderId);

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

/** A stand-in for the writer worker's side, recording what the acceptor hands it (named: a fake). */
function fakeWorker(isBacklogFull = false) {
  const handed: string[] = [];
  const noted: number[] = [];
  return {
    handed,
    noted,
    isBacklogFull,
    accept: (input: DeliveryInput): Promise<AcceptResult> => {
      handed.push(input.body);
      return Promise.resolve({ status: 'accepted', deliveryId: -1 });
    },
    noteAccepted: (count: number) => noted.push(count),
  };
}

describe('BurstAcceptor (real SQLite file, fake worker)', () => {
  const open = () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-burst-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'relay.db'));
    return { db, queries: prepareQueries(db) };
  };
  const pendingIds = (db: Database.Database) =>
    (db.prepare('SELECT id FROM pending_deliveries ORDER BY id').all() as { id: number }[]).map(
      (row) => row.id,
    );

  it('stores a turn of webhooks itself in a burst, under ids after every delivery stored so far', async () => {
    const { db, queries } = open();
    // Ids already taken: an applied delivery 1 and a pending 2 (stored by the worker's connection).
    queries.deliveries.insert.run(1, 'x', 'webhook', '{}', 'order-saved', '1', 'applied', 0);
    queries.pending.insert.run(2, 'x', 'webhook', '{}');
    const worker = fakeWorker();
    const acceptor = new BurstAcceptor(db, queries, worker);
    const burst = Array.from({ length: BURST_BATCH }, (_, index) => delivery(10 + index));
    const results = await Promise.all(burst.map((input) => acceptor.accept(input)));
    expect(results).toEqual(burst.map((_, index) => ({ status: 'accepted', deliveryId: 3 + index })));
    expect(pendingIds(db)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(worker.handed).toEqual([]);
    expect(worker.noted).toEqual([BURST_BATCH]);
    // Still in the burst: a lone webhook is stored here too; one that is no order goes to the worker.
    const lone = await acceptor.accept(delivery(40));
    expect(lone).toEqual({ status: 'accepted', deliveryId: 11 });
    const event = { ...delivery(41), body: JSON.stringify({ eventType: 'event-saved', data: { id: 1 } }) };
    await acceptor.accept(event);
    expect(worker.handed).toEqual([event.body]);
    db.close();
  });

  it('hands a trickle, and every webhook once the backlog is full, to the worker', async () => {
    const { db, queries } = open();
    const trickle = fakeWorker();
    await new BurstAcceptor(db, queries, trickle).accept(delivery(1));
    expect(trickle.handed).toHaveLength(1);
    const full = fakeWorker(true);
    const acceptor = new BurstAcceptor(db, queries, full);
    await Promise.all(
      Array.from({ length: BURST_BATCH }, (_, index) => acceptor.accept(delivery(index + 2))),
    );
    expect(full.handed).toHaveLength(BURST_BATCH);
    expect(full.noted).toEqual([]);
    expect(pendingIds(db)).toEqual([]);
    db.close();
  });

  it('counts webhooks still waiting for the worker toward a burst, however small each turn', async () => {
    const { db, queries } = open();
    const worker = { ...fakeWorker(), accept: () => new Promise<AcceptResult>(() => undefined) };
    const acceptor = new BurstAcceptor(db, queries, worker);
    // Seven turns of one webhook each: the worker has not answered any of them yet.
    for (let order = 1; order < BURST_BATCH; order += 1) {
      void acceptor.accept(delivery(order));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(pendingIds(db)).toEqual([]);
    const eighth = await acceptor.accept(delivery(BURST_BATCH));
    expect(eighth).toEqual({ status: 'accepted', deliveryId: 1 });
    expect(pendingIds(db)).toEqual([1]);
    db.close();
  });

  it('acknowledges none of a turn the database refuses, and goes on with the next', async () => {
    const { db, queries } = open();
    db.exec(`CREATE TEMP TRIGGER refuse BEFORE INSERT ON pending_deliveries WHEN NEW.body LIKE '%"B3"%'
             BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const worker = fakeWorker();
    const acceptor = new BurstAcceptor(db, queries, worker);
    const turn = Array.from({ length: BURST_BATCH }, (_, index) => acceptor.accept(delivery(index + 1)));
    const settled = await Promise.allSettled(turn);
    expect(settled.every((result) => result.status === 'rejected')).toBe(true);
    expect(pendingIds(db)).toEqual([]);
    expect(worker.noted).toEqual([]);
    const next = await Promise.all(
      Array.from({ length: BURST_BATCH }, (_, index) => acceptor.accept(delivery(index + 10))),
    );
    expect(next.map((result) => (result.status === 'accepted' ? result.deliveryId : 0))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    db.close();
  });
});

/**
 * A writer and, on a second connection to the same file, a burst acceptor that tells it what it
 * stored (as the serving thread and the writer worker of a relay), with what the writer reported.
 */
function writerBesideAcceptor(options: InlineWriterOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-writer-'));
  dirs.push(dir);
  const path = join(dir, 'relay.db');
  const db = openDatabase(path);
  const other = openDatabase(path);
  const seen = { backlog: [] as boolean[], applied: [] as AppliedDelivery[], announced: [] as StoredEntry[] };
  const writer = new InlineWriter(
    prepareQueries(db),
    db,
    {
      committed: (entries) => seen.announced.push(...entries),
      applied: (deliveries) => seen.applied.push(...deliveries),
      backlog: (isFull) => seen.backlog.push(isFull),
    },
    options,
  );
  const acceptor = new BurstAcceptor(other, prepareQueries(other), {
    accept: () => Promise.reject(new Error('not in this test')),
    noteAccepted: (count) => writer.noteAccepted(count),
    isBacklogFull: false,
  });
  return {
    writer,
    seen,
    /** Stores `count` deliveries from order `first` on, in one turn. */
    acceptTurn: (first: number, count: number) =>
      Promise.all(Array.from({ length: count }, (_, index) => acceptor.accept(delivery(first + index)))),
    until: (isDone: () => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => (isDone() ? resolve() : setTimeout(check, 5));
        check();
      }),
    close: async () => {
      await writer.close();
      other.close();
      db.close();
    },
  };
}

describe('InlineWriter.noteAccepted', () => {
  it('applies deliveries another connection stored after a big burst, and reports a full backlog', async () => {
    const { writer, seen, acceptTurn, until, close } = writerBesideAcceptor({ maxApplyDeferMs: 150 });
    // A big batch (half the bench's connections): nothing is applied while the burst may go on.
    const big = 2 * BURST_BATCH;
    await acceptTurn(1, big);
    expect(seen.applied).toEqual([]);
    // Then all of them, each entry announced once, in order.
    await until(() => seen.applied.length >= big);
    expect(seen.announced.map((entry) => entry.seq)).toEqual(
      Array.from({ length: big + 1 }, (_, index) => index + 1),
    );
    // A count that reaches the limit says so; the next apply that finds nothing says it is over.
    writer.noteAccepted(BACKLOG_LIMIT);
    expect(seen.backlog).toEqual([true]);
    await until(() => seen.backlog.length >= 2);
    expect(seen.backlog).toEqual([true, false]);
    await close();
  });

  it('applies every stored delivery when each slice is over its time budget before it starts (a busy machine)', async () => {
    // A budget already spent when the slice begins: each slice must still apply one, or the writer
    // takes the empty slice for an empty backlog and stops scheduling (the backlog then stays pending).
    const { seen, acceptTurn, until, close } = writerBesideAcceptor({
      maxApplyDeferMs: 50,
      applyBudgetMs: -1,
    });
    const big = 2 * BURST_BATCH;
    await acceptTurn(1, big);
    await until(() => seen.applied.length >= big);
    expect(seen.applied).toHaveLength(big);
    await close();
  }, 20_000);

  it('applies a small batch another connection stored at once, not after the burst hold', async () => {
    // A burst hold far longer than the test: only a batch that does not defer gets applied in time.
    const { seen, acceptTurn, until, close } = writerBesideAcceptor({ maxApplyDeferMs: 600_000 });
    // Eight posters at once: a burst for the acceptor (stored on its thread), not one to defer for.
    await acceptTurn(1, BURST_BATCH);
    await until(() => seen.applied.length >= BURST_BATCH);
    expect(seen.applied).toHaveLength(BURST_BATCH);
    await close();
  });
});

describe('WriteTurns', () => {
  it('starts no apply slice while the serving thread wants the lock, and applies once it is done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-writer-'));
    dirs.push(dir);
    const path = join(dir, 'relay.db');
    // A backlog left by a crash: applied as soon as the writer opens.
    const seed = openDatabase(path);
    const seedQueries = prepareQueries(seed);
    for (let order = 1; order <= 5; order += 1) {
      const input = delivery(order);
      seedQueries.pending.insert.run(order, input.receivedAt, input.origin, input.body);
    }
    seed.close();
    const turns = new WriteTurns();
    turns.enterServing();
    const db = openDatabase(path);
    const applied: AppliedDelivery[] = [];
    const writer = new InlineWriter(
      prepareQueries(db),
      db,
      { committed: () => undefined, applied: (deliveries) => applied.push(...deliveries) },
      { turns },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(applied).toEqual([]);
    turns.leaveServing();
    await new Promise<void>((resolve) => {
      const check = () => (applied.length >= 5 ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(applied).toHaveLength(5);
    await writer.close();
    db.close();
  });
});

describe('WriteTurns, a worker gone mid-slice', () => {
  it('lets the serving thread go on after a bounded wait when the worker never lowers its flag', () => {
    const turns = new WriteTurns();
    // The worker's side, as a worker that died inside a slice leaves it.
    const workerSide = new WriteTurns(turns.buffer);
    expect(workerSide.tryEnterWorker()).toBe(true);
    const started = performance.now();
    turns.enterServing();
    turns.leaveServing();
    expect(performance.now() - started).toBeGreaterThanOrEqual(4_900);
  }, 20_000);
});
