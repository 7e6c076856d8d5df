/** Shelly Gen1/Gen2 and a generic HTTP controller, each a real HTTP server on 127.0.0.1. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTurnstile, type Turnstile } from '../../electron/gate/turnstile/index.js';
import type { TurnstileSettings } from '../../shared/turnstile.js';
import { GenericController, ShellyGen1, ShellyGen2 } from './http-devices.js';
import { waitFor } from './support.js';

const TUNING = { operationTimeoutMs: 1000, recoveryMs: 50, passagePollMs: 10 };
const stops: (() => Promise<void>)[] = [];

async function start(spec: string, extra: Partial<TurnstileSettings> = {}): Promise<Turnstile> {
  const turnstile = createTurnstile(
    { spec, exitSpec: null, pulseMs: 100, passageTimeoutMs: null, ...extra },
    TUNING,
  );
  stops.push(() => turnstile.stop());
  await turnstile.start();
  return turnstile;
}
async function device<T extends { start(): Promise<T>; stop(): Promise<void> }>(created: T): Promise<T> {
  stops.push(() => created.stop());
  return created.start();
}
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('Shelly Gen1', () => {
  it('GET /relay/0?turn=on&timer=S, and the device turns itself off', async () => {
    const shelly = await device(new ShellyGen1());
    const driver = await start(`shelly1:${shelly.url}`);
    expect(await driver.open('in', 150)).toEqual({ opened: true });
    const relayHits = shelly.hits.filter((hit) => hit.url.startsWith('/relay/'));
    expect(relayHits.map((hit) => `${hit.method} ${hit.url}`)).toEqual(['GET /relay/0?turn=on&timer=0.15']);
    await waitFor(() => !shelly.isOn, 'the Shelly timer to close the relay');
  });

  it('Basic auth from the URL userinfo; once asked, sent up front', async () => {
    const shelly = await device(new ShellyGen1({ username: 'admin', password: 's3cret' }));
    const driver = await start(`shelly1:${shelly.url.replace('http://', 'http://admin:s3cret@')}`);
    await waitFor(() => shelly.hits.length >= 2, 'the start-up probe');
    const before = shelly.hits.length;
    expect(await driver.open('in', 100)).toEqual({ opened: true });
    expect(shelly.hits.slice(before).map((hit) => hit.headers.authorization)).toEqual([
      `Basic ${Buffer.from('admin:s3cret').toString('base64')}`,
    ]);
  });

  it('input 0 in /status is the passage contact', async () => {
    const shelly = await device(new ShellyGen1());
    shelly.inputs = [1, 0];
    const driver = await start(`shelly1:${shelly.url}`, { passageTimeoutMs: 1000 });
    expect(await driver.open('in', 50)).toEqual({ opened: true, passed: true });
  });
});

describe('Shelly Gen2', () => {
  it('POST /rpc Switch.Set with toggle_after on the switch from URL:SWITCH_ID', async () => {
    const shelly = await device(new ShellyGen2());
    const driver = await start(`shelly2:${shelly.url}:1`);
    expect(await driver.open('out', 250)).toEqual({ opened: true });
    const sets = shelly.calls.filter((call) => call.method === 'Switch.Set');
    expect(sets.map((call) => call.params)).toEqual([{ id: 1, on: true, toggle_after: 0.25 }]);
    await waitFor(() => shelly.switches.get(1) === false, 'toggle_after to switch it back off');
    const [on, off] = shelly.switchLog;
    expect([on?.isOn, off?.isOn]).toEqual([true, false]);
    expect((off?.at ?? 0) - (on?.at ?? 0)).toBeGreaterThanOrEqual(245);
  });

  it('Digest SHA-256 with the password from the URL; the challenge is reused', async () => {
    const shelly = await device(new ShellyGen2('pa:ss word'));
    const driver = await start(`shelly2:${shelly.url.replace('http://', 'http://admin:pa%3Ass%20word@')}`);
    await waitFor(() => driver.status().state === 'ready' && shelly.calls.length === 1, 'authorized probe');
    const before = shelly.hits.length;
    expect(await driver.open('in', 50)).toEqual({ opened: true });
    expect(await driver.open('in', 50)).toEqual({ opened: true });
    // Two opens, two requests: no 401 round trip once the nonce is known.
    expect(shelly.hits.length - before).toBe(2);
    expect(shelly.calls.filter((call) => call.method === 'Switch.Set')).toHaveLength(2);
  });

  it('a wrong password is an error that names HTTP 401', async () => {
    const shelly = await device(new ShellyGen2('right'));
    const driver = await start(`shelly2:${shelly.url.replace('http://', 'http://admin:wrong@')}`);
    const result = await driver.open('in', 50);
    expect(result.opened).toBe(false);
    expect(result.error).toMatch(/HTTP 401/);
    expect(driver.status().state).toBe('error');
  });

  it("an RPC error inside HTTP 200 is a failure with Shelly's message", async () => {
    const shelly = await device(new ShellyGen2());
    const driver = await start(`shelly2:${shelly.url}:5`);
    const result = await driver.open('in', 50);
    expect(result).toMatchObject({ opened: false });
    expect(result.error).toMatch(/value 5 not found/);
  });

  it('Input.GetStatus confirms a passage, and its silence annuls', async () => {
    const shelly = await device(new ShellyGen2());
    const driver = await start(`shelly2:${shelly.url}`, { passageTimeoutMs: 600, passageInput: 1 });
    expect(await driver.open('in', 50)).toEqual({ opened: true, passed: false });
    shelly.inputs.set(1, true);
    expect(await driver.open('in', 50)).toEqual({ opened: true, passed: true });
    expect(shelly.calls.some((call) => call.method === 'Input.GetStatus' && call.params.id === 1)).toBe(true);
  });

  it('device failing: error, then ready by itself once it answers again', async () => {
    const shelly = await device(new ShellyGen2());
    const driver = await start(`shelly2:${shelly.url}`);
    await waitFor(() => driver.status().state === 'ready', 'ready');
    shelly.failWith = 500;
    const result = await driver.open('in', 50);
    expect(result).toMatchObject({ opened: false });
    expect(result.error).toMatch(/HTTP 500/);
    expect(driver.status()).toMatchObject({ state: 'error', driver: 'shelly2' });
    shelly.failWith = null;
    await waitFor(() => driver.status().state === 'ready', 'recovery by probe');
    expect(await driver.open('in', 50)).toEqual({ opened: true });
  });
});

describe('generic HTTP controller', () => {
  it('defaults: POST JSON with direction, barcode and gate, escaped; any 2xx', async () => {
    const controller = await device(new GenericController());
    const driver = await start(`http:${controller.url}/open/{direction}`);
    expect(await driver.open('out', 300, { barcode: 'AB"12\\', gate: 'Door 1' })).toEqual({ opened: true });
    const [hit] = controller.hits;
    expect(hit?.method).toBe('POST');
    expect(hit?.url).toBe('/open/out');
    expect(hit?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(hit?.body ?? '')).toEqual({
      direction: 'out',
      barcode: 'AB"12\\',
      gate: 'Door 1',
      pulseMs: 300,
    });
  });

  it('method, headers, form body template and expected status from settings', async () => {
    const controller = await device(new GenericController());
    controller.status = 200;
    const http = {
      method: 'PUT' as const,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Key': 'k1' },
      bodyTemplate: 'dir={direction}&code={barcode}',
      expectStatus: 201,
    };
    const driver = await start(`http:${controller.url}/gate`, { http });
    const result = await driver.open('in', 50, { barcode: 'a&b c' });
    expect(result).toMatchObject({ opened: false });
    expect(result.error).toMatch(/HTTP 200/);
    expect(controller.hits[0]).toMatchObject({ method: 'PUT', body: 'dir=in&code=a%26b%20c' });
    expect(controller.hits[0]?.headers['x-key']).toBe('k1');
    controller.status = 201;
    expect(await driver.open('in', 50)).toEqual({ opened: true });
  });

  it('a hung controller times out: error, and the next open is still tried', async () => {
    const controller = await device(new GenericController());
    controller.isHanging = true;
    const driver = await start(`http:${controller.url}/open`);
    const result = await driver.open('in', 50);
    expect(result.opened).toBe(false);
    expect(result.error).toMatch(/timed out|aborted/i);
    expect(driver.status().state).toBe('error');
    controller.isHanging = false;
    expect(await driver.open('in', 50)).toEqual({ opened: true });
    expect(driver.status().state).toBe('ready');
  });
});
