/**
 * End-to-end benchmark (`npm run bench -- e2e [--quick]`): simulator → relay → 10 and 100 gates.
 * The relay runs as its own process (the compiled CLI); the gates are full gate engines (sync
 * client + SQLite store, each with its own database file) hosted together in this process, because
 * 100 gate processes do not fit on a 2-core machine — the figure names say so. "Applied" means
 * committed in the gate's SQLite: the engine's status event after the batch commits, with a cursor
 * at or past the delivery's relay seq.
 *   - delivery → applied at every gate: POST of a simulated sale until the last gate committed it;
 *   - scan at gate A → known at gate B: decision recorded at A until B has it in its scan history.
 * Floors: the same fan-out and hop with bare `ws` frames in the same topology (bench/e2e-floor.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addGate } from '../relay/index.js';
import { startGate, type GateEngine } from '../electron/gate/index.js';
import { setLogLevel } from '../shared/logger.js';
import { planNight, tonightStart, type Delivery } from '../sim/plan.js';
import { sendDeliveries } from '../sim/sender.js';
import { measureRawFloors } from './e2e-floor.js';
import { percentile, startServerProcess, type ServerProcess } from './relay-load.js';
import type { BenchOptions, BenchRow } from './types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SECRET = 'bench-e2e-secret';
export const EVENT_ID = 880_001;
const GOAL_MS = 50;

export interface Gate {
  engine: GateEngine;
  cursor: number;
  /** Called after every status event (each applied batch emits one). */
  onChange: Set<() => void>;
}

export async function startGates(
  count: number,
  relayUrl: string,
  dbPath: string,
  dir: string,
): Promise<Gate[]> {
  const gates: Gate[] = [];
  for (let index = 0; index < count; index += 1) {
    const name = `Bench Gate ${count}.${index + 1}`;
    const token = await addGate(dbPath, name);
    const engine = await startGate({
      dataDir: join(dir, `gate-${index}`),
      settings: { relayUrl, token, gateName: name, events: [String(EVENT_ID)] },
    });
    const gate: Gate = { engine, cursor: 0, onChange: new Set() };
    engine.onEvent((event) => {
      if (event.type !== 'status') return;
      gate.cursor = Math.max(gate.cursor, event.status.cursor);
      for (const listener of gate.onChange) listener();
    });
    gates.push(gate);
  }
  return gates;
}

/** Resolves when `condition` holds for the gate, checked after each of its status events. */
export function when(gate: Gate, condition: () => boolean): Promise<number> {
  if (condition()) return Promise.resolve(performance.now());
  return new Promise((resolve) => {
    const listener = () => {
      if (!condition()) return;
      gate.onChange.delete(listener);
      resolve(performance.now());
    };
    gate.onChange.add(listener);
  });
}

function nextChange(gate: Gate): Promise<void> {
  return new Promise((resolve) => {
    const listener = () => {
      gate.onChange.delete(listener);
      resolve();
    };
    gate.onChange.add(listener);
  });
}

async function post(relayUrl: string, delivery: Delivery): Promise<void> {
  const report = await sendDeliveries([delivery], { relayUrl, secret: SECRET });
  if (report.accepted !== 1)
    throw new Error(`relay did not accept a delivery: ${report.problems.join('; ')}`);
}

/**
 * Each delivery is a new sale, so it moves every gate's cursor on. (The relay answers once the
 * delivery is durable, before it has a log seq: the cursor a gate had before is the reference.)
 */
async function measureApply(gates: Gate[], relayUrl: string, deliveries: Delivery[]): Promise<number[]> {
  const times: number[] = [];
  for (const delivery of deliveries) {
    const before = gates.map((gate) => gate.cursor);
    const started = performance.now();
    await post(relayUrl, delivery);
    const applied = await Promise.all(
      gates.map((gate, index) => when(gate, () => gate.cursor > (before[index] ?? 0))),
    );
    times.push(Math.max(...applied) - started);
  }
  return times;
}

export async function measureScanSharing(gates: Gate[], barcodes: string[]): Promise<number[]> {
  const [gateA, gateB] = gates;
  if (!gateA || !gateB) return [];
  const times: number[] = [];
  for (const barcode of barcodes) {
    const started = performance.now();
    const scan = await gateA.engine.handlers.scan({ barcode });
    if (!scan.ok || scan.value.result !== 'admit') throw new Error(`gate A did not admit ${barcode}`);
    const scanId = scan.value.scanId;
    const isKnown = async () => {
      const ticket = await gateB.engine.handlers.ticket({ barcode });
      return ticket.ok && ticket.value.history.some((record) => record.id === scanId);
    };
    let knownAt: number | null = null;
    while (knownAt === null) {
      // Subscribe before checking, so a status event between the two cannot be missed.
      const next = nextChange(gateB);
      if (await isKnown()) knownAt = performance.now();
      else await next;
    }
    times.push(knownAt - started);
  }
  return times;
}

export const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
};

function row(
  figure: string,
  measured: number,
  floor: number | null,
  goal: string | null,
  pass: boolean | null,
): BenchRow {
  return {
    bench: 'e2e',
    figure,
    measured,
    unit: 'ms',
    goal,
    floor,
    ratio: floor ? measured / floor : null,
    pass,
  };
}

async function measureSetup(
  count: number,
  relayUrl: string,
  dbPath: string,
  dir: string,
  samples: number,
): Promise<BenchRow[]> {
  const gates = await startGates(count, relayUrl, dbPath, join(dir, `gates-${count}`));
  const label = `${count} gates (engines in 1 process)`;
  try {
    const health = (await (await fetch(`${relayUrl}/healthz`)).json()) as { logHead: number };
    // Every gate has the night's snapshot before the clock starts.
    const sold = planNight({
      seed: `e2e-live-${count}`,
      eventId: EVENT_ID,
      // Tonight's show, so the gates' date window admits its tickets.
      startDate: tonightStart(new Date()),
      orders: samples + 5,
      firstOrderId: 60_000_000 + count * 10_000,
    });
    await Promise.all(gates.map((gate) => when(gate, () => gate.cursor >= health.logHead)));
    const sales = sold.deliveries.filter(
      (delivery) => delivery.kind === 'order' && !delivery.isDuplicate && !delivery.isReordered,
    );
    await measureApply(gates, relayUrl, sales.slice(0, 5)); // warm-up
    const apply = stats(await measureApply(gates, relayUrl, sales.slice(5)));
    const valid = Object.entries(sold.oracle.barcodes)
      .filter(([, isValid]) => isValid)
      .map(([barcode]) => barcode);
    const sharing = stats(await measureScanSharing(gates, valid.slice(0, samples)));
    const floors = await measureRawFloors(count, samples);
    const isGoalSize = count >= 100;
    return [
      row(`delivery → applied at every gate p50, ${label}`, apply.p50, null, null, null),
      row(
        `delivery → applied at every gate p99, ${label}`,
        apply.p99,
        floors.fanOutP99,
        isGoalSize ? `p99 < ${GOAL_MS} ms` : null,
        isGoalSize ? apply.p99 < GOAL_MS : null,
      ),
      row(`scan at gate A → known at gate B p50, ${label}`, sharing.p50, null, null, null),
      row(
        `scan at gate A → known at gate B p99, ${label}`,
        sharing.p99,
        floors.hopP99,
        `p99 < ${GOAL_MS} ms`,
        sharing.p99 < GOAL_MS,
      ),
    ];
  } finally {
    for (const gate of gates.reverse()) await gate.engine.stop();
  }
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  setLogLevel('error');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-e2e-'));
  const dbPath = join(dir, 'relay.db');
  let relay: ServerProcess | null = null;
  try {
    relay = await startServerProcess(
      process.execPath,
      [
        join(ROOT, 'bin', 'gatehouse'),
        'relay',
        'serve',
        '--db',
        dbPath,
        '--port',
        '0',
        '--log-level',
        'error',
      ],
      { GATEHOUSE_WEBHOOK_SECRET: SECRET },
    );
    // The night so far: gates start on a snapshot of it, as they would at doors.
    const night = planNight({
      seed: 'e2e-night',
      eventId: EVENT_ID,
      startDate: tonightStart(new Date()),
      orders: options.isQuick ? 500 : 5_000,
      refunds: 0.05,
      reissues: 0.03,
      duplicates: 0.1,
      reorder: 0.1,
    });
    const sent = await sendDeliveries(night.deliveries, {
      relayUrl: relay.url,
      secret: SECRET,
      concurrency: 16,
    });
    if (sent.accepted !== night.deliveries.length)
      throw new Error(`relay refused part of the night: ${sent.problems.join('; ')}`);
    const samples = options.isQuick ? 20 : 200;
    const rows: BenchRow[] = [];
    for (const count of [10, 100]) rows.push(...(await measureSetup(count, relay.url, dbPath, dir, samples)));
    return rows;
  } finally {
    await relay?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
