// The relay trusts the token, not the frame (issue 10): a gate token speaks only for its own gate,
// only for the events of its hello, and an annulment must name a real admission of the same event.
// A real relay process, gates speaking the protocol over real websockets.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../shared/scans.js';
import {
  addGateToken,
  GateTestClient,
  makeTempDir,
  orderDelivery,
  postDelivery,
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
  await postDelivery(relay.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'NIGHT-1' }] }));
  await postDelivery(
    relay.url,
    orderDelivery({ orderId: 2, eventId: 999, tickets: [{ barcode: 'OTHER-1' }] }),
  );
});

afterEach(async () => {
  await Promise.all(gates.map((gate) => gate.close()));
  await relay.stop();
  dir.remove();
});

async function connect(name: string, events = ['132218']): Promise<GateTestClient> {
  const gate = await GateTestClient.connect(relay.url, await addGateToken(dir.file('relay.db'), name), {
    events,
  });
  gates.push(gate);
  await gate.waitWelcomed();
  return gate;
}

function annulmentOf(gate: string, target: ScanRecord, changes: Partial<ScanRecord> = {}): ScanRecord {
  return scanOf(gate, target.barcode, {
    eventId: target.eventId,
    result: 'deny',
    reason: 'annulled',
    kind: 'annul',
    note: 'wrong person',
    annuls: target.id,
    ...changes,
  });
}

/** Sends a scan and resolves with the relay's answer to it: an ack or a refusal naming it. */
async function upload(gate: GateTestClient, scan: ScanRecord): Promise<'acked' | string> {
  gate.send({ type: 'scan', scan });
  return gate.waitUntil(() => {
    for (const frame of gate.frames) {
      if (frame.type === 'scan-ack' && frame.id === scan.id) return 'acked';
      if (frame.type === 'error' && frame.scanId === scan.id) return `${frame.code}: ${frame.message}`;
    }
    return undefined;
  }, `the relay's answer to scan ${scan.id}`);
}

/** Whether a fresh gate's snapshot of `events` holds the scan. */
async function isStored(id: string, events: string[]): Promise<boolean> {
  const witness = await connect(`Witness ${randomUUID()}`, events);
  return witness.scans.has(id);
}

describe('relay: scans speak for the token, not the frame', () => {
  it('refuses a scan frame naming another gate, stores nothing and tells no other gate', async () => {
    const gateA = await connect('Gate A');
    const gateB = await connect('Gate B');
    const forged = scanOf('Gate A', 'NIGHT-1');
    const answer = await upload(gateB, forged);
    expect(answer).toMatch(/^scan_refused: .*Gate A.*Gate B/);
    // The session goes on: Gate B's own scan is accepted and reaches Gate A.
    const own = scanOf('Gate B', 'NIGHT-1');
    expect(await upload(gateB, own)).toBe('acked');
    await gateA.waitUntil(() => gateA.scans.get(own.id), 'Gate B’s own scan at Gate A');
    expect(gateA.scans.has(forged.id)).toBe(false);
    expect(await isStored(forged.id, ['132218'])).toBe(false);
    expect(await isStored(own.id, ['132218'])).toBe(true);
  });

  it('refuses a scan or annulment for an event outside the gate’s hello', async () => {
    const gateB = await connect('Gate B');
    const elsewhere = scanOf('Gate B', 'OTHER-1', { eventId: '999' });
    expect(await upload(gateB, elsewhere)).toMatch(/^scan_refused: .*event 999/);
    const other = await connect('Other night', ['999']);
    const admitted = scanOf('Other night', 'OTHER-1', { eventId: '999' });
    expect(await upload(other, admitted)).toBe('acked');
    expect(await upload(gateB, annulmentOf('Gate B', admitted))).toMatch(/^scan_refused: .*event 999/);
    expect(await isStored(elsewhere.id, ['999'])).toBe(false);
  });

  it('accepts an annulment only of an existing admission of the same event', async () => {
    const gateA = await connect('Gate A');
    const gateB = await connect('Gate B');
    const invented = annulmentOf('Gate B', scanOf('Gate A', 'NIGHT-1'));
    expect(await upload(gateB, invented)).toMatch(/^scan_refused: .*no admission/);

    const other = await connect('Other night', ['999']);
    const admittedElsewhere = scanOf('Other night', 'OTHER-1', { eventId: '999' });
    expect(await upload(other, admittedElsewhere)).toBe('acked');
    const crossEvent = annulmentOf('Gate B', admittedElsewhere, { eventId: '132218' });
    expect(await upload(gateB, crossEvent)).toMatch(/^scan_refused: /);

    const denied = scanOf('Gate A', 'NIGHT-1', { result: 'deny', reason: 'already_admitted' });
    expect(await upload(gateA, denied)).toBe('acked');
    expect(await upload(gateB, annulmentOf('Gate B', denied))).toMatch(/^scan_refused: .*not an admission/);

    const admitted = scanOf('Gate A', 'NIGHT-1');
    expect(await upload(gateA, admitted)).toBe('acked');
    const annulment = annulmentOf('Gate B', admitted);
    expect(await upload(gateB, annulment)).toBe('acked');
    await gateA.waitUntil(() => gateA.scans.get(annulment.id), 'the annulment at Gate A');
    for (const refused of [invented, crossEvent]) expect(await isStored(refused.id, ['132218'])).toBe(false);
  });
});
