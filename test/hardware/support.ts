/**
 * Real transports for driver tests: socat pty pairs (one end for the driver, the other for a device
 * emulator) and a polling `waitFor` with a deadline. No sleeps: every wait is on a condition.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function waitFor<T>(
  condition: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `gatehouse-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A socat pty pair: `device` is what the driver opens (the "USB port"), `emulator` the other end.
 * `unplug()` kills socat (both ptys vanish); `plug()` starts it again on the same link paths.
 */
export class PtyPair {
  readonly device: string;
  readonly emulator: string;
  private socat: ChildProcess | null = null;

  constructor(dir: string, name = 'port') {
    this.device = join(dir, `${name}-device`);
    this.emulator = join(dir, `${name}-emulator`);
  }

  async plug(): Promise<void> {
    rmSync(this.device, { force: true });
    rmSync(this.emulator, { force: true });
    const socat = spawn(
      'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${this.device}`, `pty,raw,echo=0,link=${this.emulator}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.socat = socat;
    let output = '';
    socat.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<never>((_resolve, reject) =>
      socat.once('exit', (code) => reject(new Error(`socat exited ${code}: ${output}`))),
    );
    await Promise.race([
      waitFor(
        () =>
          existsSync(this.device) && existsSync(this.emulator) && /starting data transfer loop/.test(output),
        'socat pty links',
      ),
      exited,
    ]);
    exited.catch(() => undefined);
  }

  async unplug(): Promise<void> {
    const socat = this.socat;
    this.socat = null;
    if (!socat || socat.exitCode !== null) return;
    const gone = new Promise((resolve) => socat.once('exit', resolve));
    socat.kill('SIGTERM');
    await gone;
  }
}
