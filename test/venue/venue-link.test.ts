/**
 * The venue relay's upstream link on its own (real relay processes, a protocol client as the door):
 * a venue relay that starts late converges through a snapshot from upstream, resumes from its cursor
 * after a restart, reports a refused venue token, and keeps its token off the command line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addGateToken,
  GateTestClient,
  getJson,
  makeTempDir,
  orderDelivery,
  postDelivery,
  runUntilExit,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import {
  addVenueToken,
  appliedHead,
  EVENT,
  scanOf,
  startVenueRelay,
  upload,
  upstreamHealth,
} from './support.js';

let dir: TempDir;
let internet: RelayProcess;
let venue: RelayProcess | null;
let clients: GateTestClient[];

beforeEach(async () => {
  dir = makeTempDir();
  clients = [];
  venue = null;
  internet = await startRelayProcess({ dbPath: dir.file('internet.db') });
});

afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await venue?.stop();
  await internet.stop();
  dir.remove();
});

async function connect(url: string, token: string): Promise<GateTestClient> {
  const client = await GateTestClient.connect(url, token, { events: [EVENT] });
  clients.push(client);
  await client.waitWelcomed();
  return client;
}

const logHead = async (relay: RelayProcess) =>
  ((await getJson(`${relay.url}/healthz`)) as { logHead: number }).logHead;

describe('venue relay upstream link', () => {
  it('converges through a snapshot when it starts late, and resumes from its cursor after a restart', async () => {
    for (let order = 1; order <= 20; order += 1)
      await postDelivery(
        internet.url,
        orderDelivery({ orderId: order, tickets: [{ barcode: `LATE-${order}` }] }),
      );
    const token = await addVenueToken(dir.file('internet.db'), 'Corner Hotel');
    const doorToken = await addGateToken(dir.file('venue.db'), 'Door 1');
    venue = await startVenueRelay({ dbPath: dir.file('venue.db'), upstreamUrl: internet.url, token });
    const first = venue;
    // The webhook answers come before the apply: read the head once all 20 are applied.
    const upstreamHead = await appliedHead(internet);
    await waitFor(async () => (await upstreamHealth(first)).cursor >= upstreamHead, {
      message: 'venue caught up',
    });
    const door = await connect(venue.url, doorToken);
    for (let order = 1; order <= 20; order += 1) expect(door.tickets.get(`LATE-${order}`)?.valid).toBe(true);

    const headBefore = await logHead(venue);
    const cursorBefore = (await upstreamHealth(venue)).cursor;
    await venue.stop();
    venue = await startVenueRelay({ dbPath: dir.file('venue.db'), upstreamUrl: internet.url, token });
    const second = venue;
    await waitFor(async () => (await upstreamHealth(second)).state === 'online', {
      message: 'venue online again',
    });
    // Resumed from its cursor: nothing mirrored twice into its log.
    expect((await upstreamHealth(venue)).cursor).toBe(cursorBefore);
    expect(await logHead(venue)).toBe(headBefore);
    const again = await connect(venue.url, doorToken);
    await postDelivery(internet.url, orderDelivery({ orderId: 21, tickets: [{ barcode: 'LATE-21' }] }));
    await again.waitUntil(() => again.tickets.get('LATE-21'), 'the new sale at the door');
  });

  it('reports a refused venue token as rejected', async () => {
    venue = await startVenueRelay({
      dbPath: dir.file('venue.db'),
      upstreamUrl: internet.url,
      token: 'gh_not-a-real-token',
    });
    const running = venue;
    await waitFor(async () => (await upstreamHealth(running)).state === 'rejected', { message: 'rejected' });
  });

  it('keeps scans the upstream refuses (a gate token given as the venue token), counted, not lost', async () => {
    await postDelivery(internet.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'MISSET-1' }] }));
    const notVenue = await addGateToken(dir.file('internet.db'), 'Corner Hotel');
    const doorToken = await addGateToken(dir.file('venue.db'), 'Door 1');
    venue = await startVenueRelay({
      dbPath: dir.file('venue.db'),
      upstreamUrl: internet.url,
      token: notVenue,
    });
    const running = venue;
    await waitFor(async () => (await upstreamHealth(running)).state === 'online', { message: 'online' });
    const door = await connect(venue.url, doorToken);
    const scan = scanOf('Door 1', 'MISSET-1');
    expect(await upload(door, scan)).toBe('acked');
    const health = await waitFor(
      async () => {
        const now = await upstreamHealth(running);
        return now.refusedUploads === 1 ? now : null;
      },
      { message: 'the refusal recorded' },
    );
    expect(health.pendingUploads).toBe(0);
    expect(health.lastError).toMatch(/scan_refused: .*Door 1.*Corner Hotel/);
    // The venue's own log still holds it: its doors keep sharing it.
    const other = await connect(venue.url, await addGateToken(dir.file('venue.db'), 'Door 2'));
    expect(other.scans.has(scan.id)).toBe(true);
  });

  it('takes the upstream token from a file or the environment, warning about argv, and needs one', async () => {
    const missing = await runUntilExit(
      ['relay', 'serve', '--db', dir.file('v.db'), '--port', '0', '--upstream', internet.url],
      { GATEHOUSE_UPSTREAM_TOKEN: '' },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing --upstream-token \(or GATEHOUSE_UPSTREAM_TOKEN/);
    const token = await addVenueToken(dir.file('internet.db'), 'Corner Hotel');
    venue = await startRelayProcess({
      dbPath: dir.file('venue.db'),
      extraArgs: ['--upstream', internet.url, '--upstream-token', token],
    });
    const running = venue;
    await waitFor(() => /warning: --upstream-token on the command line/.test(running.output().stderr), {
      message: 'the argv warning',
    });
    await waitFor(async () => (await upstreamHealth(running)).state === 'online', { message: 'online' });
  });
});
