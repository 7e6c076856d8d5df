// Sounds in Debian's Chromium: the real Web Audio API is wrapped (not replaced) so the test can see
// which notes the page plays — admit and deny sound different, and switching sounds off silences
// them. Real relay process, real gate process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../relay/support.js';
import { HOLDERS, nextResult, scanLikeScanner, startStack, type Stack } from './support.js';

interface PlayedNote {
  frequency: number;
  wave: string;
}

let stack: Stack;
let lastScanId: string | null = null;

/** Records every oscillator the page starts, then lets the real one play. */
function recordNotes(): void {
  const played: { frequency: number; wave: string }[] = [];
  (window as unknown as { playedNotes: typeof played }).playedNotes = played;
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function createOscillator(this: AudioContext) {
    const oscillator = create.call(this);
    const start = oscillator.start.bind(oscillator);
    oscillator.start = (when?: number) => {
      played.push({ frequency: oscillator.frequency.value, wave: oscillator.type });
      start(when);
    };
    return oscillator;
  };
}

async function notesSoFar(): Promise<PlayedNote[]> {
  return stack.page.evaluate(() => (window as unknown as { playedNotes: PlayedNote[] }).playedNotes);
}

async function scan(barcode: string) {
  await scanLikeScanner(stack.page, barcode);
  const result = await nextResult(stack.page, lastScanId);
  lastScanId = result.scanId;
  return result;
}

beforeAll(async () => {
  stack = await startStack({ holders: HOLDERS.slice(0, 1) });
  await stack.page.addInitScript(recordNotes);
  await stack.page.reload();
  await stack.page.locator('[data-testid="connection-badge"][data-state="online"]').waitFor();
}, 120_000);
afterAll(async () => stack?.stop());

describe('scan sounds (Chromium, real gate, real relay)', () => {
  it('plays a bright rising pair for admit and a low buzz for deny', async () => {
    expect((await scan(HOLDERS[0]?.barcode ?? '')).verdict).toBe('admit');
    const admit = await waitFor(async () => ((await notesSoFar()).length >= 2 ? notesSoFar() : null), {
      message: 'the admit sound',
    });
    expect(admit).toEqual([
      { frequency: 880, wave: 'sine' },
      { frequency: 1320, wave: 'sine' },
    ]);
    expect((await scan('NOT-A-TICKET-404')).verdict).toBe('deny');
    const all = await waitFor(async () => ((await notesSoFar()).length >= 3 ? notesSoFar() : null), {
      message: 'the deny sound',
    });
    expect(all.slice(2)).toEqual([{ frequency: 180, wave: 'square' }]);
  });

  it('stays silent when sounds are switched off', async () => {
    await stack.gate.value('updateSettings', { changes: { sounds: false } });
    await stack.page.reload();
    await stack.page.locator('[data-testid="connection-badge"][data-state="online"]').waitFor();
    // The Scan screen renders only once the settings (and so the sounds switch) have loaded.
    await stack.page.locator('[data-testid="scan-input"]').waitFor();
    lastScanId = null;
    expect((await scan('NOT-A-TICKET-405')).verdict).toBe('deny');
    expect(await notesSoFar()).toEqual([]);
  });
});
