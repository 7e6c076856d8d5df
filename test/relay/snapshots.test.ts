// Snapshots read off the HTTP thread (the relay's reader worker): 30 gates asking for a big event's
// snapshot at once each get all of it, webhooks posted meanwhile are answered, and each of those
// deliveries reaches every gate exactly once (in its snapshot or on the stream after it).
import { afterEach, describe, expect, it } from 'vitest';
import { generateGateToken, hashToken, openSqliteStore } from '../../relay/index.js';
import {
  GateTestClient,
  makeTempDir,
  orderDelivery,
  postDelivery,
  startRelayProcess,
  type RelayProcess,
  type TempDir,
} from './support.js';

const EVENT = '132218';
const TICKETS = 5_000;
const GATES = 30;
const LIVE = 20;

let dir: TempDir | undefined;
let relay: RelayProcess | undefined;
const gates: GateTestClient[] = [];

afterEach(async () => {
  await Promise.all(gates.splice(0).map((gate) => gate.close()));
  await relay?.stop();
  dir?.remove();
});

async function seed(dbPath: string): Promise<string[]> {
  const store = openSqliteStore(dbPath);
  const rows = Array.from({ length: TICKETS }, (_, index) => ({
    barcode: `SEED-${index}`,
    valid: true,
    orderId: String(index),
    ticketId: null,
    ticketTypeId: null,
    ticketTypeName: null,
    holderName: null,
    email: null,
  }));
  await store.importTickets(EVENT, 'seed.csv', rows);
  const tokens = Array.from({ length: GATES }, () => generateGateToken());
  await Promise.all(tokens.map((token, index) => store.addGate(`Gate ${index + 1}`, hashToken(token))));
  await store.close();
  return tokens;
}

describe('relay snapshots off the HTTP thread', () => {
  it('serves 30 concurrent snapshots whole while webhooks posted meanwhile reach every gate once', async () => {
    dir = makeTempDir();
    const dbPath = dir.file('relay.db');
    const tokens = await seed(dbPath);
    relay = await startRelayProcess({ dbPath });
    const url = relay.url;
    gates.push(
      ...(await Promise.all(
        tokens.map((token) => GateTestClient.connect(url, token, { cursor: 0, events: [EVENT] })),
      )),
    );
    // Posted while the snapshots are being read and sent.
    const answers = await Promise.all(
      Array.from({ length: LIVE }, (_, index) =>
        postDelivery(
          url,
          orderDelivery({ orderId: 900_000 + index, tickets: [{ barcode: `LIVE-${index}` }] }),
        ),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: LIVE }, () => 200));
    await Promise.all(gates.map((gate) => gate.waitWelcomed(60_000)));
    const live = Array.from({ length: LIVE }, (_, index) => `LIVE-${index}`);
    for (const gate of gates) {
      await gate.waitUntil(
        () => live.every((barcode) => gate.tickets.has(barcode)),
        'every live delivery at every gate',
        60_000,
      );
      expect(gate.tickets.size).toBe(TICKETS + LIVE);
      expect(gate.errors).toEqual([]);
      const entriesOfLive = gate.ticketEntries.filter((entry) => entry.ticket.barcode.startsWith('LIVE-'));
      expect(new Set(entriesOfLive.map((entry) => entry.ticket.barcode)).size).toBe(entriesOfLive.length);
    }
  });
});
