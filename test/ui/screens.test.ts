// Lookup, Activity and Settings in Chromium against a real headless gate and relay, driven by the
// keyboard only: slow typing on Scan becomes a lookup, a name finds its ticket, a manual admit
// goes through with a reason, Activity filters and exports CSV, Settings refuse a bad relay URL
// naming the field, and Escape always comes back to a focused scan input.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../relay/support.js';
import {
  HOLDERS,
  focusedId,
  nextResult,
  scanLikeScanner,
  screenshot,
  startStack,
  tabTo,
  type Stack,
} from './support.js';

const [first, , priya] = HOLDERS;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await stack.page.locator('[data-testid="connection-badge"][data-state="online"]').waitFor();
}, 120_000);
afterAll(async () => stack?.stop());

describe('Lookup, Activity, Settings by keyboard only (Chromium, real gate, real relay)', () => {
  it('slow typing on Scan shows matching tickets, and Enter opens Lookup with them', async () => {
    const page = stack.page;
    await page.locator('[data-testid="scan-input"]').waitFor();
    // A person at the keyboard: well over the scanner's inter-key gap.
    await page.keyboard.type('Priya R', { delay: 120 });
    const suggestions = page.locator('[data-testid="suggestions"]');
    await suggestions.waitFor();
    expect(await suggestions.innerText()).toContain('Priya Ramanathan');
    await screenshot(page, 'scan-typing-lookup');
    await page.keyboard.press('Enter');
    expect(await page.locator('[data-testid="scan-result"]').count()).toBe(0);
    await page.locator('[data-testid="lookup-results"]').waitFor();
    expect(await page.locator('[data-testid="lookup-query"]').inputValue()).toBe('Priya R');
  });

  it('lookup by name finds the ticket; its detail and a manual admit with a reason, keyboard only', async () => {
    const page = stack.page;
    await page.keyboard.press('Escape');
    await page.keyboard.press('F2');
    await page.locator('[data-testid="lookup-query"]').waitFor();
    expect(await page.locator('[data-testid="lookup-query"]').inputValue()).toBe('');
    expect(await focusedId(page)).toBe('lookup-query');
    await page.keyboard.type('priya');
    const results = page.locator('[data-testid="lookup-results"]');
    // Rows show the last 8 characters of a barcode (what staff compare with the ticket).
    await waitFor(
      async () => (await results.allInnerTexts()).join('').includes(priya?.barcode.slice(-8) ?? '?'),
      {
        message: 'lookup results for priya',
      },
    );
    await tabTo(
      page,
      'the Priya result',
      (element) => element.tag === 'button' && element.text.includes('Priya Ramanathan'),
    );
    await page.keyboard.press('Enter');
    const detail = page.locator('[data-testid="ticket-detail"]');
    await detail.waitFor();
    expect(await detail.innerText()).toContain('priya@example.com');
    await tabTo(page, 'Manual admit', (element) => element.text.startsWith('Manual admit'));
    await page.keyboard.press('Enter');
    expect(await focusedId(page)).toBe('action-note');
    await page.keyboard.type('phone battery dead, ID checked');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await detail.innerText()).includes('Manual admit:'), {
      message: 'manual admit confirmed',
    });
    await waitFor(
      async () =>
        (await page.locator('[data-testid="ticket-history"]').innerText()).includes('phone battery dead'),
      { message: 'history shows the manual admit' },
    );
    await screenshot(page, 'lookup-detail');
  });

  it('Activity lists decisions, filters by the keyboard and exports CSV', async () => {
    const page = stack.page;
    await page.keyboard.press('Escape');
    expect(await focusedId(page)).toBe('scan-input');
    await scanLikeScanner(page, first?.barcode ?? '');
    await nextResult(page, null);
    await scanLikeScanner(page, 'NO-SUCH-TICKET-1');
    await page.locator('[data-testid="scan-result"][data-result="deny"]').waitFor();
    await page.keyboard.press('F3');
    const table = page.locator('[data-testid="activity-table"]');
    await waitFor(async () => (await table.allInnerTexts()).join('').includes('TICKET-1'), {
      message: 'activity shows the deny',
    });
    expect(await focusedId(page)).toBe('activity-result');
    // Keyboard: choose "Denied only".
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await waitFor(async () => !(await table.innerText()).includes(first?.barcode.slice(-8) ?? '?'), {
      message: 'only denials listed',
    });
    expect(await table.innerText()).toContain('TICKET-1');
    await screenshot(page, 'activity');
    await tabTo(page, 'Export CSV', (element) => element.text.includes('Export CSV'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'at,gate,barcode,holderName,ticketType,eventId,direction,result,reason,kind,note,id,annuls',
    );
    expect(csv).toContain('NO-SUCH-TICKET-1');
    expect(csv).not.toContain(first?.barcode ?? '?');
  });

  it('Settings refuse a bad relay URL and name the field; nothing is saved', async () => {
    const page = stack.page;
    await page.keyboard.press('F4');
    const url = page.locator('[data-testid="setting-relayUrl"]');
    await url.waitFor();
    expect(await focusedId(page)).toBe('setting-relayUrl');
    const before = await url.inputValue();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('ftp://relay.example.com');
    await page.keyboard.press('Enter');
    const error = page.locator('[data-testid="error-relayUrl"]');
    await error.waitFor();
    expect(await error.innerText()).toBe('✖ Relay URL must be a ws://, wss://, http:// or https:// URL');
    await screenshot(page, 'settings-bad-url');
    const settings = await stack.gate.value('getSettings');
    expect(settings.relayUrl).toBe(before);
  });

  it('Settings say a too-short pulse in words: "Pulse must be at least 50 ms", no schema text', async () => {
    const page = stack.page;
    await page
      .locator('[data-testid="setting-relayUrl"]')
      .fill((await stack.gate.value('getSettings')).relayUrl ?? '');
    const pulse = page.locator('#setting-turnstile\\.pulseMs');
    await pulse.fill('10');
    await pulse.press('Enter');
    const error = page.locator('[data-testid="error-turnstile.pulseMs"]');
    await error.waitFor();
    expect(await error.innerText()).toBe('✖ Pulse must be at least 50 ms');
    expect(await page.locator('[data-testid="settings-error"]').innerText()).not.toMatch(
      /Too small|expected/,
    );
    await screenshot(page, 'settings-bad-pulse');
    await pulse.fill('500');
  });

  it('Settings save a valid change and the header follows', async () => {
    const page = stack.page;
    await page
      .locator('[data-testid="setting-relayUrl"]')
      .fill((await stack.gate.value('getSettings')).relayUrl ?? '');
    await page.locator('[data-testid="setting-gateName"]').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Door 1 North');
    await page.keyboard.press('Enter');
    await page.getByText('✔ Saved.').waitFor();
    expect((await stack.gate.value('getSettings')).gateName).toBe('Door 1 North');
    await waitFor(
      async () => (await page.locator('[data-testid="gate-name"]').innerText()) === 'Door 1 North',
      { message: 'header shows the new gate name' },
    );
  });

  it('Settings list the events the relay knows, with the gate token never shown', async () => {
    const page = stack.page;
    const events = page.locator('#setting-events');
    await waitFor(async () => (await events.innerText()).includes('Test API Event'), {
      message: 'known events listed',
    });
    const token = page.locator('[data-testid="setting-token"]');
    expect(await token.inputValue()).toBe('');
    expect(await token.getAttribute('type')).toBe('password');
    expect(await token.getAttribute('placeholder')).toMatch(/set/);
    await screenshot(page, 'settings');
    await page.keyboard.press('Escape');
    expect(await focusedId(page)).toBe('scan-input');
  });
});
