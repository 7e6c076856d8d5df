/**
 * Snapshots without stalls (`npm run bench -- relay-snapshots [--quick]`): an event of 35,000
 * tickets; 30 gates ask for its snapshot at once (in a worker thread of this process, so their
 * reading never delays the posters) while 8 connections post webhooks back to back. The figure is
 * the webhook answer p99 while the snapshots are in flight (goal < 50 ms), beside the p99 of the same
 * posters with no snapshot in flight (floor column).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { generateGateToken, hashToken, openSqliteStore } from '../relay/index.js';
import { EVENT_ID, SECRET, seedBody, startRelay } from './relay.js';
import { percentile, postRequest, runLoad } from './relay-load.js';
import { benchRow, type BenchOptions, type BenchRow } from './types.js';

const TICKETS = 35_000;
const GATES = 30;
const POSTERS = 8;

async function seed(dbPath: string): Promise<string[]> {
  const store = openSqliteStore(dbPath);
  const rows = Array.from({ length: TICKETS }, (_, index) => ({
    barcode: `SNAP${index.toString(16).toUpperCase().padStart(28, '0')}`,
    valid: true,
    orderId: String(500_000 + index),
    ticketId: String(700_000 + index),
    ticketTypeId: '360875',
    ticketTypeName: 'General admission',
    holderName: 'Fred Durst',
    email: 'test@moshtix.com',
  }));
  await store.importTickets(String(EVENT_ID), 'bench.csv', rows);
  const tokens = Array.from({ length: GATES }, () => generateGateToken());
  await Promise.all(tokens.map((token, index) => store.addGate(`snapshot-${index}`, hashToken(token))));
  await store.close();
  return tokens;
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-snapshots-'));
  const dbPath = join(dir, 'relay.db');
  const rounds = options.isQuick ? 1 : 3;
  try {
    const tokens = await seed(dbPath);
    const relay = await startRelay(dbPath);
    const port = Number(new URL(relay.url).port);
    const gates = new Worker(new URL('./snapshot-gates.js', import.meta.url), {
      workerData: { url: relay.url, tokens, eventId: String(EVENT_ID) },
    });
    let orderId = 2_000_000;
    const headers = { 'X-Gatehouse-Secret': SECRET };
    const nextRequest = () => postRequest('/webhooks/moshtix', seedBody(orderId++), headers);
    try {
      // Warm-up first: the relay's worker threads load their modules on the first writes.
      await runLoad(port, POSTERS, 1, 500, nextRequest);
      const quiet = await runLoad(port, POSTERS, options.isQuick ? 2 : 4, 1e9, nextRequest);
      const during: number[] = [];
      let snapshotMs = 0;
      for (let round = 0; round < rounds; round += 1) {
        let isDone = false;
        const roundDone = new Promise<number>((resolve, reject) => {
          gates.once(
            'message',
            (message: { type: 'done'; ms: number } | { type: 'failed'; error: string }) => {
              isDone = true;
              if (message.type === 'done') resolve(message.ms);
              else reject(new Error(`snapshot gates failed: ${message.error}`));
            },
          );
        });
        gates.postMessage({ type: 'round' });
        const load = await runLoad(port, POSTERS, 120, 1e9, nextRequest, () => isDone);
        snapshotMs = Math.max(snapshotMs, await roundDone);
        if (load.badStatuses > 0) throw new Error(`${load.badStatuses} deliveries were not accepted`);
        for (const latency of load.latenciesMs) during.push(latency);
      }
      during.sort((a, b) => a - b);
      const p99 = percentile(during, 0.99);
      const row = (figure: string, measured: number, unit: string, extra: Partial<BenchRow> = {}) =>
        benchRow('relay', figure, measured, unit, extra);
      return [
        row(
          `webhook answer p99, ${GATES} snapshots of ${TICKETS.toLocaleString('en')} tickets in flight`,
          p99,
          'ms',
          {
            goal: 'p99 < 50 ms',
            floor: percentile(quiet.latenciesMs, 0.99),
            pass: p99 < 50,
          },
        ),
        row('webhook answer max, snapshots in flight', during[during.length - 1] ?? Number.NaN, 'ms', {
          floor: quiet.latenciesMs[quiet.latenciesMs.length - 1] ?? null,
        }),
        row(`${GATES} concurrent snapshots complete (slowest round of ${rounds})`, snapshotMs, 'ms'),
      ];
    } finally {
      gates.postMessage({ type: 'stop' });
      await relay.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
