/**
 * A real headless gate process (`gatehouse gate …`) for the simulator's end-to-end tests: waits for
 * its `listening on` line and calls its HTTP API (`POST /api/<method>`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { GATEHOUSE_BIN, REPO_ROOT } from '../relay/support.js';

export interface GateProcess {
  url: string;
  child: ChildProcess;
  call<T>(
    method: string,
    input: object,
  ): Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>;
  stop(): Promise<number | null>;
}

export function startGateProcess(args: {
  relayUrl: string;
  token: string;
  dataDir: string;
  name: string;
  events: string[];
}): Promise<GateProcess> {
  const argv = [
    GATEHOUSE_BIN,
    'gate',
    '--relay',
    args.relayUrl,
    '--token',
    args.token,
    '--data',
    args.dataDir,
    '--name',
    args.name,
    '--listen',
    '127.0.0.1:0',
    '--log-level',
    'warn',
  ];
  for (const event of args.events) argv.push('--event', event);
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (!url) return;
      resolve({
        url,
        child,
        async call(method, input) {
          const response = await fetch(`${url}/api/${method}`, {
            method: 'POST',
            body: JSON.stringify(input),
          });
          return (await response.json()) as never;
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) =>
      reject(new Error(`gate exited (${code}) before listening:\n${stdout}\n${stderr}`)),
    );
  });
}
