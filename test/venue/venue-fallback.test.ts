/**
 * A door given both URLs (issue 15): the venue relay first, the internet relay second, one token
 * registered on both databases under one name. Real processes: internet relay, venue relay chained to
 * it, and the gate. When the venue box dies the door falls back to the internet relay directly and
 * keeps hearing of sales; the two relays keep different logs (different index keys), so the door
 * starts over from a snapshot there instead of reading the internet relay's log from the venue
 * relay's cursor.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateArgs, startGateProcess, ticketOf, type GateProcess } from '../gate/support.js';
import {
  addGateToken,
  createRelayDatabase,
  makeTempDir,
  orderDelivery,
  postDelivery,
  runGatehouse,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import { addVenueToken, startVenueRelay } from './support.js';

let dir: TempDir;
let internet: RelayProcess;
let venue: RelayProcess;
let door: GateProcess;

async function sell(orderId: number, barcode: string): Promise<void> {
  const result = await postDelivery(internet.url, orderDelivery({ orderId, tickets: [{ barcode }] }));
  expect(result.status, result.text).toBeLessThan(300);
}

const known = (barcode: string) =>
  waitFor(async () => (await ticketOf(door, barcode))?.valid === true, { message: `${barcode} at the door` });

/** Whether the relay holds the door's session (its /metrics lists the gate). */
const holdsDoor = async (relay: RelayProcess) =>
  (await (await fetch(`${relay.url}/metrics`)).text()).includes('gate="Corner Door 1"');

beforeAll(async () => {
  dir = makeTempDir('gatehouse-venue-fallback-');
  const internetDb = dir.file('internet.db');
  const venueDb = dir.file('venue.db');
  const venueToken = await addVenueToken(internetDb, 'Corner Hotel');
  const token = await addGateToken(internetDb, 'Corner Door 1');
  await createRelayDatabase(venueDb);
  writeFileSync(dir.file('door-token'), `${token}\n`, { mode: 0o600 });
  const added = await runGatehouse([
    'relay',
    'add-gate',
    'Corner Door 1',
    '--token-file',
    dir.file('door-token'),
    '--db',
    venueDb,
  ]);
  if (added.code !== 0) throw new Error(added.stderr);
  internet = await startRelayProcess({ dbPath: internetDb });
  venue = await startVenueRelay({ dbPath: venueDb, upstreamUrl: internet.url, token: venueToken });
  door = await startGateProcess(
    gateArgs(dir.file('door'), venue.url, {
      name: 'Corner Door 1',
      token,
      extra: ['--relay', internet.url, '--reconnect-max-ms', '500'],
    }),
  );
}, 60_000);

afterAll(async () => {
  await door?.stop();
  await venue?.stop();
  await internet?.stop();
  dir?.remove();
});

describe('a door with the venue relay and the internet relay', () => {
  it('uses the venue relay first', async () => {
    await sell(8001, 'FALLBACK-1');
    await known('FALLBACK-1');
    expect(await waitFor(() => holdsDoor(venue))).toBe(true);
    expect(await holdsDoor(internet)).toBe(false);
  });

  it('falls back to the internet relay when the venue box dies, and keeps hearing of sales', async () => {
    await venue.kill();
    await sell(8002, 'FALLBACK-2');
    await waitFor(() => holdsDoor(internet), { message: 'the door on the internet relay' });
    await known('FALLBACK-2');
    // What it knew is still there, and it is online on the internet relay.
    expect((await ticketOf(door, 'FALLBACK-1'))?.valid).toBe(true);
    const status = await door.value('status');
    expect(status.connection).toBe('online');
    // Its cursor is now one of the internet relay's log (a snapshot there), not the venue relay's.
    const health = (await (await fetch(`${internet.url}/healthz`)).json()) as { logHead: number };
    expect(status.cursor).toBeLessThanOrEqual(health.logHead);
    // An admission there reaches the internet relay itself.
    expect(await door.value('scan', { barcode: 'FALLBACK-2' })).toMatchObject({ result: 'admit' });
    await waitFor(async () => (await door.value('status')).pendingScans === 0, {
      message: 'the admission uploaded',
    });
  });
});
