/**
 * Property: random sequences of order snapshots — duplicates, reorders, refunds, reissues — posted
 * to a real relay reach a real gate process (live entries) and a gate started afterwards (snapshot),
 * and both end in exactly the state an oracle predicts: per order, the newest snapshot applied wins;
 * barcodes that dropped out of it are no longer valid; barcodes never applied stay unknown.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGate, type GateEngine } from '../../electron/gate/index.js';
import {
  addGateToken,
  makeTempDir,
  orderDelivery,
  postDelivery,
  startRelayProcess,
  waitFor,
  type RelayProcess,
} from '../relay/support.js';
import { gateArgs, startGateProcess, ticketOf, type GateProcess } from './support.js';

const dir = makeTempDir();
let relay: RelayProcess;
let gate: GateProcess;
let nextOrderId = 100;
/** Expected validity of every barcode any run generated; null = the gate must not know it. */
const expected = new Map<string, boolean | null>();
let lastMarker = '';

interface Version {
  tickets: { slot: number; isValid: boolean }[];
}

const versionArbitrary: fc.Arbitrary<Version> = fc.record({
  tickets: fc.uniqueArray(fc.record({ slot: fc.nat(4), isValid: fc.boolean() }), {
    selector: (ticket) => ticket.slot,
    minLength: 1,
    maxLength: 3,
  }),
});
const orderArbitrary = fc.array(versionArbitrary, { minLength: 1, maxLength: 4 });
const scenarioArbitrary = fc.array(orderArbitrary, { minLength: 1, maxLength: 3 }).chain((orders) =>
  fc.record({
    orders: fc.constant(orders),
    deliveries: fc.array(
      fc
        .nat(orders.length - 1)
        .chain((order) => fc.tuple(fc.constant(order), fc.nat((orders[order]?.length ?? 1) - 1))),
      { minLength: 1, maxLength: 12 },
    ),
  }),
);

beforeAll(async () => {
  const db = dir.file('relay.db');
  const token = await addGateToken(db, 'Prop');
  relay = await startRelayProcess({ dbPath: db });
  gate = await startGateProcess(gateArgs(dir.file('live'), relay.url, { name: 'Prop', token }));
});
afterAll(async () => {
  await gate?.stop();
  await relay?.stop();
  dir.remove();
});

async function checkGate(
  read: (barcode: string) => Promise<boolean | null>,
  barcodes: Iterable<string>,
): Promise<void> {
  for (const barcode of barcodes) {
    expect({ barcode, valid: await read(barcode) }).toEqual({ barcode, valid: expected.get(barcode) });
  }
}

describe('order snapshots through a real relay to a gate', () => {
  it('end in the state the oracle predicts', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async ({ orders, deliveries }) => {
        const orderIds = orders.map(() => (nextOrderId += 1));
        const barcodeOf = (order: number, slot: number) => `P${orderIds[order]}-${slot}`;
        const applied = new Map<number, number>();
        const known = new Map<number, Set<string>>();
        for (const [order, version] of deliveries) {
          const orderId = orderIds[order] ?? 0;
          const snapshot = orders[order]?.[version];
          if (!snapshot) continue;
          const result = await postDelivery(
            relay.url,
            orderDelivery({
              orderId,
              tickets: snapshot.tickets.map((ticket) => ({
                barcode: barcodeOf(order, ticket.slot),
                valid: ticket.isValid,
              })),
              transactions: Array.from({ length: version + 1 }, (_, index) => ({
                id: orderId * 100 + index,
              })),
            }),
          );
          expect(result.status).toBeLessThan(300);
          // Oracle: a snapshot applies only when newer than the one applied for its order.
          if ((applied.get(order) ?? -1) < version) {
            applied.set(order, version);
            for (const ticket of snapshot.tickets)
              known.set(order, (known.get(order) ?? new Set()).add(barcodeOf(order, ticket.slot)));
          }
        }
        const barcodes: string[] = [];
        orders.forEach((versions, order) => {
          const newest = versions[applied.get(order) ?? -1];
          for (let slot = 0; slot <= 4; slot += 1) {
            const barcode = barcodeOf(order, slot);
            barcodes.push(barcode);
            const inNewest = newest?.tickets.find((ticket) => ticket.slot === slot);
            expected.set(
              barcode,
              inNewest ? inNewest.isValid : known.get(order)?.has(barcode) ? false : null,
            );
          }
        });
        // The log is ordered: once the marker is at the gate, every delivery before it is too.
        lastMarker = `MARK-${(nextOrderId += 1)}`;
        await postDelivery(
          relay.url,
          orderDelivery({ orderId: nextOrderId, tickets: [{ barcode: lastMarker }] }),
        );
        await waitFor(async () => (await ticketOf(gate, lastMarker)) !== null, {
          message: 'the marker at the gate',
        });
        await checkGate(async (barcode) => (await ticketOf(gate, barcode))?.valid ?? null, barcodes);
      }),
      { numRuns: 25 },
    );
  });

  it('gives a gate that joins later the same state through its snapshot', async () => {
    const engine: GateEngine = await startGate({
      dataDir: dir.file('late'),
      settings: {
        gateName: 'Late',
        events: ['132218'],
        relayUrl: relay.url,
        token: await addGateToken(dir.file('relay.db'), 'Late'),
      },
    });
    try {
      const read = async (barcode: string) => {
        const result = await engine.handlers.ticket({ barcode });
        return result.ok ? result.value.valid : null;
      };
      await waitFor(async () => (await read(lastMarker)) !== null, {
        message: 'the snapshot at the late gate',
      });
      await checkGate(read, [...expected.keys()]);
    } finally {
      await engine.stop();
    }
  });
});
