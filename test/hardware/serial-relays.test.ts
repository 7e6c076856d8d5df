/** LCUS and raw-serial relays driven over real socat pty pairs, with an emulator on the far end. */
import { realpathSync, rmSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTurnstile, type Turnstile } from '../../electron/gate/turnstile/index.js';
import type { TurnstileSettings, TurnstileStatus } from '../../shared/turnstile.js';
import { FrameRecorder } from './emulators.js';
import { PtyPair, tempDir, waitFor } from './support.js';

const TUNING = {
  operationTimeoutMs: 500,
  recoveryMs: 50,
  serialRetryMinMs: 20,
  serialRetryMaxMs: 100,
  serialWatchMs: 50,
};
const settings = (spec: string, exitSpec: string | null = null): TurnstileSettings => ({
  spec,
  exitSpec,
  pulseMs: 80,
  passageTimeoutMs: null,
});

describe('LCUS and raw serial relays over a pty', () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PtyPair;
  let recorder: FrameRecorder | null = null;
  let turnstile: Turnstile | null = null;

  beforeEach(async () => {
    dir = tempDir('lcus');
    pair = new PtyPair(dir.path);
    await pair.plug();
  });
  afterEach(async () => {
    await turnstile?.stop();
    await recorder?.close();
    await pair.unplug();
    dir.remove();
    turnstile = null;
    recorder = null;
  });

  /** The emulator sees the bytes a moment after the driver's write returns (socat relays them). */
  const framesWhen = (count: number, size = 4) =>
    waitFor(
      () =>
        recorder && recorder.frames(size).length >= count
          ? recorder.frames(size).map((frame) => frame.hex)
          : null,
      `${count} frames`,
    );

  async function startDriver(spec: string, exitSpec: string | null = null): Promise<Turnstile> {
    recorder = await FrameRecorder.open(pair.emulator);
    turnstile = createTurnstile(settings(spec, exitSpec), TUNING);
    await turnstile.start();
    await waitFor(() => turnstile?.status().state === 'ready', 'driver ready');
    return turnstile;
  }

  it('sends A0 01 01 A2 then, after the pulse, A0 01 00 A1', async () => {
    const driver = await startDriver(`lcus:${pair.device}`);
    const result = await driver.open('in', 120);
    expect(result).toEqual({ opened: true });
    const frames = await waitFor(
      () => (recorder && recorder.frames().length >= 2 ? recorder.frames() : null),
      'on and off frames',
    );
    expect(frames.map((frame) => frame.hex)).toEqual(['a00101a2', 'a00100a1']);
    const [on, off] = frames;
    // The relay must stay closed for the whole pulse or the turnstile does not release.
    expect((off?.at ?? 0) - (on?.at ?? 0)).toBeGreaterThanOrEqual(115);
  });

  it('uses the channel in the frame and its checksum (channel 2: A0 02 01 A3)', async () => {
    const driver = await startDriver(`lcus:${pair.device}:2`);
    await driver.open('in', 50);
    expect(await framesWhen(2)).toEqual(['a00201a3', 'a00200a2']);
  });

  it('queues a second open while the gate is open instead of dropping it', async () => {
    const driver = await startDriver(`lcus:${pair.device}`);
    const statuses: TurnstileStatus['state'][] = [];
    driver.onStatus((status) => statuses.push(status.state));
    const [first, second] = await Promise.all([driver.open('in', 60), driver.open('in', 60)]);
    expect([first, second]).toEqual([{ opened: true }, { opened: true }]);
    expect(await framesWhen(4)).toEqual(['a00101a2', 'a00100a1', 'a00101a2', 'a00100a1']);
    expect(statuses).toContain('busy');
    await waitFor(() => driver.status().state === 'ready', 'ready after the queue drains');
  });

  it('entry and exit on two channels of one board share the port', async () => {
    const driver = await startDriver(`lcus:${pair.device}:1`, `lcus:${pair.device}:2`);
    await driver.open('out', 50);
    await driver.open('in', 50);
    expect(await framesWhen(4)).toEqual(['a00201a3', 'a00200a2', 'a00101a2', 'a00100a1']);
    expect(driver.status()).toMatchObject({ state: 'ready', driver: 'lcus+lcus' });
  });

  it('raw serial sends the operator hex frames at the given baud', async () => {
    const driver = await startDriver(`serial:${pair.device}:19200:FF01AA:FF0055`);
    await driver.open('in', 50);
    expect(await framesWhen(2, 3)).toEqual(['ff01aa', 'ff0055']);
  });

  it('unplugged: disconnected, opens fail fast, then ready again when the port returns', async () => {
    const driver = await startDriver(`lcus:${pair.device}`);
    const states: string[] = [];
    driver.onStatus((status) => states.push(status.state));
    await recorder?.close();
    await pair.unplug();
    await waitFor(() => driver.status().state === 'disconnected', 'disconnected after unplug');
    const failed = await driver.open('in', 50);
    expect(failed.opened).toBe(false);
    expect(failed.error).toMatch(/port-device/);

    await pair.plug();
    recorder = await FrameRecorder.open(pair.emulator);
    await waitFor(() => driver.status().state === 'ready', 'ready after replug');
    expect(await driver.open('in', 50)).toEqual({ opened: true });
    expect(await framesWhen(2)).toEqual(['a00101a2', 'a00100a1']);
    expect(states.slice(0, 2)).toEqual(['disconnected', 'ready']);
  });

  it('the path vanishing is an unplug even while the old fd still works, and its return is a replug', async () => {
    // A hung-up tty can read as endless empty reads rather than an error; the path is what tells.
    const driver = await startDriver(`lcus:${pair.device}`);
    const target = realpathSync(pair.device);
    rmSync(pair.device);
    await waitFor(() => driver.status().state === 'disconnected', 'disconnected when the path goes');
    expect(driver.status().message).toMatch(/unplugged/);
    symlinkSync(target, pair.device);
    await waitFor(() => driver.status().state === 'ready', 'ready when the path is back');
    expect(await driver.open('in', 50)).toEqual({ opened: true });
    expect(await framesWhen(2)).toEqual(['a00101a2', 'a00100a1']);
  });

  it('stopping mid-pulse sends off at once rather than leaving the gate open', async () => {
    const driver = await startDriver(`lcus:${pair.device}`);
    const pending = driver.open('in', 60_000);
    expect(await framesWhen(1)).toEqual(['a00101a2']);
    await driver.stop();
    expect(await pending).toEqual({ opened: true });
    expect(await framesWhen(2)).toEqual(['a00101a2', 'a00100a1']);
    expect(driver.status().state).toBe('disconnected');
  });

  it('stopping while the on command is still being written also cuts the pulse short', async () => {
    const driver = await startDriver(`lcus:${pair.device}`);
    let stopping: Promise<void> | null = null;
    // 'busy' is announced while the on frame is on its way: stop right then.
    driver.onStatus((status) => {
      if (status.state === 'busy' && !stopping) stopping = driver.stop();
    });
    const pending = driver.open('in', 60_000);
    expect(await pending).toEqual({ opened: true });
    await stopping;
    expect(await framesWhen(2)).toEqual(['a00101a2', 'a00100a1']);
    expect(driver.status().state).toBe('disconnected');
  }, 15_000);

  it('a port that is not there yet: disconnected until it appears, without a restart', async () => {
    await pair.unplug();
    turnstile = createTurnstile(settings(`lcus:${pair.device}`), TUNING);
    await turnstile.start();
    expect(turnstile.status().state).toBe('disconnected');
    await pair.plug();
    recorder = await FrameRecorder.open(pair.emulator);
    await waitFor(() => turnstile?.status().state === 'ready', 'ready once the port exists');
    expect(await turnstile.open('in', 50)).toEqual({ opened: true });
  });
});
