/**
 * The headless gate as a user runs it: `node bin/gatehouse gate …` processes, HTTP on 127.0.0.1,
 * the events websocket, the static UI with its CSP, the PIN guard and the command-line errors.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { GateEvent } from '../../shared/gate-api.js';
import { makeTempDir, runGatehouse, waitFor } from '../relay/support.js';

import { startGateProcess, type GateProcess } from './support.js';

/** The API takes JSON only (a text/plain body is what a cross-site form would send). */
const JSON_BODY = { 'content-type': 'application/json' };
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gate(args: string[] = []): Promise<{ gate: GateProcess; dir: string }> {
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
    ...args,
  ]);
  cleanups.push(() => started.stop());
  return { gate: started, dir: dir.path };
}

function rawGet(
  port: number,
  path: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('headless gate server', () => {
  it('answers API calls with the pinned envelope and HTTP statuses', async () => {
    const { gate: g } = await gate();
    const scan = await fetch(`${g.url}/api/scan`, {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify({ barcode: 'NOPE' }),
    });
    expect(scan.status).toBe(200);
    expect(await scan.json()).toMatchObject({
      ok: true,
      value: { result: 'deny', reason: 'unknown_barcode', scanId: expect.any(String) },
    });
    const bad = await fetch(`${g.url}/api/scan`, {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify({ barcode: 1 }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringMatching(/^barcode/) },
    });
    const notJson = await fetch(`${g.url}/api/scan`, { method: 'POST', headers: JSON_BODY, body: '{' });
    expect(notJson.status).toBe(400);
    const unknown = await fetch(`${g.url}/api/teleport`, { method: 'POST', headers: JSON_BODY, body: '{}' });
    expect(unknown.status).toBe(404);
    const huge = await fetch(`${g.url}/api/scan`, {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify({ barcode: 'x'.repeat(100_000) }),
    });
    expect(huge.status).toBe(413);
    const status = await g.value('status');
    expect(status).toMatchObject({
      connection: 'offline',
      pendingScans: 1,
      tickets: 0,
      cursor: 0,
      conflicts: 0,
      lastSyncAt: null,
      gate: 'Gate 1',
    });
  });

  it('streams decisions and status over /api/events', async () => {
    const { gate: g } = await gate();
    const socket = new WebSocket(`${g.url.replace('http', 'ws')}/api/events`);
    cleanups.push(() => socket.close());
    const events: GateEvent[] = [];
    socket.on('message', (data: Buffer) => events.push(JSON.parse(data.toString()) as GateEvent));
    await new Promise((resolve) => socket.once('open', resolve));
    await waitFor(() => events.find((event) => event.type === 'status'), {
      message: 'the current status on connect',
    });
    const result = await g.value('scan', { barcode: 'B1' });
    const decision = await waitFor(() => events.find((event) => event.type === 'decision'), {
      message: 'a decision event',
    });
    expect(decision).toMatchObject({
      type: 'decision',
      decision: { scanId: result.scanId, reason: 'unknown_barcode' },
      scan: { id: result.scanId, gate: 'Gate 1' },
    });
    await waitFor(() => events.find((event) => event.type === 'status' && event.status.pendingScans === 1), {
      message: 'a status after the scan',
    });
  });

  it('serves the UI with a strict CSP and refuses paths outside it', async () => {
    const { gate: g } = await gate();
    const root = await rawGet(g.port, '/');
    expect(root.status).toBe(200);
    expect(String(root.headers['content-security-policy'])).toMatch(/default-src 'none'.*script-src 'self'/);
    for (const path of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2f..%2fpackage.json',
    ]) {
      const response = await rawGet(g.port, path);
      expect(response.body).not.toMatch(/root:|"name": "gatehouse"/);
    }
    expect((await rawGet(g.port, '/assets/missing.js')).status).toBe(404);
  });

  it('resumes with the saved settings when restarted with only --data and --listen', async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    const first = await startGateProcess([
      '--data',
      dir.path,
      '--listen',
      '127.0.0.1:0',
      '--name',
      'North Door',
      '--event',
      'E7',
      '--mode',
      'exit',
      '--reentry',
      'after_exit',
      '--ticket-type',
      'VIP',
      '--turnstile',
      'none',
      '--pulse-ms',
      '700',
    ]);
    const scanned = await first.value('scan', { barcode: 'B1' });
    expect(await first.stop()).toBe(0);
    const second = await startGateProcess(['--data', dir.path, '--listen', '127.0.0.1:0']);
    cleanups.push(() => second.stop());
    expect(await second.value('getSettings')).toMatchObject({
      gateName: 'North Door',
      events: ['E7'],
      mode: 'exit',
      reentry: 'after_exit',
      ticketTypes: ['VIP'],
      turnstile: { spec: 'none', pulseMs: 700 },
    });
    expect((await second.value('activity', {})).scans.map((scan) => scan.id)).toEqual([scanned.scanId]);
  });

  it('requires a PIN to listen beyond loopback, and then on every request', async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    const refused = await runGatehouse(['gate', '--data', dir.path, '--listen', '0.0.0.0:0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/requires --pin/);
    const guarded = await startGateProcess(['--data', dir.path, '--listen', '0.0.0.0:0', '--pin', '2468']);
    cleanups.push(() => guarded.stop());
    const local = `http://127.0.0.1:${guarded.port}`;
    const anonymous = await fetch(`${local}/api/status`, { method: 'POST', headers: JSON_BODY, body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const wrong = await fetch(`${local}/api/status`, {
      method: 'POST',
      body: '{}',
      headers: { ...JSON_BODY, 'x-gatehouse-pin': '1111' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${local}/api/status`, {
      method: 'POST',
      body: '{}',
      headers: { ...JSON_BODY, 'x-gatehouse-pin': '2468' },
    });
    expect(right.status).toBe(200);

    // The events socket: a browser cannot set headers, so the PIN may come as a subprotocol.
    const events = `ws://127.0.0.1:${guarded.port}/api/events`;
    const refusedSocket = await new Promise<number>((resolve) => {
      const socket = new WebSocket(events);
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    });
    expect(refusedSocket).toBe(401);
    const wrongSocket = await new Promise<number>((resolve) => {
      const socket = new WebSocket(events, ['gatehouse-pin.1111']);
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    });
    expect(wrongSocket).toBe(401);
    const socket = new WebSocket(events, ['gatehouse-pin.2468']);
    cleanups.push(() => socket.close());
    const first = await new Promise<GateEvent>((resolve, reject) => {
      socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as GateEvent));
      socket.once('error', reject);
    });
    expect(socket.protocol).toBe('gatehouse-pin.2468');
    expect(first.type).toBe('status');
  });

  it('rejects a bad turnstile spec or mode with exit 2 naming what is wrong', async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    const spec = await runGatehouse(['gate', '--data', dir.path, '--turnstile', 'lcus:/dev/ttyUSB0:99']);
    expect(spec.code).toBe(2);
    expect(spec.stderr).toMatch(/channel must be a whole number from 1 to \d+, got "99"/);
    const mode = await runGatehouse(['gate', '--data', dir.path, '--mode', 'sideways']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/--mode must be entry or exit/);
    const pin = await runGatehouse(['gate', '--data', dir.path, '--pin', '12']);
    expect(pin.code).toBe(2);
    expect(pin.stderr).toMatch(/Staff PIN must be 4 to 12 digits/);
  });
});
