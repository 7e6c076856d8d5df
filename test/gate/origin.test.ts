/**
 * The headless gate answers only its own origin and host (issue 10): a web page open on the gate PC
 * must not drive the API (cross-site POSTs, text/plain "simple requests"), read the events socket, or
 * reach it through DNS rebinding. Real gate processes, raw HTTP with the headers a browser sends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../relay/support.js';
import { apiCall, rawRequest, upgradeStatus } from './raw-http.js';
import { startGateProcess, type GateProcess } from './support.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gate(extra: string[] = []): Promise<GateProcess> {
  const dir = makeTempDir();
  cleanups.push(() => dir.remove());
  const started = await startGateProcess([
    '--data',
    dir.path,
    '--listen',
    '127.0.0.1:0',
    '--name',
    'Gate 1',
    '--event',
    'E1',
    ...extra,
  ]);
  cleanups.push(() => started.stop());
  return started;
}

const EVIL = 'http://evil.example';
const hijack = { changes: { relayUrl: 'wss://evil.example', pin: '6666' } };

describe('headless gate: same origin only', () => {
  it('refuses updateSettings from another origin (403 forbidden) and changes nothing', async () => {
    const g = await gate();
    const answer = await apiCall(g.port, 'updateSettings', hijack, { origin: EVIL });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const opens = await apiCall(g.port, 'turnstileTest', { direction: 'in' }, { origin: EVIL });
    expect(opens.status).toBe(403);
    const settings = await g.value('getSettings');
    expect(settings).toMatchObject({ relayUrl: null, hasPin: false });
  });

  it('refuses a cross-site text/plain "simple request" with 415 (no preflight protects it)', async () => {
    const g = await gate();
    const answer = await rawRequest({
      port: g.port,
      path: '/api/updateSettings',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify(hijack),
    });
    expect(answer.status).toBe(415);
    const missing = await rawRequest({ port: g.port, path: '/api/scan', body: '{"barcode":"X"}' });
    expect(missing.status).toBe(415);
    expect((await g.value('getSettings')).hasPin).toBe(false);
    expect((await g.value('status')).pendingScans).toBe(0);
  });

  it('refuses a Host that is not its own (DNS rebinding), on the API and the UI', async () => {
    const g = await gate();
    const rebound = await apiCall(g.port, 'status', {}, { host: `rebind.evil.example:${g.port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const page = await rawRequest({
      port: g.port,
      path: '/',
      method: 'GET',
      headers: { host: `rebind.evil.example:${g.port}` },
    });
    expect(page.status).toBe(403);
    // Its own names still work: the listen address and localhost, with the same-origin Origin.
    for (const host of [`127.0.0.1:${g.port}`, `localhost:${g.port}`]) {
      const own = await apiCall(g.port, 'status', {}, { host, origin: `http://${host}` });
      expect(own.status, host).toBe(200);
    }
  });

  it('accepts the names given with --public-host', async () => {
    const g = await gate(['--public-host', 'gate1.venue.lan', '--public-host', 'door.example']);
    for (const name of ['gate1.venue.lan', 'door.example']) {
      const host = `${name}:${g.port}`;
      const answer = await apiCall(g.port, 'status', {}, { host, origin: `http://${host}` });
      expect(answer.status, name).toBe(200);
    }
    const other = await apiCall(g.port, 'status', {}, { host: `other.example:${g.port}` });
    expect(other.status).toBe(403);
  });

  it('refuses the events websocket to another origin or host, and serves its own', async () => {
    const g = await gate();
    expect(await upgradeStatus(g.port, '/api/events', { origin: EVIL })).toBe(403);
    expect(await upgradeStatus(g.port, '/api/events', { host: `rebind.evil.example:${g.port}` })).toBe(403);
    expect(await upgradeStatus(g.port, '/api/events', { origin: `http://127.0.0.1:${g.port}` })).toBe(101);
  });
});
