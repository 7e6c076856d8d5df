/**
 * Relay benchmark (`npm run bench -- relay [--quick]`). The relay and the hello-world floor each run
 * as their own process; this process is the load generator and the gates (loopback only).
 *   1. durable ingest throughput of seed-shaped ORDER_SAVED deliveries (each a new order) at 64
 *      concurrent connections, against bare node:http answering the same requests: ratio ≥ 0.5;
 *      beside it the floor of issue 14 (bench/ingest-floor.ts: raw inserts grouped per event-loop
 *      turn in one synchronous=FULL commit), run the same way;
 *   2. ingest latency p50/p99 in that run;
 *   3. delivery → entries frame received at each of 100 connected gates, p50/p99 (goal p99 < 20 ms);
 *   4. relay RSS with 1,000 idle connected gates (goal < 256 MB).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../shared/protocol.js';
import { hashToken, openSqliteStore, generateGateToken } from '../relay/index.js';
import { measureRelayIndex } from './relay-index.js';
import type { BenchOptions, BenchRow } from './types.js';
import {
  HELLO_WORLD_SOURCE,
  percentile,
  postRequest,
  residentMegabytes,
  runLoad,
  startServerProcess,
  type LoadResult,
  type ServerProcess,
} from './relay-load.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SECRET = 'bench-secret';
export const EVENT_ID = 132218;
const CONNECTIONS = 64;

/** The seed's ORDER_SAVED example with a fresh order id, barcode and transaction id. */
export function seedBody(orderId: number): string {
  return JSON.stringify({
    eventType: 'order-saved-prepare-full-message',
    contextId: orderId,
    data: {
      id: orderId,
      createdDate: '2021-11-02T07:47:57.000Z',
      channel: 'ONLINE',
      refCode: '',
      offerCode: '',
      customer: {
        id: 6702175,
        email: 'test@moshtix.com',
        firstName: 'Fred',
        lastName: 'Durst',
        telephone: '0433567777',
      },
      event: {
        id: EVENT_ID,
        name: 'Test API Event',
        startDate: '2023-12-31T22:30:00.000Z',
        endDate: '2023-12-31T23:30:00.000Z',
        client: null,
        tags: { items: [] },
      },
      tickets: {
        items: [
          {
            id: orderId,
            firstName: null,
            lastName: null,
            valid: true,
            barcode: `BENCH${orderId.toString(16).toUpperCase().padStart(27, '0')}`,
            unitCost: 0,
            bookingFee: 0,
            totalCost: 0,
            discount: 0,
            ticketType: { id: 360875, name: 'free', tags: { items: [] } },
          },
        ],
      },
      transactions: {
        items: [
          {
            id: orderId,
            type: 'PURCHASE',
            status: 'SUCCESS',
            ipAddress: '2001:8004:1140:7f9e:64bc:1ec4:94a7:de87',
          },
        ],
      },
    },
  });
}

export function startRelay(dbPath: string): Promise<ServerProcess> {
  return startServerProcess(
    process.execPath,
    [join(ROOT, 'bin', 'gatehouse'), 'relay', 'serve', '--db', dbPath, '--port', '0', '--log-level', 'error'],
    { GATEHOUSE_WEBHOOK_SECRET: SECRET },
  );
}

async function addGates(dbPath: string, count: number): Promise<string[]> {
  const store = openSqliteStore(dbPath);
  const tokens = Array.from({ length: count }, () => generateGateToken());
  await Promise.all(
    tokens.map((token, index) => store.addGate(`bench-${Date.now()}-${index}`, hashToken(token))),
  );
  await store.close();
  return tokens;
}

/** Connects a gate, says hello with cursor 0 and resolves once its snapshot has ended. */
export function connectGate(
  url: string,
  token: string,
  onEntries?: (text: string) => void,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/gate`, {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    socket.once('error', reject);
    socket.once('open', () =>
      socket.send(
        JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, cursor: 0, events: [String(EVENT_ID)] }),
      ),
    );
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (text.startsWith('{"type":"snapshot-end"')) resolve(socket);
      else if (text.startsWith('{"type":"ping"')) socket.send(text.replace('"ping"', '"pong"'));
      else if (onEntries && text.startsWith('{"type":"entries"')) onEntries(text);
    });
  });
}

/**
 * Delivery → entries frame: one gate per token, connected round-robin to `gateUrls`; `deliveries`
 * seed webhooks posted one at a time to `postUrl` (after 10 not counted), each timed from its post to
 * its frame at every gate. Latencies in ms, sorted.
 */
export async function deliveryToFrames(
  postUrl: string,
  gateUrls: readonly string[],
  tokens: readonly string[],
  deliveries: number,
): Promise<number[]> {
  const latencies: number[] = [];
  let pending: { barcode: string; sentAt: bigint; remaining: number; done: () => void } | null = null;
  const onEntries = (text: string) => {
    const current = pending;
    if (!current || !text.includes(current.barcode)) return;
    latencies.push(Number(process.hrtime.bigint() - current.sentAt) / 1e6);
    current.remaining -= 1;
    if (current.remaining === 0) current.done();
  };
  const gates = await Promise.all(
    tokens.map((token, index) => connectGate(gateUrls[index % gateUrls.length] ?? '', token, onEntries)),
  );
  for (let index = 0; index < deliveries + 10; index += 1) {
    const body = seedBody(900_000 + index);
    const barcode = /"barcode":"([^"]+)"/.exec(body)?.[1] ?? '';
    const before = latencies.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`delivery ${index} did not reach every gate`)), 10_000);
      pending = {
        barcode,
        sentAt: process.hrtime.bigint(),
        remaining: gates.length,
        done: () => (clearTimeout(timer), resolve()),
      };
      fetch(`${postUrl}/webhooks/moshtix`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gatehouse-secret': SECRET },
        body,
      }).then((response) => response.arrayBuffer(), reject);
    });
    // The first ten warm the path up.
    if (index < 10) latencies.length = before;
  }
  for (const gate of gates) gate.terminate();
  return latencies.sort((a, b) => a - b);
}

/** Seed-shaped ORDER_SAVED webhook requests with the bench secret, each a new order. */
export function newOrderRequests(): () => Buffer {
  let orderId = 1;
  return () => postRequest('/webhooks/moshtix', seedBody(orderId++), { 'X-Gatehouse-Secret': SECRET });
}

/**
 * A one-second warm-up (at most `warmup` requests), then the measured run, against every port at
 * once: connections and request totals are shared out evenly, and the runs are added up (rates summed,
 * latencies merged).
 */
export async function warmThenLoad(
  ports: readonly number[],
  connections: number,
  seconds: number,
  total: number,
  warmup: number,
  requestAt: () => Buffer,
): Promise<LoadResult> {
  const each = connections / ports.length;
  await Promise.all(ports.map((port) => runLoad(port, each, 1, warmup / ports.length, requestAt)));
  const runs = await Promise.all(
    ports.map((port) => runLoad(port, each, seconds, total / ports.length, requestAt)),
  );
  return {
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    seconds: Math.max(...runs.map((run) => run.seconds)),
    perSecond: runs.reduce((sum, run) => sum + run.perSecond, 0),
    latenciesMs: runs.flatMap((run) => run.latenciesMs).sort((a, b) => a - b),
    badStatuses: runs.reduce((sum, run) => sum + run.badStatuses, 0),
  };
}

async function throughput(isQuick: boolean, dir: string): Promise<BenchRow[]> {
  const seconds = isQuick ? 3 : 8;
  const total = isQuick ? 60_000 : 200_000;
  const headers = { 'X-Gatehouse-Secret': SECRET };
  const hello = await startServerProcess(process.execPath, ['-e', HELLO_WORLD_SOURCE]);
  const helloPort = Number(new URL(hello.url).port);
  const sample = postRequest('/webhooks/moshtix', seedBody(1), headers);
  const floor = await warmThenLoad([helloPort], CONNECTIONS, seconds, total, 5_000, () => sample);
  await hello.stop();

  // Issue 14's prototype: what durable ingest can reach here (raw inserts grouped per turn).
  const prototype = await startServerProcess(process.execPath, [
    join(ROOT, 'dist', 'bench', 'ingest-floor.js'),
    join(dir, 'floor.db'),
  ]);
  const prototypePort = Number(new URL(prototype.url).port);
  const grouped = await warmThenLoad([prototypePort], CONNECTIONS, seconds, total, 5_000, newOrderRequests());
  await prototype.stop();

  const relay = await startRelay(join(dir, 'ingest.db'));
  const port = Number(new URL(relay.url).port);
  const ingest = await warmThenLoad([port], CONNECTIONS, seconds, total, 5_000, newOrderRequests());
  // Acknowledged means durable; applying may lag in a burst. How far, and how long it takes to catch up:
  const drainStarted = performance.now();
  let backlog: number | null = null;
  for (;;) {
    const health = (await (await fetch(`${relay.url}/healthz`)).json()) as { pendingDeliveries: number };
    backlog ??= health.pendingDeliveries;
    if (health.pendingDeliveries === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  await relay.stop();
  if (ingest.badStatuses > 0) throw new Error(`${ingest.badStatuses} deliveries were not accepted`);
  const ratio = ingest.perSecond / floor.perSecond;
  return [
    {
      bench: 'relay',
      figure: `durable ingest (SQLite), ${CONNECTIONS} connections`,
      measured: ingest.perSecond,
      unit: 'req/s',
      goal: '≥ 0.5 × node:http hello world',
      floor: floor.perSecond,
      ratio,
      pass: ratio >= 0.5,
    },
    {
      bench: 'relay',
      figure: `accepted, not yet applied when the ingest run ended (applied ${drainSeconds.toFixed(1)} s later)`,
      measured: backlog ?? 0,
      unit: 'deliveries',
      goal: null,
      floor: null,
      ratio: null,
      pass: null,
    },
    {
      bench: 'relay',
      figure: 'ingest floor: node:http + raw inserts per turn, one synchronous=FULL commit',
      measured: grouped.perSecond,
      unit: 'req/s',
      goal: null,
      floor: floor.perSecond,
      ratio: grouped.perSecond / floor.perSecond,
      pass: null,
    },
    {
      bench: 'relay',
      figure: 'node:http hello world (same requests)',
      measured: floor.perSecond,
      unit: 'req/s',
      goal: null,
      floor: null,
      ratio: null,
      pass: null,
    },
    {
      bench: 'relay',
      figure: `ingest latency p50 (${CONNECTIONS} conns)`,
      measured: percentile(ingest.latenciesMs, 0.5),
      unit: 'ms',
      goal: null,
      floor: percentile(floor.latenciesMs, 0.5),
      ratio: null,
      pass: null,
    },
    {
      bench: 'relay',
      figure: `ingest latency p99 (${CONNECTIONS} conns)`,
      measured: percentile(ingest.latenciesMs, 0.99),
      unit: 'ms',
      goal: null,
      floor: percentile(floor.latenciesMs, 0.99),
      ratio: null,
      pass: null,
    },
  ];
}

async function fanOut(isQuick: boolean, dir: string): Promise<BenchRow[]> {
  const dbPath = join(dir, 'fanout.db');
  const relay = await startRelay(dbPath);
  const tokens = await addGates(dbPath, 100);
  const latencies = await deliveryToFrames(relay.url, [relay.url], tokens, isQuick ? 50 : 300);
  await relay.stop();
  const p99 = percentile(latencies, 0.99);
  return [
    {
      bench: 'relay',
      figure: 'delivery → frame at 100 gates p50',
      measured: percentile(latencies, 0.5),
      unit: 'ms',
      goal: null,
      floor: null,
      ratio: null,
      pass: null,
    },
    {
      bench: 'relay',
      figure: 'delivery → frame at 100 gates p99',
      measured: p99,
      unit: 'ms',
      goal: 'p99 < 20 ms',
      floor: null,
      ratio: null,
      pass: p99 < 20,
    },
  ];
}

async function idleGates(isQuick: boolean, dir: string): Promise<BenchRow[]> {
  const dbPath = join(dir, 'idle.db');
  const relay = await startRelay(dbPath);
  const count = 1000;
  const tokens = await addGates(dbPath, count);
  const before = residentMegabytes(relay.pid, (path) => readFileSync(path, 'utf8'));
  const gates: WebSocket[] = [];
  // Connect in waves so the accept queue never overflows.
  for (let start = 0; start < count; start += 100) {
    gates.push(
      ...(await Promise.all(tokens.slice(start, start + 100).map((token) => connectGate(relay.url, token)))),
    );
  }
  const rss = residentMegabytes(relay.pid, (path) => readFileSync(path, 'utf8'));
  for (const gate of gates) gate.terminate();
  await relay.stop();
  return [
    {
      bench: 'relay',
      figure: `relay RSS, ${count} idle gates${isQuick ? '' : ''}`,
      measured: rss,
      unit: 'MB',
      goal: '< 256 MB',
      floor: before,
      ratio: null,
      pass: rss < 256,
    },
  ];
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-relay-'));
  try {
    return [
      ...(await throughput(options.isQuick, dir)),
      ...(await fanOut(options.isQuick, dir)),
      ...(await idleGates(options.isQuick, dir)),
      ...(await measureRelayIndex(dir)),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
