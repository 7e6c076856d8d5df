/**
 * The venue relay's upstream link on its own (real relay processes, a protocol client as the door):
 * a venue relay that starts late converges through a snapshot from upstream, resumes from its cursor
 * after a restart, mirrors none of the other-events index it is sent for events it does not follow,
 * reports a refused venue token, and keeps its token off the command line.
 */
import Database from 'better-sqlite3';
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
  welcomedClient,
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

const connect = (url: string, token: string) => welcomedClient(clients, url, token);

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

  it('mirrors none of the index entries it gets for events it does not follow (no raw tickets of them either)', async () => {
    const OTHER = '132219';
    const other = (orderId: number, barcode: string) =>
      postDelivery(internet.url, orderDelivery({ orderId, eventId: Number(OTHER), tickets: [{ barcode }] }));
    await postDelivery(internet.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'FOLLOWED-1' }] }));
    // Before the link: in the snapshot's index rows. After it: index entries, caught up and live.
    await other(2, 'UNFOLLOWED-1');
    await appliedHead(internet);
    const token = await addVenueToken(dir.file('internet.db'), 'Corner Hotel');
    const doorToken = await addGateToken(dir.file('venue.db'), 'Door 1');
    venue = await startVenueRelay({
      dbPath: dir.file('venue.db'),
      upstreamUrl: internet.url,
      token,
      extraArgs: ['--upstream-event', EVENT],
    });
    const running = venue;
    await waitFor(async () => (await upstreamHealth(running)).state === 'online', { message: 'online' });
    const door = await connect(venue.url, doorToken);
    // A gate of the internet relay with the same selection: what the venue link is sent too.
    const witness = await connect(internet.url, await addGateToken(dir.file('internet.db'), 'Witness'));
    await other(3, 'UNFOLLOWED-2');
    await other(2, 'UNFOLLOWED-1'); // the same order again: nothing changes upstream
    await postDelivery(internet.url, orderDelivery({ orderId: 4, tickets: [{ barcode: 'FOLLOWED-2' }] }));
    const head = await appliedHead(internet);
    await waitFor(async () => (await upstreamHealth(running)).cursor >= head, {
      message: 'the venue relay past every upstream entry',
    });
    await door.waitUntil(() => door.tickets.get('FOLLOWED-2'), 'the followed sale at the door');
    const health = await upstreamHealth(running);
    expect(health.state).toBe('online');
    expect(health.lastError).toBeNull();
    const db = new Database(dir.file('venue.db'), { readonly: true });
    try {
      const count = (sql: string) => (db.prepare(sql).get() as { count: number }).count;
      expect(count(`SELECT count(*) AS count FROM log WHERE kind = 'index'`)).toBe(0);
      expect(count(`SELECT count(*) AS count FROM tickets WHERE barcode LIKE 'UNFOLLOWED-%'`)).toBe(0);
      expect(count(`SELECT count(*) AS count FROM log WHERE payload LIKE '%UNFOLLOWED-%'`)).toBe(0);
      expect(count(`SELECT count(*) AS count FROM tickets WHERE barcode LIKE 'FOLLOWED-%'`)).toBe(2);
    } finally {
      db.close();
    }
    expect([...door.tickets.keys()].filter((barcode) => barcode.startsWith('UNFOLLOWED-'))).toEqual([]);
    // The upstream did send the other event, as index entries only: there was something to skip.
    const sent = witness.frames.flatMap((frame) => (frame.type === 'entries' ? frame.entries : []));
    expect(sent.some((entry) => entry.kind === 'index' && entry.index.eventId === OTHER)).toBe(true);
    expect(
      sent.filter((entry) => entry.kind === 'ticket').map((entry) => entry.ticket.eventId),
    ).not.toContain(OTHER);
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
