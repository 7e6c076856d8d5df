/** Numato relay boards over a real socat pty: ASCII commands, echo and prompt, GPIO passage input. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTurnstile, type Turnstile } from '../../electron/gate/turnstile/index.js';
import { numatoIndex } from '../../electron/gate/turnstile/numato.js';
import type { TurnstileSettings } from '../../shared/turnstile.js';
import { NumatoEmulator } from './emulators.js';
import { PtyPair, tempDir, waitFor } from './support.js';

const TUNING = {
  operationTimeoutMs: 1000,
  recoveryMs: 50,
  passagePollMs: 10,
  serialRetryMinMs: 20,
  serialRetryMaxMs: 100,
  serialWatchMs: 50,
};

describe('Numato relay board over a pty', () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PtyPair;
  let board: NumatoEmulator;
  let turnstile: Turnstile | null = null;

  beforeEach(async () => {
    dir = tempDir('numato');
    pair = new PtyPair(dir.path);
    await pair.plug();
    board = await NumatoEmulator.open(pair.emulator);
  });
  afterEach(async () => {
    await turnstile?.stop();
    turnstile = null;
    await board.close();
    await pair.unplug();
    dir.remove();
  });

  async function start(spec: string, extra: Partial<TurnstileSettings> = {}): Promise<Turnstile> {
    turnstile = createTurnstile(
      { spec, exitSpec: null, pulseMs: 100, passageTimeoutMs: null, ...extra },
      TUNING,
    );
    await turnstile.start();
    await waitFor(() => turnstile?.status().state === 'ready', 'driver ready');
    return turnstile;
  }

  it('sends "relay on N" then, after the pulse, "relay off N", and reads past echo and prompt', async () => {
    const driver = await start(`numato:${pair.device}:3`);
    expect(await driver.open('in', 100)).toEqual({ opened: true });
    const sent = board.commands.map((command) => command.text);
    expect(sent).toEqual(['relay on 3', 'relay off 3']);
    const [on, off] = board.commands;
    expect((off?.at ?? 0) - (on?.at ?? 0)).toBeGreaterThanOrEqual(95);
    expect(board.relays.get('3')).toBe(false);
  });

  it('numbers relays past 9 as letters, as the board expects', async () => {
    expect([numatoIndex(0), numatoIndex(9), numatoIndex(10), numatoIndex(31)]).toEqual(['0', '9', 'A', 'V']);
    const driver = await start(`numato:${pair.device}:12`);
    await driver.open('out', 50);
    expect(board.commands.map((command) => command.text)).toEqual(['relay on C', 'relay off C']);
  });

  it('passage signal on the GPIO within the window confirms: passed true', async () => {
    const driver = await start(`numato:${pair.device}:0`, { passageTimeoutMs: 5000, passageInput: 1 });
    const result = driver.open('in', 50);
    await waitFor(() => board.commands.some((command) => command.text === 'relay on 0'), 'relay on');
    await waitFor(() => board.commands.some((command) => command.text === 'gpio read 1'), 'first gpio poll');
    board.gpio.set('1', 1);
    expect(await result).toEqual({ opened: true, passed: true });
    expect(board.commands.map((command) => command.text)).toContain('relay off 0');
  });

  it('no passage signal within the window: passed false, so the engine annuls the admission', async () => {
    const driver = await start(`numato:${pair.device}:0`, { passageTimeoutMs: 500 });
    const result = await driver.open('in', 50);
    expect(result).toEqual({ opened: true, passed: false });
    const reads = board.commands.filter((command) => command.text === 'gpio read 0');
    expect(reads.length).toBeGreaterThan(1);
  });

  it('a board that stops answering: error, open by hand; recovers by itself when it answers again', async () => {
    const driver = await start(`numato:${pair.device}:0`);
    board.isAnswering = false;
    const failed = await driver.open('in', 50);
    expect(failed.opened).toBe(false);
    expect(failed.error).toMatch(/timed out/);
    expect(driver.status().state).toBe('error');
    board.isAnswering = true;
    await waitFor(() => driver.status().state === 'ready', 'ready again after the probe answers');
    expect(await driver.open('in', 50)).toEqual({ opened: true });
  });

  it('unplugged and back: disconnected then ready, and the board answers again', async () => {
    const driver = await start(`numato:${pair.device}:0`);
    await board.close();
    await pair.unplug();
    await waitFor(() => driver.status().state === 'disconnected', 'disconnected');
    await pair.plug();
    board = await NumatoEmulator.open(pair.emulator);
    await waitFor(() => driver.status().state === 'ready', 'ready after replug');
    expect(await driver.open('in', 50)).toEqual({ opened: true });
    expect(board.commands.map((command) => command.text)).toEqual(['relay on 0', 'relay off 0']);
  });
});
