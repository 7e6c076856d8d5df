/**
 * kill -9 of a venue relay in the middle of forwarding its gates' scans upstream, then a restart:
 * every scan reaches the internet relay exactly once (the outbox is written with each scan and
 * emptied only on the upstream's ack; the upstream deduplicates by scan id). Real processes.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addGateToken,
  GateTestClient,
  makeTempDir,
  orderDelivery,
  postDelivery,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import {
  addVenueToken,
  appliedHead,
  scanEntryCounts,
  scanOf,
  startVenueRelay,
  upstreamHealth,
  welcomedClient,
} from './support.js';

const SCANS = 1_500;
let dir: TempDir;
let internet: RelayProcess;
let venue: RelayProcess | null;
let clients: GateTestClient[];

beforeEach(async () => {
  dir = makeTempDir();
  clients = [];
  internet = await startRelayProcess({ dbPath: dir.file('internet.db') });
  await postDelivery(internet.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'CRASH-1' }] }));
  // Applied before the venue relay links: it follows the events upstream knows, its scans' event too.
  await appliedHead(internet);
});

afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await venue?.stop();
  await internet.stop();
  dir.remove();
});

const connect = (url: string, token: string) => welcomedClient(clients, url, token);

/** Scans waiting in the venue relay's outbox, read from its database file after the kill. */
function outboxOf(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS count FROM upstream_outbox').get() as { count: number }).count;
  } finally {
    db.close();
  }
}

describe('venue relay crash', () => {
  it('loses and doubles no scan upstream when killed mid-forwarding and restarted', async () => {
    const venueToken = await addVenueToken(dir.file('internet.db'), 'Corner Hotel');
    const witness = await connect(internet.url, await addGateToken(dir.file('internet.db'), 'Witness'));
    const doorToken = await addGateToken(dir.file('venue.db'), 'Door 1');
    venue = await startVenueRelay({
      dbPath: dir.file('venue.db'),
      upstreamUrl: internet.url,
      token: venueToken,
    });
    const running = venue;
    await waitFor(async () => (await upstreamHealth(running)).state === 'online', {
      message: 'venue online',
    });
    const door = await connect(venue.url, doorToken);

    const scans = Array.from({ length: SCANS }, (_, index) =>
      scanOf('Door 1', 'CRASH-1', {
        result: index === 0 ? 'admit' : 'deny',
        reason: index === 0 ? 'admitted' : 'already_admitted',
      }),
    );
    for (const scan of scans) door.send({ type: 'scan', scan });
    const ids = new Set(scans.map((scan) => scan.id));
    const acked = () => door.frames.filter((frame) => frame.type === 'scan-ack' && ids.has(frame.id)).length;
    await door.waitUntil(() => acked() === SCANS, 'every scan stored at the venue relay', 60_000);
    // The first scans are upstream: kill the venue relay while it forwards the rest.
    await witness.waitUntil(() => scans.some((scan) => witness.scans.has(scan.id)), 'forwarding started');
    await venue.kill();
    venue = null;
    const waiting = outboxOf(dir.file('venue.db'));
    console.log(`killed with ${waiting} of ${SCANS} scans still to forward`);
    expect(waiting, 'the kill came after forwarding finished: nothing was tested').toBeGreaterThan(0);

    venue = await startVenueRelay({
      dbPath: dir.file('venue.db'),
      upstreamUrl: internet.url,
      token: venueToken,
    });
    await witness.waitUntil(
      () => scans.every((scan) => witness.scans.has(scan.id)),
      'every scan upstream',
      60_000,
    );
    const restarted = venue;
    await waitFor(async () => (await upstreamHealth(restarted)).pendingUploads === 0, {
      message: 'outbox empty',
    });
    const counts = scanEntryCounts(witness);
    expect(scans.filter((scan) => counts.get(scan.id) !== 1)).toEqual([]);
    for (const scan of scans) expect(witness.scans.get(scan.id)?.scan.gate).toBe('Corner Hotel · Door 1');
    // A gate that syncs afresh holds each of them once too.
    const fresh = await connect(internet.url, await addGateToken(dir.file('internet.db'), 'Fresh'));
    expect([...fresh.scans.keys()].filter((id) => ids.has(id))).toHaveLength(SCANS);
  }, 120_000);
});
