/**
 * kill -9 of a real gate process: in the middle of a 50,000-ticket snapshot, and right after an
 * admission made while the relay was down. On restart the database is intact, the snapshot starts
 * over and completes, and the admission is kept and uploaded (a second gate sees it).
 */
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { GateEvent } from '../../shared/gate-api.js';
import {
  addGateToken,
  createRelayDatabase,
  makeTempDir,
  runGatehouse,
  startRelayProcess,
  waitFor,
  type RelayProcess,
} from '../relay/support.js';
import { gateArgs, startGateProcess, ticketOf, type GateProcess } from './support.js';

const TICKETS = 50_000;
const EVENT = '132218';
const dir = makeTempDir();
const started: { stop(): Promise<unknown> }[] = [];

afterAll(async () => {
  for (const process of started.reverse()) await process.stop();
  dir.remove();
});

function readGateDb(dataDir: string): {
  integrity: unknown;
  cursor: number;
  tickets: number;
  scans: { id: string; is_uploaded: number }[];
} {
  const db = new Database(join(dataDir, 'gate.db'));
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      cursor: (db.prepare('SELECT cursor FROM sync_state').get() as { cursor: number }).cursor,
      tickets: (db.prepare('SELECT COUNT(*) AS count FROM tickets').get() as { count: number }).count,
      scans: db.prepare('SELECT id, is_uploaded FROM scans').all() as { id: string; is_uploaded: number }[],
    };
  } finally {
    db.close();
  }
}

describe('a gate killed with SIGKILL', () => {
  let relay: RelayProcess;
  const relayDb = dir.file('relay.db');
  const gateDir = dir.file('gate');
  let token = '';

  it('restarts an interrupted snapshot cleanly', { timeout: 180_000 }, async () => {
    const rows = ['barcode,order id,first name,last name,email'];
    for (let index = 0; index < TICKETS; index += 1)
      rows.push(
        `CRASH-${String(index).padStart(6, '0')},ORD${index >> 2},Fan,Number${index},fan${index}@example.com`,
      );
    writeFileSync(dir.file('tickets.csv'), rows.join('\n'));
    await createRelayDatabase(relayDb);
    const imported = await runGatehouse([
      'relay',
      'import-csv',
      '--db',
      relayDb,
      '--event',
      EVENT,
      dir.file('tickets.csv'),
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    token = await addGateToken(relayDb, 'Crashy');
    relay = await startRelayProcess({ dbPath: relayDb });
    started.push(relay);

    // Start offline, listen to its events, then point it at the relay: the snapshot cannot be missed.
    const gate = await startGateProcess([
      '--data',
      gateDir,
      '--listen',
      '127.0.0.1:0',
      '--name',
      'Crashy',
      '--event',
      EVENT,
    ]);
    const socket = new WebSocket(`${gate.url.replace('http', 'ws')}/api/events`);
    await new Promise((resolve) => socket.once('open', resolve));
    const killed = new Promise<number>((resolve) => {
      socket.on('message', (data: Buffer) => {
        const event = JSON.parse(data.toString()) as GateEvent;
        if (event.type === 'status' && event.status.snapshot && event.status.snapshot.received >= 5_000) {
          socket.removeAllListeners('message');
          void gate.kill().then(() => resolve(event.status.snapshot?.received ?? 0));
        }
      });
    });
    await gate.value('updateSettings', { changes: { relayUrl: relay.url, token } });
    const receivedAtKill = await killed;
    socket.terminate();

    const afterKill = readGateDb(gateDir);
    expect(afterKill.integrity).toBe('ok');
    expect(afterKill.cursor).toBe(0);
    expect(afterKill.tickets).toBeGreaterThanOrEqual(receivedAtKill);
    expect(afterKill.tickets).toBeLessThan(TICKETS);

    const restarted = await startGateProcess(['--data', gateDir, '--listen', '127.0.0.1:0']);
    started.push(restarted);
    const status = await waitFor(
      async () => {
        const current = await restarted.value('status');
        return current.snapshot === null && current.cursor > 0 && current.tickets === TICKETS
          ? current
          : null;
      },
      { timeoutMs: 120_000, message: 'the snapshot to complete after restart' },
    );
    expect(status.lag).toBe(0);
    expect(await restarted.value('scan', { barcode: 'CRASH-049999' })).toMatchObject({ result: 'admit' });
    await restarted.stop();
  });

  it('keeps and uploads an admission made just before the kill', { timeout: 120_000 }, async () => {
    const port = relay.port;
    await relay.stop();
    const gate = await startGateProcess(['--data', gateDir, '--listen', '127.0.0.1:0']);
    await waitFor(async () => (await gate.value('status')).connection !== 'online', {
      message: 'gate offline',
    });
    const admitted = await gate.value('scan', { barcode: 'CRASH-000001' });
    expect(admitted.result).toBe('admit');
    await gate.kill();
    expect(readGateDb(gateDir).scans).toContainEqual({ id: admitted.scanId, is_uploaded: 0 });

    relay = await startRelayProcess({ dbPath: relayDb, port });
    started.push(relay);
    const restarted = await startGateProcess(['--data', gateDir, '--listen', '127.0.0.1:0']);
    started.push(restarted);
    await waitFor(
      async () => {
        const status = await restarted.value('status');
        return status.connection === 'online' && status.pendingScans === 0;
      },
      { timeoutMs: 20_000, message: 'the admission uploaded' },
    );
    expect(await restarted.value('scan', { barcode: 'CRASH-000001' })).toMatchObject({
      result: 'deny',
      reason: 'already_admitted',
      previous: { gate: 'Crashy' },
    });

    const witness: GateProcess = await startGateProcess(
      gateArgs(dir.file('witness'), relay.url, {
        name: 'Witness',
        token: await addGateToken(relayDb, 'Witness'),
        events: [EVENT],
      }),
    );
    started.push(witness);
    await waitFor(
      async () =>
        (await ticketOf(witness, 'CRASH-000001'))?.history.some((scan) => scan.id === admitted.scanId),
      { timeoutMs: 30_000, message: 'the admission at another gate' },
    );
  });
});
