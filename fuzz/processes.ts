/**
 * The systems under fuzzing are real processes (`bin/gatehouse relay serve`, `bin/gatehouse gate`),
 * started on 127.0.0.1 port 0 in a temporary folder, so a crash is a dead process and a hang is a
 * socket that stops answering — exactly what a deployment would see.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function repositoryRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory)
    directory = dirname(directory);
  return directory;
}

export const ROOT = repositoryRoot();
const BIN = join(ROOT, 'bin', 'gatehouse');

export interface Service {
  url: string;
  port: number;
  child: ChildProcess;
  isAlive(): boolean;
  /** How it ended, once it has. */
  exit(): string | null;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `gatehouse ARGS` and resolves once it prints its `listening on http://…` line. */
export function startService(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Service> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let ended: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      ended = signal ? `killed by ${signal}` : `exited with code ${String(code)}`;
      resolve();
    }),
  );
  // Keep only the tail: a long fuzz run must not hoard the child's log.
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdout.includes('listening on http://')) return;
      stdout += chunk.toString();
      const match = /listening on (http:\/\/(\S+):(\d+))/.exec(stdout);
      if (!match) return;
      resolve({
        url: match[1] ?? '',
        port: Number(match[3]),
        child,
        isAlive: () => ended === null,
        exit: () => ended,
        stderr: () => stderr,
        async stop() {
          if (ended === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    void exited.then(() =>
      reject(new Error(`gatehouse ${args.join(' ')} ${ended ?? ''} before listening:\n${stderr}`)),
    );
  });
}

export function runGatehouse(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const FUZZ_SECRET = 'fuzz-webhook-secret';

export function startRelay(dbPath: string): Promise<Service> {
  return startService(['relay', 'serve', '--db', dbPath, '--port', '0', '--log-level', 'error'], {
    GATEHOUSE_WEBHOOK_SECRET: FUZZ_SECRET,
  });
}

/** Registers a gate on a running relay's database; returns its token. */
export async function addGate(dbPath: string, name: string): Promise<string> {
  const result = await runGatehouse(['relay', 'add-gate', name, '--db', dbPath]);
  if (result.code !== 0) throw new Error(`add-gate ${name}: ${result.stderr}`);
  return result.stdout.trim().split('\n').pop() ?? '';
}

export async function postWebhook(relayUrl: string, body: string): Promise<number> {
  const response = await fetch(`${relayUrl}/webhooks/moshtix`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gatehouse-secret': FUZZ_SECRET },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}
