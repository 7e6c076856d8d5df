/**
 * The whole path on real parts: relay process ← webhook; gate process synced from it, started with
 * `--turnstile lcus:<pty>`; `POST /api/scan` → the LCUS emulator on the far end of the pty sees the
 * on frame, then the off frame after the pulse. Needs `npm run build` first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameRecorder } from './emulators.js';
import {
  EVENT_ID,
  relayWithTickets,
  startGateProcess,
  waitForTickets,
  type GateProcess,
} from './gate-process.js';
import { PtyPair, tempDir, waitFor } from './support.js';
import type { RelayProcess } from '../relay/support.js';

describe('headless gate with an LCUS turnstile', () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PtyPair;
  let recorder: FrameRecorder;
  let relay: RelayProcess | null = null;
  let gate: GateProcess | null = null;

  beforeEach(async () => {
    dir = tempDir('gate-lcus');
    pair = new PtyPair(dir.path);
    await pair.plug();
    recorder = await FrameRecorder.open(pair.emulator);
  });
  afterEach(async () => {
    await gate?.stop();
    await relay?.stop();
    await recorder.close();
    await pair.unplug();
    dir.remove();
    gate = null;
    relay = null;
  });

  it('an admitted scan opens the relay: on frame, then off after the pulse; a refused scan does not', async () => {
    const started = await relayWithTickets(dir.path, ['TURN-0001']);
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
      '--turnstile',
      `lcus:${pair.device}:1`,
      '--pulse-ms',
      '150',
    ]);
    await waitForTickets(gate, 1);
    await waitFor(
      async () =>
        ((await gate?.call('status', {}))?.value?.turnstile as { state?: string } | undefined)?.state ===
        'ready',
      'turnstile ready',
    );

    const refused = await gate.call('scan', { barcode: 'NOT-A-TICKET' });
    expect(refused.value?.result).toBe('deny');
    const scannedAt = performance.now();
    const admitted = await gate.call('scan', { barcode: 'TURN-0001' });
    expect(admitted.value?.result).toBe('admit');

    const frames = await waitFor(
      () => (recorder.frames().length >= 2 ? recorder.frames() : null),
      'on and off frames',
    );
    // Queued pulses run in order, so had the refused scan opened, its frames would come first.
    expect(frames.map((frame) => frame.hex)).toEqual(['a00101a2', 'a00100a1']);
    // Off no sooner than the pulse after the scan was asked for. (Measured from the request: a reader
    // busy elsewhere can take the on frame late, which shortens the gap between the two frames.)
    expect((frames[1]?.at ?? 0) - scannedAt).toBeGreaterThanOrEqual(145);
  });

  it('rejects a bad --turnstile SPEC with exit 2 naming what is wrong', async () => {
    const error = await startGateProcess(['--data', `${dir.path}/gate`, '--turnstile', 'lcus:/dev/x:9']).then(
      () => null,
      (failure: Error) => failure.message,
    );
    expect(error).toMatch(/exited \(2\)/);
    expect(error).toMatch(/channel must be a whole number from 1 to 8, got "9"/);
  });
});
