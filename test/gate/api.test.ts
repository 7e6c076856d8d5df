/**
 * The API handler table of a real engine (startGate on a temp data dir, real SQLite): input
 * validation, PIN guard, manual admit and annul, settings, and the turnstile paths through a real
 * HTTP server standing in for a Shelly relay.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGate, type GateEngine } from '../../electron/gate/index.js';
import { OPEN_BY_HAND } from '../../electron/gate/engine.js';
import type { GateEvent } from '../../shared/gate-api.js';
import { ShellyGen1 } from '../hardware/http-devices.js';
import { makeTempDir, waitFor } from '../relay/support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gate(
  settings: Parameters<typeof startGate>[0]['settings'] = {},
): Promise<{ engine: GateEngine; dir: string; events: GateEvent[] }> {
  const dir = makeTempDir();
  const engine = await startGate({
    dataDir: dir.path,
    settings: { gateName: 'Gate 1', events: ['E1'], ...settings },
  });
  const events: GateEvent[] = [];
  engine.onEvent((event) => events.push(event));
  cleanups.push(
    () => dir.remove(),
    () => engine.stop(),
  );
  return { engine, dir: dir.path, events };
}

describe('gate API handlers', () => {
  it('names the failing field of bad input', async () => {
    const { engine } = await gate();
    expect(await engine.handlers.scan({ barcode: 42 })).toEqual({
      ok: false,
      error: { code: 'bad_request', message: expect.stringMatching(/^barcode: /) },
    });
    expect(await engine.handlers.lookup({ query: 'ab' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringMatching(/^query: /) },
    });
    expect(
      await engine.handlers.updateSettings({
        changes: { turnstile: { spec: 'bogus:x', exitSpec: null, pulseMs: 500, passageTimeoutMs: null } },
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'bad_request',
        message: expect.stringMatching(/^changes\.turnstile\.spec: .*unknown driver "bogus"/),
      },
    });
  });

  it('records every scan durably, even a malformed one, and reports it pending upload', async () => {
    const { engine } = await gate();
    const result = await engine.handlers.scan({ barcode: 'X\u0001Y' });
    expect(result).toMatchObject({ ok: true, value: { result: 'deny', reason: 'malformed' } });
    const status = await engine.handlers.status({});
    expect(status).toMatchObject({
      ok: true,
      value: { pendingScans: 1, connection: 'offline', lastError: 'no relay URL set', gate: 'Gate 1' },
    });
  });

  it('answers not_found for a ticket it does not know', async () => {
    const { engine } = await gate();
    expect(await engine.handlers.ticket({ barcode: 'NOPE' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('guards staff actions with the PIN once one is set, and never returns PIN or token', async () => {
    const { engine, dir } = await gate({ pin: '4321', token: 'secret-gate-token' });
    const view = await engine.handlers.getSettings({});
    expect(view).toMatchObject({ ok: true, value: { hasPin: true, hasToken: true } });
    expect(JSON.stringify(view)).not.toMatch(/4321|secret-gate-token/);
    expect(statSync(join(dir, 'relay-token')).mode & 0o777).toBe(0o600);
    expect(await engine.handlers.manualAdmit({ barcode: 'B1', note: 'lost phone' })).toMatchObject({
      ok: false,
      error: { code: 'pin_required' },
    });
    expect(
      await engine.handlers.manualAdmit({ barcode: 'B1', note: 'lost phone', pin: '0000' }),
    ).toMatchObject({ ok: false, error: { code: 'pin_required' } });
    expect(await engine.handlers.checkPin({ pin: '0000' })).toEqual({ ok: true, value: { isValid: false } });
    expect(await engine.handlers.checkPin({ pin: '4321' })).toEqual({ ok: true, value: { isValid: true } });
    const admitted = await engine.handlers.manualAdmit({ barcode: 'B1', note: 'lost phone', pin: '4321' });
    expect(admitted).toMatchObject({ ok: true, value: { result: 'admit', reason: 'admitted' } });
    expect(await engine.handlers.updateSettings({ changes: { mode: 'exit' } })).toMatchObject({
      ok: false,
      error: { code: 'pin_required' },
    });
    expect(await engine.handlers.updateSettings({ changes: { pin: null }, pin: '4321' })).toMatchObject({
      ok: true,
      value: { hasPin: false },
    });
  });

  it('annuls an admission, after which the ticket counts as never admitted', async () => {
    const { engine } = await gate();
    const first = await engine.handlers.manualAdmit({ barcode: 'B1', note: 'VIP list' });
    if (!first.ok) throw new Error(first.error.message);
    expect(await engine.handlers.annul({ scanId: first.value.scanId, note: 'wrong person' })).toMatchObject({
      ok: true,
    });
    expect(await engine.handlers.annul({ scanId: first.value.scanId, note: 'again' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(
      await engine.handlers.annul({ scanId: '00000000-0000-4000-8000-000000000000', note: 'x' }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const activity = await engine.handlers.activity({ limit: 10 });
    expect(activity.ok && activity.value.scans.map((scan) => scan.kind)).toEqual(['annul', 'manual']);
  });

  it('keeps settings across a restart of the engine on the same data directory', async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    const first = await startGate({
      dataDir: dir.path,
      settings: { gateName: 'North', events: ['E9'], mode: 'exit', reentry: 'after_exit' },
    });
    await first.stop();
    const second = await startGate({ dataDir: dir.path });
    cleanups.push(() => second.stop());
    expect(await second.handlers.getSettings({})).toMatchObject({
      ok: true,
      value: { gateName: 'North', events: ['E9'], mode: 'exit', reentry: 'after_exit' },
    });
  });

  it('keeps the admission and asks staff to open by hand when the turnstile fails', async () => {
    const device = await new ShellyGen1().start();
    device.failWith = 500;
    cleanups.push(() => device.stop());
    const { engine, events } = await gate({
      turnstile: { spec: `shelly1:${device.url}`, exitSpec: null, pulseMs: 100, passageTimeoutMs: null },
    });
    const result = await engine.handlers.manualAdmit({ barcode: 'B1', note: 'test' });
    expect(result).toMatchObject({ ok: true, value: { result: 'admit' } });
    await waitFor(
      () => events.some((event) => event.type === 'decision' && event.decision.attention === OPEN_BY_HAND),
      { message: 'open-by-hand attention' },
    );
    expect(events.some((event) => event.type === 'turnstile' && event.result?.error)).toBe(true);
    const activity = await engine.handlers.activity({});
    expect(activity.ok && activity.value.scans.map((scan) => scan.kind)).toEqual(['manual']);
  });

  it('annuls an admission when nobody passes within the window', async () => {
    const device = await new ShellyGen1().start();
    cleanups.push(() => device.stop());
    const { engine } = await gate({
      turnstile: { spec: `shelly1:${device.url}`, exitSpec: null, pulseMs: 50, passageTimeoutMs: 500 },
    });
    const result = await engine.handlers.manualAdmit({ barcode: 'B1', note: 'test' });
    if (!result.ok) throw new Error(result.error.message);
    const annul = await waitFor(
      async () => {
        const activity = await engine.handlers.activity({});
        return activity.ok && activity.value.scans.find((scan) => scan.kind === 'annul');
      },
      { message: 'the annulment' },
    );
    expect(annul).toMatchObject({ annuls: result.value.scanId, note: 'no passage within window' });
  });
});
