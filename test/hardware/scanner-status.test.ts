/**
 * Scanner status through a real headless gate and a real socat pty: unplug (socat killed) →
 * `disconnected`; replug → `connected`; a path that never existed → `absent` with a warning at start,
 * then the device appears → `connected` and its scans are decided. The UI shows it in Chromium: the
 * badge and the "Scanner disconnected" banner.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import { launchChromium } from '../ui/support.js';
import { PtyPair, tempDir, waitFor } from './support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateWithScanner(path: string, dataDir: string): Promise<GateProcess> {
  const gate = await startGateProcess(['--data', dataDir, '--scanner', `${path}:9600:cr`]);
  cleanups.push(() => gate.stop().then(() => undefined));
  return gate;
}

const scannerState = async (gate: GateProcess) => (await gate.value('status')).scanner;

async function write(path: string, text: string): Promise<void> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  await new Promise<void>((resolve, reject) =>
    port.write(text, (error) => (error ? reject(error) : port.drain(() => resolve()))),
  );
  await new Promise<void>((resolve) => port.close(() => resolve()));
}

describe('scanner status (headless gate, socat pty)', () => {
  it('unplugged → disconnected; plugged back → connected, in the gate status', async () => {
    const dir = tempDir('scanner-status');
    cleanups.push(() => dir.remove());
    const pair = new PtyPair(dir.path, 'scanner');
    await pair.plug();
    cleanups.push(() => pair.unplug());
    const gate = await gateWithScanner(pair.device, `${dir.path}/gate`);
    await waitFor(async () => (await scannerState(gate)).state === 'connected', 'scanner connected');
    expect(await scannerState(gate)).toEqual({ state: 'connected', path: pair.device });

    await pair.unplug();
    await waitFor(async () => (await scannerState(gate)).state === 'disconnected', 'scanner disconnected');

    await pair.plug();
    await waitFor(async () => (await scannerState(gate)).state === 'connected', 'scanner connected again');
  });

  it('a path that never existed: warned at start, absent, then connected when it appears; UI banner', async () => {
    const dir = tempDir('scanner-absent');
    cleanups.push(() => dir.remove());
    const pair = new PtyPair(dir.path, 'later');
    const gate = await gateWithScanner(pair.device, `${dir.path}/gate`);
    expect(await scannerState(gate)).toEqual({ state: 'absent', path: pair.device });
    await waitFor(
      () => /WARN\s+gate\.scanner: serial scanner not found/.test(gate.output().stderr),
      'warning',
    );
    expect(gate.output().stderr).not.toContain('serial scanner started');

    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    await page.goto(gate.url);
    const banner = page.locator('[data-testid="scanner-banner"]');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('Scanner disconnected');
    expect(await page.locator('[data-testid="scanner-badge"]').getAttribute('data-state')).toBe('absent');

    await pair.plug();
    cleanups.push(() => pair.unplug());
    await waitFor(async () => (await scannerState(gate)).state === 'connected', 'scanner connected');
    await banner.waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="scanner-badge"]').getAttribute('data-state')).toBe('connected');

    await write(pair.emulator, 'FROM-THE-SCANNER\r');
    await waitFor(
      async () =>
        (await gate.value('activity', { limit: 5 })).scans.some(
          (scan) => scan.barcode === 'FROM-THE-SCANNER',
        ),
      'the scan decided',
    );
    await pair.unplug();
    await banner.waitFor();
  });

  it('the turnstile too: missing at start → warned, disconnected, banner; plugged in → ready', async () => {
    const dir = tempDir('turnstile-status');
    cleanups.push(() => dir.remove());
    const pair = new PtyPair(dir.path, 'relay');
    const gate = await startGateProcess([
      '--data',
      `${dir.path}/gate`,
      '--turnstile',
      `lcus:${pair.device}:1`,
    ]);
    cleanups.push(() => gate.stop().then(() => undefined));
    await waitFor(
      () => /WARN\s+gate\.engine: turnstile not ready/.test(gate.output().stderr),
      'turnstile warning',
    );
    expect((await gate.value('status')).turnstile).toMatchObject({ state: 'disconnected', driver: 'lcus' });

    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    await page.goto(gate.url);
    const banner = page.locator('[data-testid="turnstile-banner"]');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('Turnstile disconnected');
    expect(await banner.innerText()).toContain('open the gate by hand');

    await pair.plug();
    cleanups.push(() => pair.unplug());
    await waitFor(async () => (await gate.value('status')).turnstile.state === 'ready', 'turnstile ready');
    await banner.waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="turnstile-badge"]').getAttribute('data-state')).toBe('ready');
  });
});
