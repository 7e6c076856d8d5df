// Two gates offline admit the same ticket; when the relay comes back, Door 1's screen shows the
// conflict on its badge and lists it in Activity with the holder's name, the ticket type and both
// admissions. Staff mark it reviewed with a note: the review is recorded, shared through the relay
// to Door 2, and counted out of both badges. Real relay (stopped and started again on the same
// database and port), two real gate processes, Chromium, at both screen sizes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import { addGateToken, startRelayProcess, waitFor } from '../relay/support.js';
import {
  EVENT_ID,
  HOLDERS,
  VIEWPORTS,
  horizontalOverflow,
  nextResult,
  scanLikeScanner,
  screenshot,
  startStack,
  type Stack,
} from './support.js';

const holder = HOLDERS[1];

describe.each(VIEWPORTS)('conflicts, $name (Chromium, two real gates, real relay)', (viewport) => {
  let stack: Stack;
  let door2: GateProcess;
  const shot = (name: string) => screenshot(stack.page, `${name}-${viewport.name}`);

  beforeAll(async () => {
    stack = await startStack({ viewport });
    const token = await addGateToken(stack.temp.file('relay.db'), 'Door 2');
    door2 = await startGateProcess([
      '--relay',
      stack.relay.url,
      '--token',
      token,
      '--data',
      stack.temp.file('gate-2'),
      '--name',
      'Door 2',
      '--event',
      String(EVENT_ID),
      '--listen',
      '127.0.0.1:0',
    ]);
    await waitFor(
      async () =>
        (await door2.value('status')).connection === 'online' && (await door2.value('status')).tickets > 0,
      { message: 'Door 2 online with tickets', timeoutMs: 20_000 },
    );
  }, 120_000);
  afterAll(async () => {
    await door2?.stop();
    await stack?.stop();
  }, 120_000);

  it('the same ticket admitted at two gates while offline shows as a conflict after reconnecting', async () => {
    const page = stack.page;
    const barcode = holder?.barcode ?? '';
    await stack.relay.stop();
    await waitFor(async () => (await door2.value('status')).connection !== 'online', {
      message: 'Door 2 offline',
    });
    const badge = page.locator('[data-testid="connection-badge"]');
    await waitFor(async () => (await badge.getAttribute('data-state')) === 'offline', {
      message: 'Door 1 offline',
    });
    await page.locator('[data-testid="scan-input"]').waitFor();
    await scanLikeScanner(page, barcode);
    expect((await nextResult(page, null)).verdict).toBe('admit');
    expect(await door2.value('scan', { barcode })).toMatchObject({ result: 'admit' });

    const relayUrl = new URL(stack.relay.url);
    stack.relay = await startRelayProcess({
      dbPath: stack.temp.file('relay.db'),
      port: Number(relayUrl.port),
    });
    await waitFor(async () => /1 conflicts?/.test(await badge.innerText()), {
      message: 'badge shows the conflict',
      timeoutMs: 30_000,
    });
    await page.keyboard.press('F3');
    const conflict = page.locator('[data-testid="conflict"]');
    await conflict.waitFor();
    const text = await conflict.innerText();
    expect(text).toContain('Tom Lindqvist');
    expect(text).toContain('free');
    expect(text).toContain('Door 1');
    expect(text).toContain('Door 2');
    expect(text).toMatch(/\d\d:\d\d:\d\d[\s\S]*\d\d:\d\d:\d\d/);
    expect(await horizontalOverflow(page)).toBe(0);
    await shot('activity-conflict');
  });

  it('marking it reviewed with a note records it, shares it with Door 2 and takes it off both badges', async () => {
    const page = stack.page;
    const conflict = page.locator('[data-testid="conflict"]');
    await conflict.locator('[data-testid="review-conflict"]').click();
    await page.locator('#review-note').fill('Both scans were the same person; Door 2 let them back in');
    await page.keyboard.press('Enter');
    await waitFor(async () => /Reviewed at Door 1/.test(await conflict.innerText()), {
      message: 'shown as reviewed',
    });
    expect(await conflict.innerText()).toContain('Door 2 let them back in');
    const badge = page.locator('[data-testid="connection-badge"]');
    await waitFor(async () => !/conflict/.test(await badge.innerText()), { message: 'badge cleared' });
    await waitFor(async () => (await door2.value('status')).conflicts === 0, {
      message: 'Door 2 counts the review from Door 1',
      timeoutMs: 20_000,
    });
    const seen = (await door2.value('conflicts')).conflicts[0];
    expect(seen?.review).toMatchObject({
      gate: 'Door 1',
      note: 'Both scans were the same person; Door 2 let them back in',
    });
    await shot('activity-conflict-reviewed');
  });
});
