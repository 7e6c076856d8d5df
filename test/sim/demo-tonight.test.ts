// The demo's night is tonight whatever the hour: `gatehouse demo` started at 02:00 in the morning
// (the clock set by Debian's libfaketime, preloaded into the real demo process) still gives a
// "valid" barcode the gate admits under the default date window, because the show starts a few
// hours from now rather than at a fixed hour of the day.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { killDemos, scan, startDemo } from './demo-support.js';

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
afterEach(killDemos);

describe('gatehouse demo at any hour', () => {
  it('admits the valid showcase barcode when started at 02:00', async () => {
    if (!existsSync(LIBFAKETIME)) throw new Error(`${LIBFAKETIME} missing: apt-get install -y faketime`);
    const demo = await startDemo(['--rate', '0.1'], {
      TZ: 'UTC',
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME: '@2026-12-01 02:00:00',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    });
    expect(await scan(demo.gateUrl, demo.barcode('valid'))).toMatchObject({
      ok: true,
      value: { result: 'admit', reason: 'admitted' },
    });
    expect(await demo.interrupt()).toBe(0);
  });
});
