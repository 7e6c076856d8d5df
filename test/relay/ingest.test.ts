// The webhook route of a real relay process over a real SQLite file: what is accepted, what state it
// makes, and what a connected gate receives.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addGateToken,
  GateTestClient,
  getJson,
  makeTempDir,
  orderDelivery,
  postDelivery,
  runGatehouse,
  seedDelivery,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from './support.js';

let dir: TempDir;
let relay: RelayProcess;
let gates: GateTestClient[];

beforeEach(async () => {
  dir = makeTempDir();
  relay = await startRelayProcess({ dbPath: dir.file('relay.db') });
  gates = [];
});

afterEach(async () => {
  await Promise.all(gates.map((gate) => gate.close()));
  await relay.stop();
  dir.remove();
});

async function connectGate(events = ['132218'], cursor = 0): Promise<GateTestClient> {
  const token = await addGateToken(dir.file('relay.db'), `Gate ${gates.length + 1}`);
  const gate = await GateTestClient.connect(relay.url, token, { cursor, events });
  gates.push(gate);
  await gate.waitWelcomed();
  return gate;
}

describe('relay webhook ingest', () => {
  it('accepts the seed payload, stores it and streams its ticket to a connected gate', async () => {
    const gate = await connectGate();
    const answer = await postDelivery(relay.url, seedDelivery());
    expect(answer.status).toBe(200);
    // Answered once the delivery itself is durable; its ticket change follows on the stream.
    expect(answer.json).toMatchObject({ status: 'accepted', delivery: 1 });
    const ticket = await gate.waitUntil(
      () => gate.tickets.get('F2D705C60392480385CD7BEF6C0A70DF'),
      'the seed ticket',
    );
    expect(ticket).toMatchObject({
      valid: true,
      orderId: '37228036',
      eventId: '132218',
      ticketTypeName: 'free',
      email: 'test@moshtix.com',
      cause: 'sold',
    });
    expect(ticket.version).toMatchObject({ source: 'webhook', txId: 12894177 });
    expect(gate.errors).toEqual([]);
    const health = await getJson(`${relay.url}/healthz`);
    expect(health).toMatchObject({
      status: 'ok',
      deliveries: 1,
      logHead: gate.cursor,
      skippedTickets: 0,
      pendingDeliveries: 0,
    });
    // The raw body is kept exactly as received.
    const db = new Database(dir.file('relay.db'), { readonly: true });
    const row = db.prepare('SELECT body FROM deliveries').get() as { body: string };
    db.close();
    expect(JSON.parse(row.body)).toEqual(seedDelivery());
  });

  it('stores five duplicate deliveries but makes one ticket state', async () => {
    const gate = await connectGate();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => postDelivery(relay.url, seedDelivery())),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await getJson(`${relay.url}/healthz`)).toMatchObject({ deliveries: 5 });
    // A later, different delivery proves the stream has moved past the duplicates.
    await postDelivery(relay.url, orderDelivery({ orderId: 2, tickets: [{ barcode: 'LATER' }] }));
    await gate.waitUntil(() => gate.tickets.get('LATER'), 'the later ticket');
    const seedEntries = gate.ticketEntries.filter(
      (entry) => entry.ticket.barcode === 'F2D705C60392480385CD7BEF6C0A70DF',
    );
    expect(seedEntries).toHaveLength(1);
  });

  it('ignores a stale snapshot that arrives after a newer one', async () => {
    const gate = await connectGate();
    const refunded = orderDelivery({
      orderId: 7,
      tickets: [{ barcode: 'STALE-1', valid: false }],
      transactions: [{ id: 100 }, { id: 101, type: 'REFUND' }],
    });
    const purchased = orderDelivery({
      orderId: 7,
      tickets: [{ barcode: 'STALE-1', valid: true }],
      transactions: [{ id: 100 }],
    });
    expect((await postDelivery(relay.url, refunded)).status).toBe(200);
    const stale = await postDelivery(relay.url, purchased);
    expect(stale.status).toBe(200);
    await postDelivery(relay.url, orderDelivery({ orderId: 8, tickets: [{ barcode: 'MARKER' }] }));
    await gate.waitUntil(() => gate.tickets.get('MARKER'), 'the marker ticket');
    expect(gate.tickets.get('STALE-1')).toMatchObject({ valid: false, cause: 'refunded' });
    expect(gate.ticketEntries.filter((entry) => entry.ticket.barcode === 'STALE-1')).toHaveLength(1);
  });

  it('applies a refund and a reissue: the old barcode is not admissible, the new one is', async () => {
    const gate = await connectGate();
    await postDelivery(
      relay.url,
      orderDelivery({
        orderId: 9,
        tickets: [{ barcode: 'OLD-1' }, { barcode: 'KEEP-1' }],
        transactions: [{ id: 200 }],
      }),
    );
    await gate.waitUntil(() => gate.tickets.get('KEEP-1'), 'the purchase');
    expect(gate.tickets.get('OLD-1')?.valid).toBe(true);
    // Reissue: OLD-1 vanishes from the order, NEW-1 appears.
    await postDelivery(
      relay.url,
      orderDelivery({
        orderId: 9,
        tickets: [{ barcode: 'KEEP-1' }, { barcode: 'NEW-1' }],
        transactions: [{ id: 200 }, { id: 201, type: 'REISSUE' }],
      }),
    );
    await gate.waitUntil(() => gate.tickets.get('NEW-1'), 'the reissued ticket');
    await gate.waitUntil(() => gate.tickets.get('OLD-1')?.valid === false, 'the old barcode to be withdrawn');
    expect(gate.tickets.get('OLD-1')?.cause).toBe('reissued');
    // Refund of the whole order: every ticket not valid.
    await postDelivery(
      relay.url,
      orderDelivery({
        orderId: 9,
        tickets: [
          { barcode: 'KEEP-1', valid: false },
          { barcode: 'NEW-1', valid: false },
        ],
        transactions: [{ id: 200 }, { id: 201 }, { id: 202, type: 'REFUND' }],
      }),
    );
    await gate.waitUntil(
      () => gate.tickets.get('KEEP-1')?.valid === false && gate.tickets.get('NEW-1')?.valid === false,
      'the refund',
    );
  });

  it('answers 401 to a wrong or missing secret and stores nothing', async () => {
    expect((await postDelivery(relay.url, seedDelivery(), { secret: 'wrong' })).status).toBe(401);
    expect((await postDelivery(relay.url, seedDelivery(), { secret: null })).status).toBe(401);
    expect((await postDelivery(relay.url, 'garbage', { secret: 'test-webhook-secret!' })).status).toBe(401);
    expect(await getJson(`${relay.url}/healthz`)).toMatchObject({
      status: 'ok',
      deliveries: 0,
      logHead: 0,
      skippedTickets: 0,
    });
    const quarantine = await runGatehouse(['relay', 'quarantine', '--db', dir.file('relay.db')]);
    expect(quarantine.stdout).toContain('quarantine is empty');
  });

  it('answers 413 to a body over 1 MiB and stores nothing', async () => {
    const big = JSON.stringify({ ...seedDelivery(), padding: 'x'.repeat(1024 * 1024) });
    const answer = await postDelivery(relay.url, big);
    expect(answer.status).toBe(413);
    expect(await getJson(`${relay.url}/healthz`)).toMatchObject({
      status: 'ok',
      deliveries: 0,
      logHead: 0,
      skippedTickets: 0,
    });
    // The relay keeps serving after refusing.
    expect((await postDelivery(relay.url, seedDelivery())).status).toBe(200);
  });

  it('keeps garbage and invalid deliveries in quarantine with the failing path, and lists them', async () => {
    const notJson = await postDelivery(relay.url, '{"eventType": "order-saved", oops');
    expect(notJson.status).toBe(202);
    expect(notJson.json).toMatchObject({
      status: 'quarantined',
      error: expect.stringMatching(/^\(body\): not JSON/),
    });
    // An order that cannot be tied to an order id: nothing in it can be placed.
    const broken = orderDelivery({ orderId: 5, tickets: [{ barcode: 'X' }] });
    delete (broken.data as { id?: unknown }).id;
    const invalid = await postDelivery(relay.url, broken);
    expect(invalid.status).toBe(202);
    expect(invalid.json).toEqual({
      status: 'quarantined',
      error: expect.stringMatching(/^data\.id: /),
    });
    expect(await getJson(`${relay.url}/healthz`)).toMatchObject({ deliveries: 0 });
    const listing = await runGatehouse(['relay', 'quarantine', '--db', dir.file('relay.db')]);
    expect(listing.code).toBe(0);
    expect(listing.stdout.trim().split('\n')).toHaveLength(2);
    expect(listing.stdout).toContain('data.id');
    const retry = await runGatehouse(['relay', 'reprocess', '--db', dir.file('relay.db')]);
    expect(retry.stdout).toContain('0 accepted, 2 still failing');
  });

  it('quarantines an unknown eventType even when its data reads as an order, and counts it in /healthz', async () => {
    const gate = await connectGate();
    const mystery = {
      ...orderDelivery({ orderId: 12, tickets: [{ barcode: 'MYSTERY-1' }] }),
      eventType: 'mystery',
    };
    const answer = await postDelivery(relay.url, mystery);
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ status: 'quarantined', error: 'eventType: "mystery" is unknown' });
    expect(await getJson(`${relay.url}/healthz`)).toMatchObject({
      deliveries: 0,
      logHead: 0,
      quarantined: 1,
    });
    // Upper-case Moshtix names are known: the same order under ORDER_SAVED is applied and streamed.
    const known = await postDelivery(relay.url, { ...mystery, eventType: 'ORDER_SAVED' });
    expect(known.status).toBe(200);
    await gate.waitUntil(() => gate.tickets.get('MYSTERY-1'), 'the ticket under ORDER_SAVED');
    expect(await getJson(`${relay.url}/healthz`)).toMatchObject({ deliveries: 1, quarantined: 1 });
  });

  it('reprocesses a quarantined delivery that this version accepts (row written as an older, stricter relay would) and streams it', async () => {
    const gate = await connectGate();
    await postDelivery(relay.url, 'not json at all');
    // Stand-in for "after an upgrade": a valid body sitting in quarantine, as an older relay left it.
    const db = new Database(dir.file('relay.db'));
    db.prepare(
      `INSERT INTO quarantine (received_at, origin, body, error) VALUES (?, 'webhook', ?, 'data.channel: unknown value')`,
    ).run(
      new Date().toISOString(),
      JSON.stringify(orderDelivery({ orderId: 11, tickets: [{ barcode: 'FROM-QUARANTINE' }] })),
    );
    db.close();
    const retry = await runGatehouse(['relay', 'reprocess', '--db', dir.file('relay.db')]);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('1 accepted, 1 still failing');
    // The serving relay notices the other process's commit and streams the new entries.
    await gate.waitUntil(() => gate.tickets.get('FROM-QUARANTINE'), 'the reprocessed ticket');
    const listing = await runGatehouse(['relay', 'quarantine', '--db', dir.file('relay.db')]);
    expect(listing.stdout).toMatch(/reprocessed .* → delivery 1/);
    expect(await getJson(`${relay.url}/healthz`)).toMatchObject({ deliveries: 1 });
  });

  it('serves Prometheus metrics with outcomes, connected gates, lag and the ingest histogram', async () => {
    const gate = await connectGate();
    await postDelivery(relay.url, seedDelivery());
    await postDelivery(relay.url, seedDelivery());
    await postDelivery(relay.url, 'nope');
    await gate.waitUntil(() => gate.tickets.size > 0, 'the ticket');
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    expect(text).toContain('gatehouse_deliveries_total{outcome="applied"} 1');
    expect(text).toContain('gatehouse_deliveries_total{outcome="duplicate"} 1');
    expect(text).toContain('gatehouse_deliveries_total{outcome="quarantined"} 1');
    expect(text).toContain('gatehouse_connected_gates 1');
    expect(text).toMatch(/gatehouse_gate_lag\{gate="Gate 1"\} [1-9]/);
    expect(text).toContain('gatehouse_ingest_seconds_count 3');
    gate.ack();
    await waitFor(
      async () =>
        (await (await fetch(`${relay.url}/metrics`)).text()).includes('gatehouse_gate_lag{gate="Gate 1"} 0'),
      { message: 'lag 0 after ack' },
    );
  });
});
