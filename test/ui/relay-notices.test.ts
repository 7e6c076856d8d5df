// Problems the relay knows about reach the door: the gate PC's clock drifting from the relay's (the
// gate process runs under libfaketime, moved +10 min mid-test) and webhooks the relay could not read
// (an unreadable delivery posted to the real relay). Real relay and gate processes, Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateStatus } from '../../shared/gate-api.js';
import { fakeClock, type FakeClock } from '../gate/faketime.js';
import { makeTempDir, postDelivery, waitFor, type TempDir } from '../relay/support.js';
import { screenshot, startStack, type Stack } from './support.js';

let stack: Stack;
let clockDir: TempDir;
let clock: FakeClock;

beforeAll(async () => {
  clockDir = makeTempDir('gatehouse-clock-');
  clock = fakeClock(clockDir, 'gate');
  stack = await startStack({ gateEnv: clock.env });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  clockDir?.remove();
});

async function statusWhere(check: (status: GateStatus) => boolean, message: string): Promise<GateStatus> {
  return waitFor(
    async () => {
      const status = await stack.gate.value('status');
      return check(status) ? status : null;
    },
    { timeoutMs: 30_000, message },
  );
}

describe('relay notices at the gate (Chromium, real relay, real gate)', () => {
  it('warns when this PC’s clock is more than 2 minutes off the relay’s', async () => {
    const { page } = stack;
    const warning = page.locator('[data-testid="clock-skew-warning"]');
    const inStep = await statusWhere((status) => status.clockSkewMs !== null, 'the first clock reading');
    expect(Math.abs(inStep.clockSkewMs ?? Infinity)).toBeLessThan(5_000);
    await page.locator('[data-testid="connection-badge"][data-state="online"]').waitFor();
    expect(await warning.count()).toBe(0);

    clock.set('+10m');
    // The relay's next ping carries its time; the gate's reading follows it.
    const drifted = await statusWhere(
      (status) => (status.clockSkewMs ?? 0) > 9 * 60_000,
      'the gate to notice its clock is ahead',
    );
    expect(drifted.clockSkewMs).toBeLessThan(11 * 60_000);
    await warning.waitFor({ timeout: 10_000 });
    expect(await warning.innerText()).toMatch(
      /This PC's clock is 10 minutes ahead of the relay's — door rules that use the date may be wrong/,
    );
    await screenshot(page, 'clock-skew-warning');

    clock.set('+0');
    await statusWhere(
      (status) => Math.abs(status.clockSkewMs ?? Infinity) < 60_000,
      'the clock back in step',
    );
    await waitFor(async () => (await warning.count()) === 0, { message: 'the warning to go away' });
  });

  it('shows how many webhooks the relay holds that it could not read', async () => {
    const { page, relay } = stack;
    const banner = page.locator('[data-testid="relay-quarantine"]');
    await statusWhere((status) => status.relayQuarantined === 0, 'the relay’s quarantine count');
    expect(await banner.count()).toBe(0);

    const posted = await postDelivery(relay.url, '{"eventType": "order-saved-prepare-full-mes');
    expect(posted.status).toBe(202);
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.innerText()).toContain('The relay holds 1 webhook it could not read');
    expect((await stack.gate.value('status')).relayQuarantined).toBe(1);
    await screenshot(page, 'relay-quarantine');

    expect((await postDelivery(relay.url, 'not json either')).status).toBe(202);
    await waitFor(
      async () => (await banner.innerText()).includes('The relay holds 2 webhooks it could not read'),
      {
        timeoutMs: 30_000,
        message: 'the count to reach 2',
      },
    );
  });
});
