/**
 * Bulk storage that leaves room for scans (electron/gate/sync/apply-queue.ts), with a real engine on
 * a real SQLite file fed by a STAND-IN relay (a scripted websocket server). Watched turn by turn of
 * the event loop: no turn stores more than one bounded slice (the relay's 1,000-ticket chunks are cut
 * smaller), a scan made mid-snapshot is answered before the snapshot ends, the cursor moves only at
 * snapshot-end and, for big entry batches, never past an entry not yet stored. A first snapshot into
 * an empty table loads without secondary indexes and builds them at its end, also across a restart.
 * (How fast, and how long scans wait, is measured in bench/, not here.)
 */
import type { AddressInfo } from 'node:net';
import { welcomeFrame } from './stand-in-relay.js';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { startGate, type GateEngine } from '../../electron/gate/index.js';
import { GateStore } from '../../electron/gate/store/index.js';
import type { LogEntry } from '../../shared/protocol.js';
import { parseGateFrame, relayFrameSchema, type GateFrame, type RelayFrame } from '../../shared/protocol.js';
import type { TicketState } from '../../shared/tickets.js';
import { makeTempDir, waitFor, type TempDir } from '../relay/support.js';
import { eventInfo, ticketState } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SLICE = 300;
const CHUNK = 1_000;

/** A relay stand-in that answers hello with `script(send)`. */
async function standIn(
  script: (send: (frame: RelayFrame) => void, hello: GateFrame) => void,
  options: { acceptDelayMs?: (connection: number) => number; observe?: (frame: GateFrame) => void } = {},
): Promise<string> {
  let upgrades = 0;
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/gate',
    // A relay slow to answer an upgrade (a busy machine): the gate's hello waits meanwhile.
    verifyClient: (_info, accept) => {
      upgrades += 1;
      setTimeout(() => accept(true), options.acceptDelayMs?.(upgrades) ?? 0);
    },
  });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    const send = (frame: RelayFrame) => socket.send(JSON.stringify(relayFrameSchema.parse(frame)));
    socket.on('message', (data: Buffer) => {
      const parsed = parseGateFrame(data.toString());
      if (!parsed.ok) throw new Error(parsed.error);
      options.observe?.(parsed.frame);
      if (parsed.frame.type === 'ping') send({ type: 'pong', t: parsed.frame.t });
      if (parsed.frame.type === 'hello') script(send, parsed.frame);
    });
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const welcome = (head: number): RelayFrame => welcomeFrame('Gate S', head, [eventInfo('E1')]);

function tickets(count: number, txId = 10, prefix = 'BULK'): TicketState[] {
  return Array.from({ length: count }, (_, index) =>
    ticketState(`${prefix}-${String(index).padStart(6, '0')}`, {
      holderName: `Holder ${index}`,
      orderId: `O${index >> 1}`,
      version: { source: 'webhook', txId, seq: index + 1 },
    }),
  );
}

function sendSnapshot(send: (frame: RelayFrame) => void, all: TicketState[], cursor: number, isEnded = true) {
  send({ type: 'snapshot-begin', tickets: all.length, scans: 0, cursor });
  for (let from = 0; from < all.length; from += CHUNK) {
    send({
      type: 'snapshot-chunk',
      events: from === 0 ? [eventInfo('E1')] : [],
      tickets: all.slice(from, from + CHUNK),
      scans: [],
    });
  }
  if (isEnded) send({ type: 'snapshot-end', cursor });
}

async function gate(temp: TempDir, relayUrl: string): Promise<GateEngine> {
  const engine = await startGate({
    dataDir: temp.path,
    settings: { gateName: 'Gate S', events: ['E1'], relayUrl, token: 'stand-in-token' },
    syncTiming: {
      heartbeatIntervalMs: 1_000,
      heartbeatTimeoutMs: 10_000,
      backoffBaseMs: 20,
      backoffCapMs: 100,
      snapshotBatchTickets: SLICE,
    },
  });
  cleanups.push(() => engine.stop());
  return engine;
}

async function status(engine: GateEngine) {
  const answer = await engine.handlers.status({});
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value;
}

/** Samples `read` once per turn of the event loop until `isDone`; returns the samples. */
async function everyTurn<T>(read: () => Promise<T>, isDone: (sample: T) => boolean): Promise<T[]> {
  const samples: T[] = [];
  for (;;) {
    const sample = await read();
    samples.push(sample);
    if (isDone(sample)) return samples;
    if (samples.length > 200_000) throw new Error('never done');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function temp(): TempDir {
  const made = makeTempDir('gatehouse-slices-');
  cleanups.push(() => made.remove());
  return made;
}

const indexNames = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets' AND sql IS NOT NULL",
      )
      .all()
      .map((row) => (row as { name: string }).name)
      .sort();
  } finally {
    db.close();
  }
};

describe('bulk storage in slices (real engine, stand-in relay)', () => {
  it('stores a snapshot a bounded slice per turn; a scan mid-snapshot is answered before it ends', async () => {
    const all = tickets(12_000);
    const url = await standIn((send) => {
      send(welcome(50));
      sendSnapshot(send, all, 50);
    });
    const dir = temp();
    const engine = await gate(dir, url);
    let scanAnsweredAt: number | null = null;
    const samples = await everyTurn(
      async () => {
        const now = await status(engine);
        const received = now.tickets;
        if (scanAnsweredAt === null && received > 2_000) {
          const answer = await engine.handlers.scan({ barcode: all[0]?.barcode ?? '' });
          expect(answer).toMatchObject({ ok: true, value: { result: 'admit' } });
          scanAnsweredAt = (await status(engine)).tickets;
        }
        return { received, cursor: now.cursor };
      },
      (sample) => sample.cursor === 50,
    );
    const steps = samples.slice(1).map((sample, index) => sample.received - (samples[index]?.received ?? 0));
    expect(Math.max(...steps)).toBeLessThanOrEqual(SLICE);
    // The cursor stays put until every ticket is stored.
    expect(
      samples.filter((sample) => sample.cursor === 50).every((sample) => sample.received === all.length),
    ).toBe(true);
    expect(samples.some((sample) => sample.cursor === 0 && sample.received > 0)).toBe(true);
    expect(scanAnsweredAt).not.toBeNull();
    expect(scanAnsweredAt).toBeLessThan(all.length);
    expect((await status(engine)).tickets).toBe(all.length);
  });

  it('a big entries batch is stored in slices, each moving the cursor only past what it stored', async () => {
    const entries: LogEntry[] = tickets(5_000, 20, 'LIVE').map((ticket, index) => ({
      seq: 101 + index,
      kind: 'ticket',
      ticket,
    }));
    const url = await standIn((send) => {
      send(welcome(5_100));
      sendSnapshot(send, tickets(10), 100);
      send({ type: 'entries', entries });
    });
    const dir = temp();
    const engine = await gate(dir, url);
    const samples = await everyTurn(
      async () => {
        const now = await status(engine);
        return { cursor: now.cursor, tickets: now.tickets };
      },
      (sample) => sample.cursor === 5_100,
    );
    const during = samples.filter((sample) => sample.cursor > 100 && sample.cursor < 5_100);
    expect(during.length).toBeGreaterThan(5);
    // Every entry up to the cursor is stored (10 snapshot tickets + one ticket per entry).
    for (const sample of during) expect(sample.tickets).toBe(10 + (sample.cursor - 100));
  });

  it('acks a snapshot and a big entries batch only once they are stored (an ack is proof to the relay)', async () => {
    const all = tickets(12_000);
    const entries: LogEntry[] = tickets(5_000, 20, 'LIVE').map((ticket, index) => ({
      seq: 51 + index,
      kind: 'ticket',
      ticket,
    }));
    let engine: GateEngine | null = null;
    const atAck: { acked: number; cursor: number; tickets: number }[] = [];
    const url = await standIn(
      (send) => {
        send(welcome(5_050));
        sendSnapshot(send, all, 50);
        send({ type: 'entries', entries });
      },
      {
        // What the gate has stored when its ack reaches the relay.
        observe: (frame) => {
          if (frame.type !== 'ack' || !engine) return;
          const running = engine;
          void status(running).then((now) =>
            atAck.push({ acked: frame.cursor, cursor: now.cursor, tickets: now.tickets }),
          );
        },
      },
    );
    engine = await gate(temp(), url);
    await waitFor(() => atAck.length === 2, { message: 'both acks', timeoutMs: 30_000 });
    expect(atAck[0]).toEqual({ acked: 50, cursor: 50, tickets: all.length });
    expect(atAck[1]).toEqual({ acked: 5_050, cursor: 5_050, tickets: all.length + entries.length });
  });

  it('a first snapshot loads without secondary indexes and builds them at its end; lookups work', async () => {
    const all = tickets(3_000);
    let isSecondComplete = false;
    let connections = 0;
    const url = await standIn((send) => {
      connections += 1;
      send(welcome(40));
      // The first connection stops mid-snapshot (as a relay that vanished would).
      sendSnapshot(send, all, 40, connections > 1);
      if (connections > 1) isSecondComplete = true;
    });
    const dir = temp();
    const engine = await gate(dir, url);
    await waitFor(async () => (await status(engine)).tickets === all.length, {
      message: 'first load stored, not ended',
    });
    expect(indexNames(`${dir.path}/gate.db`)).toEqual([]);
    expect((await status(engine)).cursor).toBe(0);

    // The gate stops here (a crash or a restart mid-load) and comes back: still a first load.
    await engine.stop();
    const again = await gate(dir, url);
    expect(indexNames(`${dir.path}/gate.db`)).toEqual([]);
    await waitFor(async () => isSecondComplete && (await status(again)).cursor === 40, {
      message: 'the snapshot ended',
    });
    // Built after the load, one by one, as soon as no scans are coming in.
    await waitFor(() => indexNames(`${dir.path}/gate.db`).length === 6, { message: 'indexes built' });
    const names = indexNames(`${dir.path}/gate.db`);
    expect(names).toEqual([
      'tickets_customer',
      'tickets_customer_rest',
      'tickets_email',
      'tickets_holder',
      'tickets_holder_rest',
      'tickets_order',
    ]);
    const found = await again.handlers.lookup({ query: 'Holder 2999' });
    expect(found).toMatchObject({ ok: true, value: { results: [{ barcode: 'BULK-002999' }] } });
  });

  it('a snapshot into a table that has tickets keeps every index throughout', async () => {
    let connections = 0;
    const url = await standIn((send) => {
      connections += 1;
      const cursor = connections === 1 ? 60 : 90;
      send(welcome(cursor));
      sendSnapshot(send, tickets(2_000, cursor), cursor);
    });
    const dir = temp();
    const engine = await gate(dir, url);
    await waitFor(async () => (await status(engine)).cursor === 60, { message: 'first snapshot' });
    await waitFor(() => indexNames(`${dir.path}/gate.db`).length === 6, { message: 'indexes built' });
    // A new event selection resets the cursor: the relay sends the whole list again, newer.
    await engine.handlers.updateSettings({ changes: { events: ['E1', 'E2'] } });
    const samples = await everyTurn(
      async () => ({
        cursor: (await status(engine)).cursor,
        indexes: indexNames(`${dir.path}/gate.db`).length,
      }),
      (sample) => sample.cursor === 90,
    );
    expect(samples.length).toBeGreaterThan(2);
    expect(samples.every((sample) => sample.indexes === 6)).toBe(true);
  });

  it('a new event selection mid-snapshot drops what the old connection queued: the next hello asks from 0', async () => {
    const hellos: number[] = [];
    const url = await standIn(
      (send, hello) => {
        if (hello.type !== 'hello') return;
        hellos.push(hello.cursor);
        const cursor = hellos.length === 1 ? 500 : 90;
        send(welcome(cursor));
        // The whole first snapshot fits under the queue's high water mark, so its end is queued too.
        sendSnapshot(send, tickets(hellos.length === 1 ? 4_000 : 2_000, cursor), cursor);
      },
      // The second connection is slow to open: long enough for a stale queue to finish its snapshot.
      { acceptDelayMs: (connection) => (connection === 2 ? 1_000 : 0) },
    );
    const dir = temp();
    const engine = await gate(dir, url);
    const first = await everyTurn(
      () => status(engine),
      (now) => now.tickets > 0,
    );
    expect(first.at(-1)?.cursor).toBe(0);
    await engine.handlers.updateSettings({ changes: { events: ['E1', 'E2'] } });
    await waitFor(async () => (await status(engine)).cursor === 90, { message: 'second snapshot stored' });
    // Before: the old connection's queued snapshot end set the cursor to 500 after the reset, the
    // second hello said 500, and the relay sent nothing of the newly selected event.
    expect(hellos).toEqual([0, 0]);
  });

  it('after a first load, index builds wait while scans come in, then follow when the door is quiet', async () => {
    const all = tickets(2_000);
    const url = await standIn((send) => {
      send(welcome(30));
      sendSnapshot(send, all, 30);
    });
    const dir = temp();
    const engine = await gate(dir, url);
    let scans = 0;
    const scanned = await everyTurn(
      async () => {
        await engine.handlers.scan({ barcode: `NOT-A-TICKET-${scans++}` });
        return (await status(engine)).cursor;
      },
      (cursor) => cursor === 30,
    );
    expect(scanned.at(-1)).toBe(30);
    // The door stays busy for a while: no index is built meanwhile.
    for (let round = 0; round < 20; round += 1) {
      await engine.handlers.scan({ barcode: `STILL-BUSY-${round}` });
      expect(indexNames(`${dir.path}/gate.db`)).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => indexNames(`${dir.path}/gate.db`).length === 6, {
      message: 'indexes built once quiet',
      timeoutMs: 20_000,
    });
  });

  it('a store opened with a cursor but missing indexes builds them (a crash between load and end)', () => {
    const dir = temp();
    const store = new GateStore(dir.file('gate.db'));
    store.state.setCursor(7);
    store.dropTicketIndexes();
    store.close();
    expect(indexNames(dir.file('gate.db'))).toEqual([]);
    const reopened = new GateStore(dir.file('gate.db'));
    expect(reopened.missingTicketIndexes()).toEqual([]);
    reopened.close();
  });
});
