/**
 * `gatehouse demo` as a user runs it, for the demo tests: the compiled CLI in a child process, read
 * until it says it is ready, with what it printed (the gate's URL, the barcodes, the data folder).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

const children: ChildProcessWithoutNullStreams[] = [];

/** Kills every demo still running (for afterEach). */
export function killDemos(): void {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}

export interface RunningDemo {
  child: ChildProcessWithoutNullStreams;
  output: string;
  gateUrl: string;
  dataDir: string;
  /** The barcode printed on the line labelled `label` (a regular expression's text). */
  barcode(label: string): string;
  /** Ctrl-C, and the exit code. */
  interrupt(): Promise<number | null>;
}

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

export async function startDemo(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunningDemo> {
  const child = spawn('node', ['bin/gatehouse', 'demo', ...args], {
    stdio: 'pipe',
    env: { ...process.env, ...env },
  });
  children.push(child);
  const output = await waitForOutput(child, /Ctrl-C stops everything/);
  return {
    child,
    output,
    gateUrl: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '',
    dataDir: /data in (\S+)/.exec(output)?.[1] ?? '',
    barcode: (label) => new RegExp(`^\\s+${label}\\s+([0-9A-F]{32})`, 'm').exec(output)?.[1] ?? '',
    interrupt: () => {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      return exited;
    },
  };
}

/** POST /api/scan on the demo's gate; its answer. */
export async function scan(
  gateUrl: string,
  barcode: string,
): Promise<{ ok: boolean; value: { result: string; reason: string } }> {
  const response = await fetch(`${gateUrl}/api/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ barcode }),
  });
  return (await response.json()) as { ok: boolean; value: { result: string; reason: string } };
}
