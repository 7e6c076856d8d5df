/**
 * Gate benchmark (`npm run bench -- gate [--quick]`), each figure against raw better-sqlite3 on the
 * same machine in the same run:
 *   1. store-level bulk apply: applySnapshotChunks (version check + upsert; 1,000-ticket chunks) in
 *      25,000-ticket transactions, vs a raw bulk INSERT of the same rows, same transaction size, same
 *      schema. The gate itself stores snapshots in short slices between scans: its rates, and how
 *      long scans wait meanwhile, are in bench/snapshot.ts;
 *   2. scan decision including its durable record (synchronous=FULL commit), through the API handler,
 *      p50/p99 vs a raw lookup + durable insert;
 *   3. engine cold start to ready on the full database (a fresh process);
 *   4. resident memory of that process after the cold start and a burst of scans.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applySnapshotChunks, finishSnapshot } from '../electron/gate/apply.js';
const SNAPSHOT_BATCH_TICKETS = 25_000;
import { startGate } from '../electron/gate/index.js';
import { GateStore } from '../electron/gate/store/index.js';
import { MIGRATIONS } from '../electron/gate/store/migrations.js';
import { setLogLevel } from '../shared/logger.js';
import type { TicketState } from '../shared/tickets.js';
import { measureIndexSize } from './other-events-index.js';
import type { BenchOptions, BenchRow } from './types.js';

const EVENT = '132218';
/** Tickets per transaction, for the engine and the raw floor alike. */
const BATCH = SNAPSHOT_BATCH_TICKETS;
/** Tickets per snapshot frame from the relay. */
const FRAME = 1_000;

/** Deterministic 32-hex-digit barcodes spread like real ones (random order in the index). */
function barcodeOf(index: number): string {
  let x = (index + 1) * 0x9e3779b1;
  let text = '';
  for (let part = 0; part < 4; part += 1) {
    x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) ^ index;
    text += (x >>> 0).toString(16).padStart(8, '0');
  }
  return text.toUpperCase();
}

function ticketChunk(from: number, count: number): TicketState[] {
  return Array.from({ length: count }, (_, offset) => {
    const index = from + offset;
    return {
      barcode: barcodeOf(index),
      ticketId: String(index),
      orderId: String(100_000 + (index >> 1)),
      eventId: EVENT,
      ticketTypeId: '360875',
      ticketTypeName: 'General',
      holderName: `Holder ${index}`,
      customerName: `Customer ${index >> 1}`,
      email: `fan${index >> 1}@example.com`,
      valid: true,
      cause: 'sold',
      changedAt: '2026-11-27T08:00:00.000Z',
      version: { source: 'webhook', txId: index, seq: index + 1 },
    };
  });
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

function row(
  figure: string,
  measured: number,
  unit: string,
  goal: string | null,
  floor: number | null,
  ratio: number | null,
  pass: boolean | null,
): BenchRow {
  return { bench: 'gate', figure, measured, unit, goal, floor, ratio, pass };
}

interface Spent {
  /** Wall-clock seconds. */
  wall: number;
  /** CPU seconds of this process (user + system): what the code costs, whatever else runs here. */
  cpu: number;
}

/** Time spent inside `apply` for every chunk; generating the tickets is not timed. */
function timeChunks(total: number, apply: (tickets: TicketState[]) => void): Spent {
  const spent: Spent = { wall: 0, cpu: 0 };
  for (let from = 0; from < total; from += BATCH) {
    const tickets = ticketChunk(from, Math.min(BATCH, total - from));
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    apply(tickets);
    spent.wall += Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    spent.cpu += (used.user + used.system) / 1e6;
  }
  return spent;
}

function rawDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(MIGRATIONS[0] ?? '');
  return db;
}

/** Same durability as the engine's snapshot chunks (replayable data: synchronous=NORMAL). */
function rawBulkInsert(db: Database.Database, total: number): Spent {
  db.pragma('synchronous = NORMAL');
  const insert =
    db.prepare(`INSERT INTO tickets VALUES (@barcode, @ticketId, @orderId, @eventId, @ticketTypeId, @ticketTypeName,
    @holderName, @customerName, @email, @valid, @cause, @changedAt, @source, @txId, @seq)`);
  const many = db.transaction((tickets: TicketState[]) => {
    for (const ticket of tickets) insert.run({ ...ticket, valid: ticket.valid ? 1 : 0, ...ticket.version });
  });
  return timeChunks(total, (tickets) => many(tickets));
}

/** Same durability as the engine's decisions (synchronous=FULL). */
function rawScanLatencies(db: Database.Database, total: number, samples: number): number[] {
  db.pragma('synchronous = FULL');
  const lookup = db.prepare('SELECT * FROM tickets WHERE barcode = ?');
  const insert =
    db.prepare(`INSERT INTO scans (id, barcode, event_id, gate, at, direction, result, reason, kind, note, annuls, is_local, is_uploaded, relay_seq)
    VALUES (?, ?, ?, 'Raw', ?, 'in', 'admit', 'admitted', 'scan', NULL, NULL, 1, 0, NULL)`);
  const latencies: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const barcode = barcodeOf((sample * 7_919) % total);
    const started = process.hrtime.bigint();
    const ticket = lookup.get(barcode) as { event_id: string } | undefined;
    insert.run(randomUUID(), barcode, ticket?.event_id ?? null, new Date().toISOString());
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return latencies.sort((a, b) => a - b);
}

/** Child mode: cold start on a prepared data dir, a burst of scans, then report timings and RSS. */
async function child(dataDir: string, total: number, samples: number): Promise<void> {
  setLogLevel('error');
  const started = process.hrtime.bigint();
  const gate = await startGate({ dataDir });
  const coldStartMs = Number(process.hrtime.bigint() - started) / 1e6;
  const latencies: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const barcode = barcodeOf((sample * 7_919) % total);
    const began = process.hrtime.bigint();
    const result = await gate.handlers.scan({ barcode });
    latencies.push(Number(process.hrtime.bigint() - began) / 1e6);
    if (!result.ok || result.value.reason !== 'admitted')
      throw new Error(`unexpected decision ${JSON.stringify(result)}`);
  }
  const rss = process.memoryUsage().rss / (1024 * 1024);
  await gate.stop();
  process.stdout.write(`${JSON.stringify({ coldStartMs, rss, latencies })}\n`);
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const total = options.isQuick ? 100_000 : 1_000_000;
  const samples = options.isQuick ? 500 : 2_000;
  const dir = mkdtempSync(join(tmpdir(), 'gate-bench-'));
  try {
    setLogLevel('error');
    const store = new GateStore(join(dir, 'gate.db'));
    const now = new Date().toISOString();
    const engineSpent = timeChunks(total, (tickets) => {
      const frames = [];
      for (let from = 0; from < tickets.length; from += FRAME) {
        frames.push({ events: [], tickets: tickets.slice(from, from + FRAME), scans: [] });
      }
      applySnapshotChunks(store, 'Bench', frames, now);
    });
    finishSnapshot(store, total, now);
    store.close();
    const engine = await startGate({ dataDir: dir, settings: { gateName: 'Bench', events: [EVENT] } });
    await engine.stop();

    const raw = rawDatabase(join(dir, 'raw.db'));
    const rawSpent = rawBulkInsert(raw, total);
    const rawLatencies = rawScanLatencies(raw, total, samples);
    raw.close();

    const measured = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', dir, String(total), String(samples)],
      { encoding: 'utf8' },
    );
    if (measured.status !== 0) throw new Error(`gate bench child failed: ${measured.stderr}`);
    const result = JSON.parse(measured.stdout.trim().split('\n').pop() ?? '{}') as {
      coldStartMs: number;
      rss: number;
      latencies: number[];
    };
    const latencies = result.latencies.sort((a, b) => a - b);

    const engineRate = total / engineSpent.wall;
    const rawRate = total / rawSpent.wall;
    const engineCpuRate = total / engineSpent.cpu;
    const rawCpuRate = total / rawSpent.cpu;
    const p50 = percentile(latencies, 0.5);
    const p99 = percentile(latencies, 0.99);
    const rawP50 = percentile(rawLatencies, 0.5);
    const rawP99 = percentile(rawLatencies, 0.99);
    const label = `${(total / 1000).toLocaleString('en')}k tickets`;
    return [
      row(`scan decision + durable record p50 (${label})`, p50, 'ms', null, rawP50, p50 / rawP50, null),
      row(
        `scan decision + durable record p99 (${label})`,
        p99,
        'ms',
        'p99 < 2 ms and ≤ 2× raw',
        rawP99,
        p99 / rawP99,
        p99 < 2 && p99 <= 2 * rawP99,
      ),
      row(
        `store-level bulk apply, 25k-ticket transactions (${label})`,
        engineRate,
        'tickets/s',
        '≥ 0.5× raw',
        rawRate,
        engineRate / rawRate,
        engineRate >= 0.5 * rawRate,
      ),
      row(
        `store-level bulk apply per CPU-second (${label})`,
        engineCpuRate,
        'tickets/s',
        null,
        rawCpuRate,
        engineCpuRate / rawCpuRate,
        null,
      ),
      row(
        `engine cold start to ready (${label})`,
        result.coldStartMs,
        'ms',
        '< 1 s',
        null,
        null,
        result.coldStartMs < 1_000,
      ),
      row(
        `engine RSS after start + ${samples} scans`,
        result.rss,
        'MB',
        '< 200 MB',
        null,
        null,
        result.rss < 200,
      ),
      measureIndexSize(dir),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child' && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dataDir = '', total = '0', samples = '0'] = process.argv.slice(3);
  child(dataDir, Number(total), Number(samples)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
