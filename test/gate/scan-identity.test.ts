/**
 * The gate side of "the relay trusts the token, not the frame" (issue 10), with real relay and gate
 * processes: a gate whose name setting differs from its token's gate records and uploads its scans
 * under the name the relay authenticated (even scans made offline before it ever connected), and a
 * scan the relay refuses is kept, shown as refused and never retried.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addGateToken,
  makeTempDir,
  orderDelivery,
  postDelivery,
  startRelayProcess,
  waitFor,
  type RelayProcess,
} from '../relay/support.js';
import { startGateProcess, type GateProcess } from './support.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function relayScans(dbPath: string): { id: string; gate: string }[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare<[], { id: string; gate: string }>('SELECT id, gate FROM scans').all();
  } finally {
    db.close();
  }
}

async function started(promise: Promise<GateProcess>): Promise<GateProcess> {
  const gate = await promise;
  cleanups.push(() => gate.stop());
  return gate;
}

async function relayAt(dbPath: string, port = 0): Promise<RelayProcess> {
  const relay = await startRelayProcess({ dbPath, port });
  cleanups.push(() => relay.stop());
  return relay;
}

describe('gate scans carry the gate its token belongs to', () => {
  it('uploads scans under the authenticated name, even those made offline under its own name', async () => {
    const temp = makeTempDir();
    cleanups.push(() => temp.remove());
    const db = temp.file('relay.db');
    const relay = await relayAt(db);
    const token = await addGateToken(db, 'North Door');
    const data = temp.file('gate');
    const offline = await started(
      startGateProcess(['--data', data, '--listen', '127.0.0.1:0', '--name', 'Gate 1', '--event', '132218']),
    );
    const early = await offline.value('scan', { barcode: 'NOT-A-TICKET' });
    expect(await offline.stop()).toBe(0);

    const online = await started(
      startGateProcess(['--data', data, '--listen', '127.0.0.1:0', '--relay', relay.url], {
        env: { GATEHOUSE_TOKEN: token },
      }),
    );
    const synced = await waitFor(
      async () => {
        const status = await online.value('status');
        return status.connection === 'online' && status.pendingScans === 0 ? status : null;
      },
      { message: 'online with nothing left to upload' },
    );
    expect(synced.gate).toBe('North Door');
    expect(synced.refusedScans).toBe(0);
    const late = await online.value('scan', { barcode: 'ALSO-NOT-A-TICKET' });
    await waitFor(async () => (await online.value('status')).pendingScans === 0, { message: 'uploaded' });
    const stored = new Map(relayScans(db).map((scan) => [scan.id, scan.gate]));
    expect(stored.get(early.scanId)).toBe('North Door');
    expect(stored.get(late.scanId)).toBe('North Door');
    // The configured name is kept; staff see both to fix the mismatch.
    expect((await online.value('getSettings')).gateName).toBe('Gate 1');
    const activity = await online.value('activity', {});
    expect(activity.scans.map((scan) => scan.gate)).toEqual(['North Door', 'North Door']);
  });

  it('keeps a scan the relay refuses, shows it as refused and does not retry it', async () => {
    const temp = makeTempDir();
    cleanups.push(() => temp.remove());
    const db = temp.file('relay.db');
    const relay = await relayAt(db);
    await postDelivery(relay.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'NIGHT-1' }] }));
    const token = await addGateToken(db, 'Gate 1');
    const data = temp.file('gate');
    const gate = await started(
      startGateProcess(
        [
          '--data',
          data,
          '--listen',
          '127.0.0.1:0',
          '--name',
          'Gate 1',
          '--event',
          '132218',
          '--relay',
          relay.url,
        ],
        { env: { GATEHOUSE_TOKEN: token } },
      ),
    );
    await waitFor(async () => (await gate.value('status')).tickets === 1, { message: 'the ticket synced' });
    // The relay goes away; the gate admits the ticket offline, then staff switch it to another event.
    const port = relay.port;
    expect(await relay.stop()).toBe(0);
    await waitFor(async () => (await gate.value('status')).connection === 'offline', { message: 'offline' });
    const admitted = await gate.value('scan', { barcode: 'NIGHT-1' });
    expect(admitted.result).toBe('admit');
    await gate.value('updateSettings', { changes: { events: ['999'] } });
    await relayAt(db, port);
    // The relay refuses it (event outside the hello): kept locally, no longer pending, counted as refused.
    const refused = await waitFor(
      async () => {
        const status = await gate.value('status');
        return status.connection === 'online' && status.refusedScans === 1 ? status : null;
      },
      { message: 'the refusal shown', timeoutMs: 20_000 },
    );
    expect(refused.pendingScans).toBe(0);
    expect(relayScans(db).map((scan) => scan.id)).not.toContain(admitted.scanId);
    expect((await gate.value('activity', {})).scans.map((scan) => scan.id)).toContain(admitted.scanId);

    // Not retried after a restart either.
    expect(await gate.stop()).toBe(0);
    const again = await started(startGateProcess(['--data', data, '--listen', '127.0.0.1:0']));
    const after = await waitFor(
      async () => {
        const status = await again.value('status');
        return status.connection === 'online' ? status : null;
      },
      { message: 'online again' },
    );
    expect(after).toMatchObject({ pendingScans: 0, refusedScans: 1 });
  });
});
