/**
 * The sync client against a real relay process: URL forms, token rejection and revocation (retries
 * stop, the reason is shown), the backoff it uses between attempts, and what it reports before it has
 * reached any relay.
 */
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGate, type GateEngine } from '../../electron/gate/index.js';
import { Backoff, gateSocketUrl } from '../../electron/gate/sync/backoff.js';
import type { GateStatus } from '../../shared/gate-api.js';
import {
  addGateToken,
  makeTempDir,
  orderDelivery,
  postDelivery,
  runGatehouse,
  startRelayProcess,
  waitFor,
  type RelayProcess,
} from '../relay/support.js';

const dir = makeTempDir();
let relay: RelayProcess;
const engines: GateEngine[] = [];

beforeAll(async () => {
  relay = await startRelayProcess({ dbPath: dir.file('relay.db') });
});
afterAll(async () => {
  for (const engine of engines) await engine.stop();
  await relay.stop();
  dir.remove();
});

/** Retries every 10–30 ms, for tests that count connection attempts. */
const FAST_RETRIES = {
  heartbeatIntervalMs: 1_000,
  heartbeatTimeoutMs: 3_000,
  backoffBaseMs: 10,
  backoffCapMs: 30,
};

async function engine(
  name: string,
  relayUrl: string,
  token: string,
  syncTiming?: typeof FAST_RETRIES,
): Promise<GateEngine> {
  const started = await startGate({
    dataDir: dir.file(name),
    settings: { gateName: name, events: ['132218'], relayUrl, token },
    ...(syncTiming ? { syncTiming } : {}),
  });
  engines.push(started);
  return started;
}

async function status(gate: GateEngine): Promise<GateStatus> {
  const result = await gate.handlers.status({});
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('sync client', () => {
  it('turns http(s) relay URLs into ws(s) gate socket URLs', () => {
    expect(gateSocketUrl('http://relay.example:8080/')).toBe('ws://relay.example:8080/gate');
    expect(gateSocketUrl('https://relay.example/base')).toBe('wss://relay.example/base/gate');
    expect(gateSocketUrl('wss://relay.example')).toBe('wss://relay.example/gate');
  });

  it('backs off exponentially with jitter up to a cap, and starts over after a success', () => {
    let toss = 0;
    const backoff = new Backoff(100, 1_000, () => [0, 1][toss++ % 2] ?? 0);
    const delays = Array.from({ length: 7 }, () => backoff.next());
    expect(delays).toEqual([50, 200, 200, 800, 500, 1000, 500]);
    backoff.reset();
    expect(backoff.next()).toBeLessThanOrEqual(100);
  });

  it('syncs over a ws:// URL and reports lag and the last sync time', async () => {
    const token = await addGateToken(dir.file('relay.db'), 'Plain');
    const gate = await engine('Plain', relay.url.replace('http://', 'ws://'), token);
    await postDelivery(relay.url, orderDelivery({ orderId: 7001, tickets: [{ barcode: 'SYNC-1' }] }));
    const synced = await waitFor(
      async () => {
        const current = await status(gate);
        return current.connection === 'online' && current.tickets === 1 && current.lag === 0 ? current : null;
      },
      { message: 'gate synced' },
    );
    expect(synced.lastError).toBeNull();
    expect(Date.parse(synced.lastSyncAt ?? '')).not.toBeNaN();
  });

  it('stays offline, not "connecting", while it retries a relay that is down', async () => {
    // A TCP listener that hangs up on every connection: each retry fails, and is counted.
    let attempts = 0;
    const refuser = createServer((socket: Socket) => {
      attempts += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
    const address = refuser.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const gate = await engine('Retrying', `http://127.0.0.1:${port}`, 'some-token-123', FAST_RETRIES);
    const states: string[] = [];
    const unsubscribe = gate.onEvent((event) => {
      if (event.type === 'status') states.push(event.status.connection);
    });
    await waitFor(() => attempts >= 5, { message: 'five connection attempts' });
    unsubscribe();
    refuser.close();
    // The first attempt may say "connecting"; once offline, retries do not flip it back.
    const sinceOffline = states.slice(states.indexOf('offline'));
    expect(sinceOffline.length).toBeGreaterThan(1);
    expect(sinceOffline.filter((state) => state !== 'offline')).toEqual([]);
    expect((await status(gate)).connection).toBe('offline');
  });

  it('reports no clock skew and no relay quarantine before its first contact with a relay', async () => {
    // A port that was just free and is now closed: every attempt is refused, no relay ever answers.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gate = await engine('Unanswered', `http://127.0.0.1:${port}`, 'some-token-123', FAST_RETRIES);
    const seen: GateStatus[] = [await status(gate)];
    const unsubscribe = gate.onEvent((event) => {
      if (event.type === 'status') seen.push(event.status);
    });
    const refused = await waitFor(
      async () => {
        const current = await status(gate);
        return current.lastError !== null ? current : null;
      },
      { message: 'a refused connection attempt' },
    );
    unsubscribe();
    seen.push(refused);
    expect(refused).toMatchObject({ connection: 'offline', clockSkewMs: null, relayQuarantined: null });
    // Not a zero standing in for "unknown" at any moment, either.
    expect(seen.map(({ clockSkewMs, relayQuarantined }) => ({ clockSkewMs, relayQuarantined }))).toEqual(
      seen.map(() => ({ clockSkewMs: null, relayQuarantined: null })),
    );
  });

  it('stops retrying and says why when the relay rejects the token', async () => {
    const gate = await engine('Stranger', relay.url, 'not-a-real-token');
    const rejected = await waitFor(
      async () => {
        const current = await status(gate);
        return current.lastError === 'the relay rejected the gate token' ? current : null;
      },
      { message: 'token rejected' },
    );
    // Retrying cannot fix a refused token: the state says staff must act.
    expect(rejected).toMatchObject({ connection: 'rejected', rejectedReason: 'bad_token' });
    // A new token from staff is tried at once.
    const token = await addGateToken(dir.file('relay.db'), 'Stranger');
    expect(await gate.handlers.updateSettings({ changes: { token } })).toMatchObject({ ok: true });
    await waitFor(async () => (await status(gate)).connection === 'online', {
      message: 'online with the new token',
    });
  });

  it('is disconnected and stops retrying when its token is revoked', async () => {
    const token = await addGateToken(dir.file('relay.db'), 'Doomed');
    const gate = await engine('Doomed', relay.url, token);
    await waitFor(async () => (await status(gate)).connection === 'online', { message: 'online' });
    const revoked = await runGatehouse(['relay', 'revoke-gate', 'Doomed', '--db', dir.file('relay.db')]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const final = await waitFor(
      async () => {
        const current = await status(gate);
        return current.lastError === 'the gate token was revoked' ? current : null;
      },
      { message: 'revocation noticed' },
    );
    expect(final).toMatchObject({ connection: 'rejected', rejectedReason: 'revoked' });
    // Deciding goes on without the relay.
    expect(await gate.handlers.scan({ barcode: 'ANY' })).toMatchObject({
      ok: true,
      value: { result: 'deny' },
    });
  });

  it('counts tonight’s admissions, who is inside, scans per minute, and finds tickets by name', async () => {
    const token = await addGateToken(dir.file('relay.db'), 'Counter');
    const gate = await engine('Counter', relay.url, token);
    await postDelivery(
      relay.url,
      orderDelivery({
        orderId: 7002,
        tickets: [{ barcode: 'STAT-1' }, { barcode: 'STAT-2' }, { barcode: 'STAT-3' }],
      }),
    );
    await waitFor(async () => (await gate.handlers.ticket({ barcode: 'STAT-3' })).ok, {
      message: 'tickets synced',
    });
    for (const barcode of ['STAT-1', 'STAT-2'])
      expect(await gate.handlers.scan({ barcode })).toMatchObject({ ok: true, value: { result: 'admit' } });
    expect(await gate.handlers.scan({ barcode: 'STAT-2', direction: 'out' })).toMatchObject({
      ok: true,
      value: { reason: 'exited' },
    });
    const stats = await waitFor(
      async () => {
        const result = await gate.handlers.stats({});
        return result.ok && result.value.pendingUploads === 0 ? result.value : null;
      },
      { message: 'uploads drained' },
    );
    expect(stats).toMatchObject({
      insideNow: 1,
      scansPerMinute: 3,
      conflicts: 0,
      capacity: null,
      admittedTonight: [{ eventId: '132218', eventName: 'Test API Event', count: 2 }],
    });
    const found = await gate.handlers.lookup({ query: 'fred' });
    expect(found.ok && found.value.results.find((ticket) => ticket.barcode === 'STAT-1')).toMatchObject({
      customerName: 'Fred Durst',
      email: 'test@moshtix.com',
      inside: true,
      history: [expect.objectContaining({ reason: 'admitted' })],
    });
  });
});
