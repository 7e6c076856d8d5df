/**
 * A serial barcode scanner wired into a real headless gate: lines typed into the far end of a socat
 * pty reach the engine exactly like keyboard scans (decided, recorded, listed in activity), and the
 * gate keeps reading after the scanner is unplugged and plugged back. Needs `npm run build` first.
 */
import type { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closePort, openPort } from './emulators.js';
import {
  EVENT_ID,
  relayWithTickets,
  startGateProcess,
  waitForTickets,
  type GateProcess,
} from './gate-process.js';
import { PtyPair, tempDir, waitFor } from './support.js';
import type { RelayProcess } from '../relay/support.js';

type Activity = { scans: { barcode: string; result: string; reason: string }[] };

async function typeLine(path: string, line: string): Promise<void> {
  const port: SerialPort = await openPort(path, 9600);
  await new Promise<void>((resolve, reject) =>
    port.write(line, (error) => (error ? reject(error) : port.drain(() => resolve()))),
  );
  await closePort(port);
}

describe('headless gate with a serial scanner', () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PtyPair;
  let relay: RelayProcess | null = null;
  let gate: GateProcess | null = null;

  beforeEach(async () => {
    dir = tempDir('gate-scanner');
    pair = new PtyPair(dir.path, 'scanner');
    await pair.plug();
  });
  afterEach(async () => {
    await gate?.stop();
    await relay?.stop();
    await pair.unplug();
    dir.remove();
    gate = null;
    relay = null;
  });

  it('decides each scanned line like a typed scan, and reads again after a replug', async () => {
    const started = await relayWithTickets(dir.path, ['SCAN-0001', 'SCAN-0002']);
    relay = started.relay;
    gate = await startGateProcess([
      '--data',
      `${dir.path}/gate`,
      '--relay',
      relay.url,
      '--token',
      started.token,
      '--name',
      'Door 1',
      '--event',
      String(EVENT_ID),
      '--scanner',
      `${pair.device}:9600:crlf`,
    ]);
    await waitForTickets(gate, 2);
    const activity = async () =>
      ((await gate?.call('activity', {}))?.value as Activity | undefined)?.scans ?? [];

    await typeLine(pair.emulator, 'SCAN-0001\r\nNOPE-9999\r\n');
    const first = await waitFor(
      async () => ((await activity()).length >= 2 ? await activity() : null),
      'two scans recorded',
    );
    expect(first.map(({ barcode, result, reason }) => ({ barcode, result, reason })).reverse()).toEqual([
      { barcode: 'SCAN-0001', result: 'admit', reason: 'admitted' },
      { barcode: 'NOPE-9999', result: 'deny', reason: 'unknown_barcode' },
    ]);

    await pair.unplug();
    await pair.plug();
    // The gate reopens the port by path on its own; a line typed once it is back is decided.
    await waitFor(
      async () => {
        await typeLine(pair.emulator, 'SCAN-0002\r\n');
        return (await activity()).some((scan) => scan.barcode === 'SCAN-0002');
      },
      'a scan after the replug',
      20_000,
    );
    const afterReplug = (await activity()).filter((scan) => scan.barcode === 'SCAN-0002');
    expect(afterReplug[afterReplug.length - 1]).toMatchObject({ result: 'admit', reason: 'admitted' });
  });

  it('rejects a bad --scanner SPEC with exit 2 naming what is wrong', async () => {
    const error = await startGateProcess([
      '--data',
      `${dir.path}/gate`,
      '--scanner',
      `${pair.device}:fast`,
    ]).then(
      () => null,
      (failure: Error) => failure.message,
    );
    expect(error).toMatch(/exited \(2\)/);
    expect(error).toMatch(/--scanner: scanner spec .*baud/);
  });
});
