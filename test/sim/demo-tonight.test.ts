// The demo's night is tonight whatever the hour: `gatehouse demo` started at 02:00 in the morning
// (the clock set by Debian's libfaketime, preloaded into the real demo process) still gives a
// "valid" barcode the gate admits under the default date window, because the show starts a few
// hours from now rather than at a fixed hour of the day.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
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

describe('gatehouse demo at any hour', () => {
  it('admits the valid showcase barcode when started at 02:00', async () => {
    if (!existsSync(LIBFAKETIME)) throw new Error(`${LIBFAKETIME} missing: apt-get install -y faketime`);
    const child = spawn('node', ['bin/gatehouse', 'demo', '--rate', '0.1'], {
      stdio: 'pipe',
      env: {
        ...process.env,
        TZ: 'UTC',
        LD_PRELOAD: LIBFAKETIME,
        FAKETIME: '@2026-12-01 02:00:00',
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
      },
    });
    children.push(child);
    const output = await waitForOutput(child, /Ctrl-C stops everything/);
    const gateUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    const valid = /^\s+valid\s+([0-9A-F]{32})/m.exec(output)?.[1] ?? '';
    const response = await fetch(`${gateUrl}/api/scan`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ barcode: valid }),
    });
    const answer = (await response.json()) as { ok: boolean; value: { result: string; reason: string } };
    expect(answer).toMatchObject({ ok: true, value: { result: 'admit', reason: 'admitted' } });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
