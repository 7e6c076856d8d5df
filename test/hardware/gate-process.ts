/**
 * A real headless gate (`node bin/gatehouse gate …`) as a child process, fed by a real relay that
 * received a real webhook: the shortest path to an admitted ticket whose scan opens a turnstile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  addGateToken,
  GATEHOUSE_BIN,
  orderDelivery,
  postDelivery,
  REPO_ROOT,
  startRelayProcess,
  type RelayProcess,
} from '../relay/support.js';
import { waitFor } from './support.js';

export interface GateProcess {
  url: string;
  child: ChildProcess;
  call(
    method: string,
    input: object,
  ): Promise<{ ok: boolean; value?: Record<string, unknown>; error?: unknown }>;
  stop(): Promise<void>;
}

export function startGateProcess(args: readonly string[]): Promise<GateProcess> {
  const child = spawn(process.execPath, [GATEHOUSE_BIN, 'gate', '--log-level', 'warn', ...args], {
    cwd: REPO_ROOT,
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (!match) return;
      const url = match[1] ?? '';
      resolve({
        url,
        child,
        async call(method, input) {
          const response = await fetch(`${url}/api/${method}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(input),
          });
          return (await response.json()) as { ok: boolean; value?: Record<string, unknown> };
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    void exited.then(() =>
      reject(new Error(`gate exited (${child.exitCode}) before listening:\n${stdout}\n${stderr}`)),
    );
  });
}

export const EVENT_ID = 132218;

/** A relay holding one order with the given barcodes, and a token for one gate. */
export async function relayWithTickets(
  dir: string,
  barcodes: string[],
): Promise<{ relay: RelayProcess; token: string }> {
  const dbPath = join(dir, 'relay.db');
  const token = await addGateToken(dbPath, 'Door 1');
  const relay = await startRelayProcess({ dbPath });
  const delivery = await postDelivery(
    relay.url,
    orderDelivery({ orderId: 9001, eventId: EVENT_ID, tickets: barcodes.map((barcode) => ({ barcode })) }),
  );
  if (delivery.status >= 300) throw new Error(`delivery refused: ${delivery.status} ${delivery.text}`);
  return { relay, token };
}

/** Waits until the gate holds `count` tickets (it synced from the relay). */
export async function waitForTickets(gate: GateProcess, count: number): Promise<void> {
  await waitFor(
    async () => {
      const status = await gate.call('status', {});
      return status.ok && Number(status.value?.tickets) >= count;
    },
    `gate to hold ${count} tickets`,
    20_000,
  );
}
