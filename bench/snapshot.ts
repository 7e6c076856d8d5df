/**
 * Snapshot benchmark (`npm run bench -- snapshot [--quick]`): a real headless gate process
 * (bin/gatehouse gate) stores a 1,000,000-ticket snapshot from a stand-in relay process
 * (bench/snapshot-relay.ts), while this process times scans over HTTP:
 *   1. first snapshot into an empty database (secondary indexes built after the load), no scans:
 *      tickets/s from snapshot-begin sent to the cursor stored, against a raw better-sqlite3 prototype
 *      of the same load (positional INSERTs in barcode order, as the relay sends them, in 25,000-row
 *      transactions, no secondary indexes, then CREATE INDEX with the store's sorter threads) measured
 *      in this run;
 *   2. a new snapshot into the database that holds the list (every ticket newer, indexes kept), no
 *      scans: the apply rate, against raw 25,000-row UPSERTs of the same rows;
 *   3. the same while a scan arrives every 20 ms: scan round trip p50 / p99 / max (POST /api/scan,
 *      decision and durable record included) and the apply rate meanwhile;
 *   4. a first snapshot into a second, empty gate while scanning (the first gate stopped: one gate
 *      per disk): the same figures.
 * In 3 and 4, each scan is followed by the same request to bare node:http in a process of its own
 * (relay-load.ts HELLO_WORLD_SOURCE): the round trip's floor on this machine at that moment, in the
 * floor column.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { SORTER_THREADS } from '../electron/gate/store/index.js';
import { MIGRATIONS } from '../electron/gate/store/migrations.js';
import { HELLO_WORLD_SOURCE, startServerProcess } from './relay-load.js';
import { barcodeOf, barcodeOrder, benchTicket } from './snapshot-relay.js';
import type { BenchOptions, BenchRow } from './types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EVENT = '770001';
const SCAN_EVERY_MS = 20;

function row(
  figure: string,
  measured: number,
  unit: string,
  goal: string | null,
  floor: number | null,
  pass: boolean | null,
): BenchRow {
  const ratio =
    floor === null || floor === 0 ? null : unit === 'tickets/s' ? measured / floor : measured / floor;
  return { bench: 'snapshot', figure, measured, unit, goal, floor, ratio, pass };
}

const percentile = (sorted: readonly number[], fraction: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;

/** The raw floor: what SQLite does here with the least possible code around it. */
function rawFloors(path: string, total: number): { firstLoad: number; update: number } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`threads = ${SORTER_THREADS}`);
  for (const migration of MIGRATIONS) db.exec(migration);
  const indexes = db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets' AND sql IS NOT NULL",
    )
    .all() as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
  const values = (index: number, txId: number) => {
    const ticket = benchTicket(index, EVENT, txId);
    return [
      ticket.barcode,
      ticket.ticketId,
      ticket.orderId,
      ticket.eventId,
      ticket.ticketTypeId,
      ticket.ticketTypeName,
      ticket.holderName,
      ticket.customerName,
      ticket.email,
      1,
      ticket.cause,
      ticket.changedAt,
      'webhook',
      txId,
      index + 1,
    ];
  };
  const insert = db.prepare(
    'INSERT INTO tickets (barcode, ticket_id, order_id, event_id, ticket_type_id, ticket_type_name, holder_name, customer_name, email, is_valid, cause, changed_at, version_source, version_tx, version_seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
  );
  const upsert =
    db.prepare(`INSERT INTO tickets (barcode, ticket_id, order_id, event_id, ticket_type_id, ticket_type_name, holder_name, customer_name, email, is_valid, cause, changed_at, version_source, version_tx, version_seq)
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT (barcode) DO UPDATE SET version_tx = excluded.version_tx, holder_name = excluded.holder_name`);
  // The same order as the relay sends: by barcode.
  const order = barcodeOrder(total);
  const load = (statement: Database.Statement, txId: number) => {
    const many = db.transaction((from: number) => {
      for (let at = from; at < Math.min(total, from + 25_000); at += 1)
        statement.run(values(order[at] as number, txId));
    });
    for (let from = 0; from < total; from += 25_000) many(from);
  };
  let started = performance.now();
  load(insert, 11);
  for (const index of indexes) db.exec(index.sql);
  const firstLoad = total / ((performance.now() - started) / 1000);
  started = performance.now();
  load(upsert, 12);
  const update = total / ((performance.now() - started) / 1000);
  db.close();
  return { firstLoad, update };
}

interface Lines {
  next(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

function lines(child: ChildProcess): Lines {
  const seen: Record<string, unknown>[] = [];
  const waiting: {
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { text };
    }
    const waiter = waiting.find((each) => each.match(line));
    if (!waiter) return void seen.push(line);
    waiting.splice(waiting.indexOf(waiter), 1);
    waiter.resolve(line);
  });
  return {
    next: (match) => {
      const found = seen.find(match);
      if (found) {
        seen.splice(seen.indexOf(found), 1);
        return Promise.resolve(found);
      }
      return new Promise((resolve) => waiting.push({ match, resolve }));
    },
  };
}

/** SIGTERM, settled once the child has exited. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

interface Gate {
  child: ChildProcess;
  url: string;
  call(method: string, input?: unknown): Promise<{ ok: boolean; value?: Record<string, unknown> }>;
  stop(): Promise<void>;
}

async function startGate(dataDir: string, relayPort: number): Promise<Gate> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'gatehouse'),
      'gate',
      '--data',
      dataDir,
      '--relay',
      `http://127.0.0.1:${relayPort}`,
      '--token',
      'bench-gate-token',
      '--name',
      'Bench Gate',
      '--event',
      EVENT,
      '--listen',
      '127.0.0.1:0',
      '--log-level',
      'error',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /listening on (http:\S+)/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`gate exited ${code}`)));
  });
  return {
    child,
    url,
    call: async (method, input = {}) => {
      const response = await fetch(`${url}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      return (await response.json()) as { ok: boolean; value?: Record<string, unknown> };
    },
    stop: () => stopChild(child),
  };
}

interface Run {
  /** Tickets per second until the cursor (and so every ticket) was stored. */
  rate: number;
  /** … and until the secondary indexes were built too (first loads). */
  rateWithIndexes: number;
  latencies: number[];
  /** Bare node:http's round trips (relay-load.ts HELLO_WORLD_SOURCE), each asked right after a scan. */
  floorLatencies: number[];
}

/** POSTs a body to the floor server and returns the round trip (ms), its answer read whole. */
async function echo(url: string, body: unknown): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return performance.now() - started;
}

/** How many secondary indexes the tickets table has now (read beside the gate, read-only). */
function ticketIndexCount(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        "SELECT COUNT(*) AS count FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets' AND sql IS NOT NULL",
      )
      .get() as { count: number };
    return row.count;
  } finally {
    db.close();
  }
}

/**
 * Waits for the gate to store the snapshot the relay began (and, given its database, to build the
 * indexes a first load leaves out), scanning meanwhile if asked.
 */
async function storeSnapshot(
  gate: Gate,
  relay: Lines,
  total: number,
  isScanning: boolean,
  database: string | null = null,
  floorUrl: string | null = null,
): Promise<Run> {
  const began = await relay.next((line) => typeof line.connection === 'number');
  const cursor = Number(began.cursor);
  let isDone = false;
  let doneAt = 0;
  let indexedAt = 0;
  const latencies: number[] = [];
  const floorLatencies: number[] = [];
  const watch = async () => {
    while (!isDone) {
      const status = await gate.call('status');
      if (doneAt === 0 && status.ok && status.value?.cursor === cursor) {
        if (status.value.tickets !== total)
          throw new Error(`stored ${String(status.value.tickets)} of ${total}`);
        doneAt = Date.now();
      }
      if (doneAt > 0 && (database === null || ticketIndexCount(database) === 6)) {
        indexedAt = Date.now();
        isDone = true;
      } else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const scan = async () => {
    let count = 0;
    // Scans stop once every ticket is stored: a first load's indexes wait for a quiet door.
    while (isScanning && doneAt === 0) {
      const due = performance.now() + SCAN_EVERY_MS;
      const barcode = barcodeOf((count * 7_919) % total);
      count += 1;
      const started = performance.now();
      const answer = await gate.call('scan', { barcode });
      latencies.push(performance.now() - started);
      if (!answer.ok) throw new Error(`scan failed: ${JSON.stringify(answer)}`);
      if (floorUrl) floorLatencies.push(await echo(floorUrl, { barcode }));
      const rest = due - performance.now();
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  };
  await Promise.all([watch(), scan()]);
  const beganAt = Number(began.beganAt);
  return {
    rate: total / ((doneAt - beganAt) / 1000),
    rateWithIndexes: total / ((indexedAt - beganAt) / 1000),
    latencies: latencies.sort((a, b) => a - b),
    floorLatencies: floorLatencies.sort((a, b) => a - b),
  };
}

/** A new event selection resets the cursor: the gate asks for the whole list again. */
async function changeEvents(gate: Gate, events: string[]): Promise<void> {
  const answer = await gate.call('updateSettings', { changes: { events } });
  if (!answer.ok) throw new Error(`updateSettings failed: ${JSON.stringify(answer)}`);
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const total = options.isQuick ? 100_000 : 1_000_000;
  const label = `${(total / 1000).toLocaleString('en')}k tickets`;
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-bench-'));
  const children: (() => Promise<void>)[] = [];
  try {
    const floors = rawFloors(join(dir, 'raw.db'), total);
    const relayProcess = spawn(
      process.execPath,
      [join(ROOT, 'dist', 'bench', 'snapshot-relay.js'), String(total), EVENT],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(() => stopChild(relayProcess));
    const relay = lines(relayProcess);
    const port = Number((await relay.next((line) => typeof line.listening === 'number')).listening);
    // The round trip's floor: bare node:http answering at once, in a process of its own.
    const floorServer = await startServerProcess(process.execPath, ['-e', HELLO_WORLD_SOURCE]);
    children.push(() => floorServer.stop());
    const floorUrl = `${floorServer.url}/api/scan`;

    const gate = await startGate(join(dir, 'gate'), port);
    children.push(() => gate.stop());
    const firstLoad = await storeSnapshot(gate, relay, total, false, join(dir, 'gate', 'gate.db'));
    await changeEvents(gate, [EVENT, 'other']);
    const reload = await storeSnapshot(gate, relay, total, false);
    await changeEvents(gate, [EVENT]);
    const scanned = await storeSnapshot(gate, relay, total, true, null, floorUrl);
    // One gate per disk, as at a door: the first gate is stopped before the second starts, so its
    // checkpoint of the WAL it grew during the scans above (held off while they came in) does not
    // run on the same disk during the second gate's figures.
    await gate.stop();
    const second = await startGate(join(dir, 'second-gate'), port);
    children.push(() => second.stop());
    const firstScanned = await storeSnapshot(
      second,
      relay,
      total,
      true,
      join(dir, 'second-gate', 'gate.db'),
      floorUrl,
    );

    const latencyRows = (what: string, run: Run) => {
      const p99 = percentile(run.latencies, 0.99);
      const max = run.latencies.at(-1) ?? Number.NaN;
      return [
        row(
          `scan round trip p50 while ${what} (${label}, ${run.latencies.length} scans)`,
          percentile(run.latencies, 0.5),
          'ms',
          null,
          null,
          null,
        ),
        row(
          `scan round trip p99 while ${what} (${label}; floor: bare node:http, same client, same moment)`,
          p99,
          'ms',
          'p99 < 20 ms',
          percentile(run.floorLatencies, 0.99),
          p99 < 20,
        ),
        row(
          `scan round trip max while ${what} (${label})`,
          max,
          'ms',
          'max < 100 ms',
          run.floorLatencies.at(-1) ?? null,
          max < 100,
        ),
        row(`apply rate while scanning, ${what} (${label})`, run.rate, 'tickets/s', null, null, null),
      ];
    };
    return [
      row(
        `first snapshot into an empty database, indexes built after (${label}, gate process)`,
        firstLoad.rateWithIndexes,
        'tickets/s',
        '≥ 200k/s (floor: raw prototype)',
        floors.firstLoad,
        firstLoad.rateWithIndexes >= 200_000,
      ),
      row(
        `  of which tickets stored, cursor moved (${label})`,
        firstLoad.rate,
        'tickets/s',
        null,
        null,
        null,
      ),
      row(
        `snapshot apply rate, list already held, every ticket newer (${label}, gate process)`,
        reload.rate,
        'tickets/s',
        '≥ 40k/s',
        floors.update,
        reload.rate >= 40_000,
      ),
      ...latencyRows('storing a newer snapshot', scanned),
      ...latencyRows('storing a first snapshot', firstScanned),
    ];
  } finally {
    for (const stop of children.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
