// The gate websocket of a real relay process: snapshot, resume from a cursor, scan fan-out,
// authentication close codes and revocation by another process.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, type RelayFrame } from '../../shared/protocol.js';
import {
  addGateToken,
  GateTestClient,
  makeTempDir,
  orderDelivery,
  postDelivery,
  runGatehouse,
  startRelayProcess,
  type RelayProcess,
  type TempDir,
  scanOf,
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

async function connect(
  token: string,
  hello: { cursor?: number; events?: string[] } = { events: ['132218'] },
): Promise<GateTestClient> {
  const gate = await GateTestClient.connect(relay.url, token, hello);
  gates.push(gate);
  return gate;
}

/**
 * A snapshot frame that carries ticket states or scans: a resuming gate must not get one. (An
 * index-only snapshot of other events' tickets, issue 12, carries neither.)
 */
function isStateSnapshot(frame: RelayFrame): boolean {
  if (frame.type === 'snapshot-begin') return frame.tickets > 0 || frame.scans > 0;
  if (frame.type === 'snapshot-chunk') return frame.tickets.length > 0 || frame.scans.length > 0;
  return false;
}

describe('relay gate stream', () => {
  it('gives a new gate a snapshot of its events only, ending at a cursor, then streams what follows', async () => {
    await postDelivery(
      relay.url,
      orderDelivery({ orderId: 1, tickets: [{ barcode: 'A1' }, { barcode: 'A2', valid: false }] }),
    );
    await postDelivery(
      relay.url,
      orderDelivery({ orderId: 2, eventId: 999, tickets: [{ barcode: 'OTHER-EVENT' }] }),
    );
    const seeded = await connect(await addGateToken(dir.file('relay.db'), 'Scanner'));
    await seeded.waitWelcomed();
    seeded.send({ type: 'scan', scan: scanOf('Scanner', 'A1') });
    await seeded.waitForFrame('scan-ack');

    const gate = await connect(await addGateToken(dir.file('relay.db'), 'New gate'));
    const welcome = await gate.waitWelcomed();
    expect(welcome.events.map((event) => event.id).sort()).toEqual(['132218', '999']);
    const begin = await gate.waitForFrame('snapshot-begin');
    expect(begin).toMatchObject({ tickets: 2, scans: 1 });
    const end = await gate.waitForFrame('snapshot-end');
    expect(end.cursor).toBe(begin.cursor);
    expect([...gate.tickets.keys()].sort()).toEqual(['A1', 'A2']);
    expect(gate.tickets.get('A2')?.valid).toBe(false);
    expect([...gate.scans.values()].map((entry) => entry.scan.barcode)).toEqual(['A1']);
    await postDelivery(relay.url, orderDelivery({ orderId: 3, tickets: [{ barcode: 'A3' }] }));
    await gate.waitUntil(() => gate.tickets.get('A3'), 'the live ticket');
    expect(gate.cursor).toBeGreaterThan(end.cursor);
    expect(gate.errors).toEqual([]);
  });

  it('resumes a gate from its cursor after a disconnect: it misses nothing and gets nothing twice', async () => {
    const token = await addGateToken(dir.file('relay.db'), 'Gate 1');
    await postDelivery(relay.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'B1' }] }));
    const first = await connect(token);
    await first.waitUntil(() => first.tickets.get('B1'), 'the first ticket');
    await postDelivery(relay.url, orderDelivery({ orderId: 2, tickets: [{ barcode: 'B2' }] }));
    await first.waitUntil(() => first.tickets.get('B2'), 'the second ticket');
    const cursor = first.cursor;
    await first.close();

    // While the gate is away: new tickets, a change to a known one, and another event's traffic.
    for (let order = 10; order < 40; order += 1) {
      await postDelivery(
        relay.url,
        orderDelivery({ orderId: order, tickets: [{ barcode: `MISSED-${order}` }] }),
      );
    }
    await postDelivery(
      relay.url,
      orderDelivery({
        orderId: 1,
        tickets: [{ barcode: 'B1', valid: false }],
        transactions: [{ id: 1 }, { id: 5, type: 'REFUND' }],
      }),
    );
    await postDelivery(
      relay.url,
      orderDelivery({ orderId: 50, eventId: 777, tickets: [{ barcode: 'NOT-MINE' }] }),
    );

    const resumed = await connect(token, { cursor, events: ['132218'] });
    await resumed.waitUntil(() => resumed.tickets.get('B1')?.valid === false, 'the refund made while away');
    expect(resumed.frames.filter(isStateSnapshot)).toEqual([]);
    const barcodes = resumed.ticketEntries.map((entry) => entry.ticket.barcode);
    expect(barcodes).toEqual([...Array.from({ length: 30 }, (_, index) => `MISSED-${index + 10}`), 'B1']);
    expect(resumed.errors).toEqual([]);
    const seqs = resumed.ticketEntries.map((entry) => entry.seq);
    expect(seqs.every((seq) => seq > cursor)).toBe(true);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('gives a gate whose cursor is older than retention a snapshot instead of the pruned entries', async () => {
    for (let order = 1; order <= 12; order += 1)
      await postDelivery(relay.url, orderDelivery({ orderId: order, tickets: [{ barcode: `R${order}` }] }));
    await relay.stop();
    // Restarted with a short retention: the log is pruned at start, state stays in the tables.
    relay = await startRelayProcess({ dbPath: dir.file('relay.db'), extraArgs: ['--retention', '5'] });
    const gate = await connect(await addGateToken(dir.file('relay.db'), 'Late gate'), {
      cursor: 2,
      events: ['132218'],
    });
    const begin = await gate.waitForFrame('snapshot-begin');
    expect(begin.tickets).toBe(12);
    await gate.waitForFrame('snapshot-end');
    expect(gate.tickets.size).toBe(12);
    // A cursor still inside the retained log resumes without a snapshot.
    const recent = await connect(await addGateToken(dir.file('relay.db'), 'Recent gate'), {
      cursor: begin.cursor - 2,
      events: ['132218'],
    });
    await recent.waitUntil(() => recent.tickets.size === 2, 'the two retained entries');
    expect(recent.frames.filter(isStateSnapshot)).toEqual([]);
  });

  it('dedupes scans by UUID, acknowledges them and fans them out to the other gates of the event', async () => {
    await postDelivery(relay.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'C1' }] }));
    const gateOne = await connect(await addGateToken(dir.file('relay.db'), 'Gate 1'));
    const gateTwo = await connect(await addGateToken(dir.file('relay.db'), 'Gate 2'));
    const elsewhere = await connect(await addGateToken(dir.file('relay.db'), 'Other event'), {
      events: ['777'],
    });
    await Promise.all([gateOne.waitWelcomed(), gateTwo.waitWelcomed(), elsewhere.waitWelcomed()]);
    const scan = scanOf('Gate 1', 'C1');
    gateOne.send({ type: 'scan', scan });
    const ack = await gateOne.waitForFrame('scan-ack', (frame) => frame.id === scan.id);
    const shared = await gateTwo.waitUntil(() => gateTwo.scans.get(scan.id), 'the fanned-out scan');
    expect(shared).toEqual({ seq: ack.seq, scan });
    // The same UUID again (a gate retrying after a lost ack): same seq, no new log entry.
    gateOne.send({ type: 'scan', scan });
    const again = await gateOne.waitForFrame('scan-ack', (frame) => frame.id === scan.id && frame !== ack);
    expect(again.seq).toBe(ack.seq);
    const marker = scanOf('Gate 2', 'C1');
    gateTwo.send({ type: 'scan', scan: marker });
    await gateOne.waitUntil(() => gateOne.scans.get(marker.id), 'the marker scan');
    const scanEntries = gateOne.frames
      .flatMap((frame) => (frame.type === 'entries' ? frame.entries : []))
      .filter((entry) => entry.kind === 'scan');
    expect(scanEntries.map((entry) => (entry.kind === 'scan' ? entry.scan.id : ''))).toEqual([
      scan.id,
      marker.id,
    ]);
    expect(elsewhere.scans.size).toBe(0);
  });

  it('closes with distinct codes for a bad token, a protocol mismatch and a bad frame', async () => {
    const badToken = await GateTestClient.connect(relay.url, 'gh_not-a-real-token', { events: [] });
    expect((await badToken.closed).code).toBe(CLOSE_CODES.badToken);
    const token = await addGateToken(dir.file('relay.db'), 'Gate 1');
    const oldGate = await GateTestClient.connect(relay.url, token, { events: [], protocol: 0 });
    expect((await oldGate.closed).code).toBe(CLOSE_CODES.protocolMismatch);
    expect(oldGate.frames).toContainEqual(
      expect.objectContaining({ type: 'error', code: 'protocol_mismatch' }),
    );
    const rude = await GateTestClient.connect(relay.url, token);
    rude.sendRaw('{"type":"scan","scan":{"id":"nope"}}');
    expect((await rude.closed).code).toBe(CLOSE_CODES.badFrame);
  });

  it("disconnects a gate revoked by another process (noticed by the relay's poll) and refuses it afterwards", async () => {
    const token = await addGateToken(dir.file('relay.db'), 'Gate 9');
    const gate = await connect(token);
    await gate.waitWelcomed();
    const revoke = await runGatehouse(['relay', 'revoke-gate', 'Gate 9', '--db', dir.file('relay.db')]);
    expect(revoke.code).toBe(0);
    const closed = await gate.closed;
    expect(closed.code).toBe(CLOSE_CODES.revoked);
    const retry = await GateTestClient.connect(relay.url, token, { events: ['132218'] });
    expect((await retry.closed).code).toBe(CLOSE_CODES.revoked);
    const list = await runGatehouse(['relay', 'list-gates', '--db', dir.file('relay.db')]);
    expect(list.stdout).toMatch(/Gate 9\tadded .*\trevoked /);
  });

  it('drains and exits 0 on SIGTERM, closing gates with the shutting-down code', async () => {
    const gate = await connect(await addGateToken(dir.file('relay.db'), 'Gate 1'));
    await gate.waitWelcomed();
    expect(await relay.stop()).toBe(0);
    expect((await gate.closed).code).toBe(CLOSE_CODES.shuttingDown);
    expect(relay.output().stdout).toContain('stopped');
  });
});
