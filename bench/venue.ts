/**
 * Venue relay benchmark (`npm run bench -- venue [--quick]`): an internet relay process, a venue relay
 * process chained to it (`relay serve --upstream`, a venue token), and two gate engines (Door 1,
 * Door 2; hosted in this process, each with its own SQLite file) connected to the venue relay.
 * Figure: scan at Door 1 → known at Door 2 (in Door 2's scan history, committed), with the internet
 * relay up and then killed (-9): the venue relay alone carries the admission. Goal p99 < 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addGate } from '../relay/index.js';
import { openSqliteStore } from '../relay/store/sqlite.js';
import { setLogLevel } from '../shared/logger.js';
import { planNight, tonightStart } from '../sim/plan.js';
import { sendDeliveries } from '../sim/sender.js';
import { EVENT_ID, measureScanSharing, startGates, stats, when, type Gate } from './e2e.js';
import { startServerProcess, type ServerProcess } from './relay-load.js';
import type { BenchOptions, BenchRow } from './types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SECRET = 'bench-venue-secret';
const GOAL_MS = 50;

function relayArgs(dbPath: string, extra: string[] = []): string[] {
  return [
    join(ROOT, 'bin', 'gatehouse'),
    'relay',
    'serve',
    '--db',
    dbPath,
    '--port',
    '0',
    '--log-level',
    'error',
    ...extra,
  ];
}

async function json<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

function row(figure: string, measured: number, isGoal: boolean): BenchRow {
  return {
    bench: 'venue',
    figure,
    measured,
    unit: 'ms',
    goal: isGoal ? `p99 < ${GOAL_MS} ms` : null,
    floor: null,
    ratio: null,
    pass: isGoal ? measured < GOAL_MS : null,
  };
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  setLogLevel('error');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-venue-'));
  const internetDb = join(dir, 'internet.db');
  const venueDb = join(dir, 'venue.db');
  let internet: ServerProcess | null = null;
  let venue: ServerProcess | null = null;
  let gates: Gate[] = [];
  try {
    await openSqliteStore(internetDb).close();
    await openSqliteStore(venueDb).close();
    const venueToken = await addGate(internetDb, 'Bench Venue', { isVenue: true });
    internet = await startServerProcess(process.execPath, relayArgs(internetDb), {
      GATEHOUSE_WEBHOOK_SECRET: SECRET,
    });
    venue = await startServerProcess(process.execPath, relayArgs(venueDb, ['--upstream', internet.url]), {
      GATEHOUSE_UPSTREAM_TOKEN: venueToken,
    });
    const samples = options.isQuick ? 30 : 200;
    const night = planNight({
      seed: 'venue-night',
      eventId: EVENT_ID,
      startDate: tonightStart(new Date()),
      orders: samples * 2 + 50,
    });
    const sent = await sendDeliveries(night.deliveries, {
      relayUrl: internet.url,
      secret: SECRET,
      concurrency: 8,
    });
    if (sent.accepted !== night.deliveries.length)
      throw new Error(`relay refused: ${sent.problems.join('; ')}`);
    // Webhooks are answered before they are applied: the head counts once nothing is pending.
    let internetHead = 0;
    for (;;) {
      const health = await json<{ logHead: number; pendingDeliveries: number }>(`${internet.url}/healthz`);
      internetHead = health.logHead;
      if (health.pendingDeliveries === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The venue relay has mirrored the night before the gates start on a snapshot of it.
    for (;;) {
      const health = await json<{ upstream: { cursor: number } }>(`${venue.url}/healthz`);
      if (health.upstream.cursor >= internetHead) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    gates = await startGates(2, venue.url, venueDb, join(dir, 'gates'));
    const venueHead = (await json<{ logHead: number }>(`${venue.url}/healthz`)).logHead;
    await Promise.all(gates.map((gate) => when(gate, () => gate.cursor >= venueHead)));
    const valid = Object.entries(night.oracle.barcodes)
      .filter(([, isValid]) => isValid)
      .map(([barcode]) => barcode);
    await measureScanSharing(gates, valid.slice(0, 5)); // warm-up
    const online = stats(await measureScanSharing(gates, valid.slice(5, 5 + samples)));
    const loadOnline = loadavg()[0] ?? 0;
    internet.child.kill('SIGKILL');
    await internet.stop();
    internet = null;
    const outage = stats(await measureScanSharing(gates, valid.slice(5 + samples, 5 + 2 * samples)));
    const loadOutage = loadavg()[0] ?? 0;
    const label = (state: string, load: number) => `venue relay, internet ${state}; load ${load.toFixed(2)}`;
    return [
      row(`scan at Door 1 → known at Door 2 p50, ${label('up', loadOnline)}`, online.p50, false),
      row(`scan at Door 1 → known at Door 2 p99, ${label('up', loadOnline)}`, online.p99, true),
      row(`scan at Door 1 → known at Door 2 p50, ${label('down (kill -9)', loadOutage)}`, outage.p50, false),
      row(`scan at Door 1 → known at Door 2 p99, ${label('down (kill -9)', loadOutage)}`, outage.p99, true),
    ];
  } finally {
    for (const gate of gates.reverse()) await gate.engine.stop();
    await venue?.stop();
    await internet?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
