// Two gates offline admit the same ticket; when the relay comes back, Door 1's screen shows the
// conflict on its badge and lists it in Activity with both gates. Real relay (stopped and started
// again on the same database and port), two real gate processes, Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateProcess, type GateProcess } from '../gate/support.js';
import { addGateToken, startRelayProcess, waitFor } from '../relay/support.js';
import {
  EVENT_ID,
  HOLDERS,
  nextResult,
  scanLikeScanner,
  screenshot,
  startStack,
  type Stack,
} from './support.js';

const holder = HOLDERS[1];
let stack: Stack;
let door2: GateProcess;

beforeAll(async () => {
  stack = await startStack();
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
});
afterAll(async () => {
  await door2?.stop();
  await stack?.stop();
});

describe('conflicts (Chromium, two real gates, real relay)', () => {
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
    const list = page.locator('[data-testid="conflicts"]');
    await waitFor(async () => (await list.allInnerTexts()).join('').includes(barcode), {
      message: 'conflict listed',
    });
    const text = await list.innerText();
    expect(text).toContain('Door 1');
    expect(text).toContain('Door 2');
    await screenshot(page, 'activity-conflict');
  });
});
