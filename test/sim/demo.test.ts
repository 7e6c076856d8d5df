// `gatehouse demo` as a user runs it: the compiled CLI starts a real relay, a real gate engine and
// its HTTP server in one process; the printed barcodes behave as printed through the printed URL;
// Ctrl-C (SIGINT) stops everything and exits 0. Needs `npm run build` first (the test suite runs it).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (pattern.test(text)) resolve(text);
    });
    child.once('exit', (code) => reject(new Error(`demo exited ${code} before ready:\n${text}\n${errors}`)));
  });
}

async function scan(gateUrl: string, barcode: string): Promise<{ result: string; reason: string }> {
  const response = await fetch(`${gateUrl}/api/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ barcode }),
  });
  const answer = (await response.json()) as { ok: boolean; value: { result: string; reason: string } };
  expect(answer.ok).toBe(true);
  return answer.value;
}

describe('gatehouse demo', () => {
  it('prints the URL and barcodes that behave as listed, and exits 0 on Ctrl-C', async () => {
    const child = spawn('node', ['bin/gatehouse', 'demo', '--rate', '20'], { stdio: 'pipe' });
    children.push(child);
    const output = await waitForOutput(child, /Ctrl-C stops everything/);
    const gateUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    const barcode = (label: string) =>
      new RegExp(`^\\s+${label}\\s+([0-9A-F]{32})`, 'm').exec(output)?.[1] ?? '';
    const dataDir = /data in (\S+)/.exec(output)?.[1] ?? '';
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

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a wrong --listen with exit 2', async () => {
    const child = spawn('node', ['bin/gatehouse', 'demo', '--listen', 'nonsense'], { stdio: 'pipe' });
    children.push(child);
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(errors).toContain('--listen must be HOST:PORT');
  });
});
