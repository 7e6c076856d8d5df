// A simulated night end to end with real processes: `gatehouse sim` (seeded: 2,000 orders, 5%
// refunds, 3% reissues, 10% duplicates, 10% held back) → a real relay process → two real gate
// processes. Every barcode's admissibility at both gates must equal the simulator's oracle (read
// through the non-consuming `ticket` method), and scanning each barcode once at a random gate must
// admit exactly the oracle-valid ones, once: a second scan at the other gate is refused.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addGateToken,
  getJson,
  makeTempDir,
  runGatehouse,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import { createRandom } from '../../sim/random.js';
import { gateArgs, startGateProcess, type GateProcess } from '../gate/support.js';

const SECRET = 'night-test-secret';
const EVENT = '777001';
const oracleSchema = (json: unknown) => json as { event: string; barcodes: Record<string, boolean> };

let temp: TempDir;
let relay: RelayProcess;
let gates: GateProcess[] = [];

beforeAll(async () => {
  temp = makeTempDir('gatehouse-night-');
  const dbPath = temp.file('relay.db');
  const tokens = [await addGateToken(dbPath, 'Gate A'), await addGateToken(dbPath, 'Gate B')];
  relay = await startRelayProcess({ dbPath, secret: SECRET });
  gates = await Promise.all(
    ['Gate A', 'Gate B'].map((name, index) =>
      startGateProcess(
        gateArgs(temp.file(`gate-${index}`), relay.url, {
          name,
          token: tokens[index] ?? '',
          events: [EVENT],
        }),
      ),
    ),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(gates.map((gate) => gate.stop()));
  await relay?.stop();
  temp?.remove();
});

/** Runs `work` over `items`, `width` at a time (the gates answer in parallel; order is irrelevant here). */
async function inParallel<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const phases: string[] = [];
let phaseStart = Date.now();
const phase = (name: string) => {
  phases.push(`${name} ${((Date.now() - phaseStart) / 1000).toFixed(1)} s`);
  phaseStart = Date.now();
};

/**
 * Both gates have everything the relay has: statuses are read before the log head, so a cursor at
 * or past the head (with nothing left to upload at either gate) cannot be stale.
 */
async function allCaughtUp(): Promise<boolean> {
  const statuses = await Promise.all(gates.map((gate) => gate.call('status', {})));
  const health = (await getJson(`${relay.url}/healthz`)) as { logHead: number };
  return statuses.every(
    (status) =>
      status.ok &&
      status.value.connection === 'online' &&
      status.value.pendingScans === 0 &&
      status.value.cursor >= health.logHead,
  );
}

describe('a simulated night through a real relay to two real gates', () => {
  it('ends with every barcode admissible exactly as the oracle says, and each valid one admitted once', async () => {
    phaseStart = Date.now();
    const oraclePath = temp.file('oracle.json');
    const sim = await runGatehouse([
      'sim',
      '--relay',
      relay.url,
      '--secret',
      SECRET,
      '--event',
      EVENT,
      '--orders',
      '2000',
      '--seed',
      'night',
      '--refunds',
      '5%',
      '--reissues',
      '3%',
      '--duplicates',
      '10%',
      '--reorder',
      '10%',
      '--concurrency',
      '16',
      '--oracle',
      oraclePath,
    ]);
    expect(sim.code, `${sim.stdout}\n${sim.stderr}`).toBe(0);
    expect(sim.stdout).toMatch(/0 rejected, 0 failed/);
    const oracle = oracleSchema(JSON.parse(readFileSync(oraclePath, 'utf8')));
    expect(oracle.event).toBe(EVENT);
    const barcodes = Object.entries(oracle.barcodes);
    const validCount = barcodes.filter(([, isValid]) => isValid).length;
    expect(barcodes.length - validCount).toBeGreaterThan(100);

    phase('sim');
    await waitFor(allCaughtUp, { timeoutMs: 60_000, message: 'gates to apply the whole night' });
    phase('catch-up');

    // Admissibility without consuming anything: the ticket as each gate stores it.
    const mismatches: string[] = [];
    const checks: Promise<void>[] = [];
    for (const gate of gates) {
      checks.push(
        inParallel(barcodes, 8, async ([barcode, isValid]) => {
          const ticket = await gate.call('ticket', { barcode });
          const isAdmissible = ticket.ok && ticket.value.valid && ticket.value.eventId === EVENT;
          if (!ticket.ok && ticket.error.code !== 'not_found') throw new Error(ticket.error.message);
          if (isAdmissible !== isValid)
            mismatches.push(`${gate.url} ${barcode}: gate ${isAdmissible}, oracle ${isValid}`);
        }),
      );
    }
    await Promise.all(checks);
    phase('ticket checks');
    expect(mismatches.slice(0, 10)).toEqual([]);

    // Each barcode once, at a random gate.
    const random = createRandom('night-scans');
    const firstGate = new Map<string, number>();
    let admitted = 0;
    for (const [barcode] of barcodes) firstGate.set(barcode, random.int(0, 1));
    await inParallel(barcodes, 8, async ([barcode, isValid]) => {
      const index = firstGate.get(barcode) ?? 0;
      const result = await gates[index]?.call('scan', { barcode });
      if (!result?.ok) throw new Error(`scan failed: ${JSON.stringify(result)}`);
      if (result.value.result === 'admit') admitted += 1;
      if ((result.value.result === 'admit') !== isValid)
        mismatches.push(`${barcode}: ${result.value.reason}, oracle ${isValid}`);
    });
    phase('first scans');
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(admitted).toBe(validCount);

    // Once the admissions are shared, both gates know every admission (and no conflict), and a valid
    // barcode shown again at the other gate is refused (a seeded sample: each scan is a durable write).
    await waitFor(allCaughtUp, { timeoutMs: 60_000, message: 'gates to share their admissions' });
    phase('scan sharing');
    for (const gate of gates) {
      const stats = await gate.call('stats', {});
      if (!stats.ok) throw new Error(stats.error.message);
      expect(stats.value.admittedTonight).toEqual([
        expect.objectContaining({ eventId: EVENT, count: validCount }),
      ]);
      expect(stats.value.conflicts).toBe(0);
    }
    const valid = barcodes.filter(([, isValid]) => isValid);
    const sample = Array.from({ length: 300 }, () => random.pick(valid));
    await inParallel(sample, 8, async ([barcode]) => {
      const other = gates[1 - (firstGate.get(barcode) ?? 0)];
      const again = await other?.call('scan', { barcode });
      if (!again?.ok || again.value.result !== 'deny' || again.value.reason !== 'already_admitted') {
        mismatches.push(`${barcode} second scan: ${JSON.stringify(again)}`);
      }
    });
    phase('second scans');
    console.log(`night phases: ${phases.join(', ')}`);
    expect(mismatches.slice(0, 10)).toEqual([]);
  }, 600_000);
});
