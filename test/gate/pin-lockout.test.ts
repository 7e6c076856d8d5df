/**
 * PIN guessing (issue 10): five wrong PINs in a row lock the client address out (pin_locked with the
 * seconds left), 30 s doubling up to 15 min; the right PIN is refused during the lock; no more than
 * 30 wrong PINs a minute per gate; the lock survives a restart. Real gate processes for the HTTP
 * behaviour, the guard over a real gate database with a hand-moved clock for the schedule.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCKED_ANSWER_DELAY_MS } from '../../electron/gate/api.js';
import { PinGuard } from '../../electron/gate/pin-guard.js';
import { GateStore } from '../../electron/gate/store/index.js';
import { makeTempDir } from '../relay/support.js';
import { apiCall } from './raw-http.js';
import { startGateProcess, type GateProcess } from './support.js';

const RIGHT = '2468';
const WRONG = '1357';
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function guardedGate(dataDir: string): Promise<GateProcess> {
  const pinFile = join(dataDir, '..', `${basename(dataDir)}.pin`);
  writeFileSync(pinFile, `${RIGHT}\n`, { mode: 0o600 });
  cleanups.push(() => rmSync(pinFile, { force: true }));
  const started = await startGateProcess([
    '--data',
    dataDir,
    '--listen',
    '127.0.0.1:0',
    '--name',
    'Gate 1',
    '--pin-file',
    pinFile,
  ]);
  cleanups.push(() => started.stop());
  return started;
}

interface PinAnswer {
  status: number;
  isValid?: boolean;
  code?: string;
  retryAfterSeconds?: number;
  message?: string;
}

async function tryPin(gate: GateProcess, pin: string, from = '127.0.0.1'): Promise<PinAnswer> {
  const answer = await apiCall(gate.port, 'checkPin', { pin }, {}, from);
  const body = JSON.parse(answer.body) as {
    ok: boolean;
    value?: { isValid: boolean };
    error?: { code: string; message: string; retryAfterSeconds?: number };
  };
  return {
    status: answer.status,
    isValid: body.value?.isValid,
    code: body.error?.code,
    retryAfterSeconds: body.error?.retryAfterSeconds,
    message: body.error?.message,
  };
}

describe('PIN lockout on a real headless gate', () => {
  it('locks an address out after 5 wrong PINs, refuses the right one meanwhile, and keeps the lock across a restart', async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    const first = await startGateProcess(
      ['--data', dir.path, '--listen', '127.0.0.1:0', '--name', 'Gate 1'],
      { env: { GATEHOUSE_PIN: RIGHT } },
    );
    for (let attempt = 1; attempt <= 4; attempt += 1)
      expect(await tryPin(first, WRONG)).toMatchObject({ status: 200, isValid: false });
    const fifth = await tryPin(first, WRONG);
    expect(fifth).toMatchObject({ status: 429, code: 'pin_locked', retryAfterSeconds: 30 });
    expect(fifth.message).toMatch(/30 s/);
    const askedAt = performance.now();
    const right = await tryPin(first, RIGHT);
    expect(right).toMatchObject({ status: 429, code: 'pin_locked' });
    // A locked-out client's refusal is held for a second (a guesser waiting on each answer slows down).
    expect(performance.now() - askedAt).toBeGreaterThanOrEqual(LOCKED_ANSWER_DELAY_MS);
    expect(right.retryAfterSeconds).toBeGreaterThan(0);
    // Another address is not locked out by this one.
    expect(await tryPin(first, RIGHT, '127.0.0.2')).toMatchObject({ status: 200, isValid: true });

    expect(await first.stop()).toBe(0);
    const second = await startGateProcess(['--data', dir.path, '--listen', '127.0.0.1:0']);
    cleanups.push(() => second.stop());
    const afterRestart = await tryPin(second, RIGHT);
    expect(afterRestart).toMatchObject({ status: 429, code: 'pin_locked' });
    expect(afterRestart.retryAfterSeconds).toBeGreaterThan(0);
    expect(afterRestart.retryAfterSeconds).toBeLessThanOrEqual(30);
    // Staff actions guarded by the PIN are refused the same way.
    const annul = await apiCall(second.port, 'manualAdmit', { barcode: 'B1', note: 'staff', pin: RIGHT });
    expect(annul.status).toBe(429);
  });

  it('caps wrong PINs at 30 a minute per gate, whatever the addresses', async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    const gate = await guardedGate(dir.path);
    // 4 wrong PINs from each of 7 addresses and 2 more: 30, and no address reached its own limit.
    let sent = 0;
    for (let host = 10; sent < 30; host += 1) {
      for (let attempt = 0; attempt < 4 && sent < 30; attempt += 1, sent += 1)
        expect(await tryPin(gate, WRONG, `127.0.0.${host}`)).toMatchObject({ isValid: false });
    }
    const fresh = await tryPin(gate, RIGHT, '127.0.0.99');
    expect(fresh).toMatchObject({ status: 429, code: 'pin_locked' });
    expect(fresh.retryAfterSeconds).toBeGreaterThan(0);
    expect(fresh.retryAfterSeconds).toBeLessThanOrEqual(60);
  });
});

describe('PIN guard schedule (real gate database, clock moved by hand)', () => {
  function guard() {
    const dir = makeTempDir();
    const store = new GateStore(`${dir.path}/gate.db`);
    cleanups.push(
      () => dir.remove(),
      () => store.closeFully(),
    );
    let now = Date.parse('2026-11-27T20:00:00Z');
    const pins = new PinGuard(store.state, () => now);
    const attempt = (pin: string, client = 'tablet') => pins.verify(client, async () => pin === RIGHT);
    return {
      store,
      dir,
      attempt,
      advance: (seconds: number) => (now += seconds * 1000),
      reopen: () => new PinGuard(store.state, () => now),
    };
  }

  it('doubles the lock from 30 s up to 15 min, and a right PIN after a lock resets it', async () => {
    const { attempt, advance } = guard();
    for (let index = 0; index < 4; index += 1)
      expect(await attempt(WRONG)).toEqual({ ok: false, reason: 'wrong' });
    expect(await attempt(WRONG)).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 30 });
    const locks: number[] = [30];
    for (let round = 0; round < 7; round += 1) {
      advance(locks[locks.length - 1] ?? 0);
      const next = await attempt(WRONG);
      expect(next.ok).toBe(false);
      locks.push(next.ok === false && next.reason === 'locked' ? next.retryAfterSeconds : -1);
    }
    expect(locks).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    advance(899);
    expect(await attempt(RIGHT)).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 1 });
    advance(1);
    expect(await attempt(RIGHT)).toEqual({ ok: true });
    for (let index = 0; index < 4; index += 1)
      expect(await attempt(WRONG)).toEqual({ ok: false, reason: 'wrong' });
    expect(await attempt(WRONG)).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 30 });
  });

  it('keeps the lock in the gate database', async () => {
    const { attempt, reopen, advance } = guard();
    for (let index = 0; index < 5; index += 1) await attempt(WRONG);
    advance(10);
    const reopened = reopen();
    expect(await reopened.verify('tablet', async () => true)).toEqual({
      ok: false,
      reason: 'locked',
      retryAfterSeconds: 20,
    });
    expect(await reopened.verify('other tablet', async () => true)).toEqual({ ok: true });
  });
});
