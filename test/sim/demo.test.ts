// `gatehouse demo` as a user runs it: the compiled CLI starts a real relay, a real gate engine and
// its HTTP server in one process; the printed barcodes behave as printed through the printed URL;
// Ctrl-C (SIGINT) stops everything and exits 0. Needs `npm run build` first (the test suite runs it).
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runUntilExit } from '../relay/support.js';
import { killDemos, scan as scanAnswer, startDemo } from './demo-support.js';

afterEach(killDemos);

async function scan(gateUrl: string, barcode: string): Promise<{ result: string; reason: string }> {
  const answer = await scanAnswer(gateUrl, barcode);
  expect(answer.ok).toBe(true);
  return answer.value;
}

describe('gatehouse demo', () => {
  it('prints the URL and barcodes that behave as listed, and exits 0 on Ctrl-C', async () => {
    const { gateUrl, dataDir, barcode, interrupt } = await startDemo(['--rate', '20']);
    expect(gateUrl).not.toBe('');
    expect(existsSync(dataDir)).toBe(true);

    expect(await scan(gateUrl, barcode('valid'))).toMatchObject({ result: 'admit', reason: 'admitted' });
    expect(await scan(gateUrl, barcode('valid'))).toMatchObject({
      result: 'deny',
      reason: 'already_admitted',
    });
    expect(await scan(gateUrl, barcode('refunded'))).toMatchObject({ result: 'deny', reason: 'not_valid' });
    expect(await scan(gateUrl, barcode('reissued \\(old\\)'))).toMatchObject({ result: 'deny' });
    expect((await scan(gateUrl, barcode("another event's"))).result).toBe('deny');
    expect(await scan(gateUrl, barcode('unknown'))).toMatchObject({
      result: 'deny',
      reason: 'unknown_barcode',
    });
    const page = await fetch(gateUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    expect(await interrupt()).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a wrong --listen with exit 2', async () => {
    const { code, stderr } = await runUntilExit(['demo', '--listen', 'nonsense']);
    expect(code).toBe(2);
    expect(stderr).toContain('--listen must be HOST:PORT');
  });
});
