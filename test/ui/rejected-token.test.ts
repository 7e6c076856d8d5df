// A refused gate token needs staff action, not patience (issue 10): in Chromium, against a real
// headless gate and relay, a revoked token and a wrong token both show "Action needed: …" with the
// badge in the `rejected` state, instead of the "offline, will retry" banner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import { runGatehouse, waitFor } from '../relay/support.js';
import { screenshot, startStack, type Stack } from './support.js';

const ACTION_NEEDED = "Action needed: the relay refused this gate's token — enter a new one in Settings";
let stack: Stack;
const extra: GateProcess[] = [];

beforeAll(async () => {
  stack = await startStack({ gateName: 'Door 1' });
  await stack.page.locator('[data-testid="connection-badge"][data-state="online"]').waitFor();
});
afterAll(async () => {
  for (const gate of extra) await gate.stop();
  await stack?.stop();
});

describe('rejected gate token (Chromium, real gate, real relay)', () => {
  it('shows "Action needed" instead of the offline banner when the token is revoked', async () => {
    const page = stack.page;
    const revoked = await runGatehouse([
      'relay',
      'revoke-gate',
      'Door 1',
      '--db',
      stack.temp.file('relay.db'),
    ]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const banner = page.locator('[data-testid="rejected-banner"]');
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.innerText()).toContain(ACTION_NEEDED);
    expect(await page.locator('[data-testid="connection-badge"]').getAttribute('data-state')).toBe(
      'rejected',
    );
    expect(await page.locator('[data-testid="offline-banner"]').count()).toBe(0);
    expect(await stack.gate.value('status')).toMatchObject({
      connection: 'rejected',
      rejectedReason: 'revoked',
    });
    await screenshot(page, 'rejected-token');
  });

  it('shows the same for a wrong token, with the reason in the status', async () => {
    const gate = await startGateProcess(
      [
        '--relay',
        stack.relay.url,
        '--data',
        stack.temp.file('wrong-token-gate'),
        '--name',
        'Door 2',
        '--event',
        '132218',
        '--listen',
        '127.0.0.1:0',
      ],
      { env: { GATEHOUSE_TOKEN: 'gh_not-a-token-this-relay-issued' } },
    );
    extra.push(gate);
    await waitFor(async () => (await gate.value('status')).connection === 'rejected', {
      message: 'the wrong token rejected',
    });
    expect((await gate.value('status')).rejectedReason).toBe('bad_token');
    const page = await stack.browser.newPage();
    await page.goto(gate.url);
    const banner = page.locator('[data-testid="rejected-banner"]');
    await banner.waitFor();
    expect(await banner.innerText()).toContain(ACTION_NEEDED);
    expect(await page.locator('[data-testid="offline-banner"]').count()).toBe(0);
    await page.close();
  });
});
