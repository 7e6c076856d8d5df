/**
 * Helpers for tests that run real headless gates: `node bin/gatehouse gate …` as a child process,
 * waiting for its `listening on` line, plus a typed client for its HTTP API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { ApiResult, GateMethod, MethodOutput } from '../../shared/gate-api.js';
import { GATEHOUSE_BIN, REPO_ROOT } from '../relay/support.js';

export interface GateProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  call<M extends GateMethod>(method: M, input?: unknown, pin?: string): Promise<ApiResult<MethodOutput<M>>>;
  /** Calls and unwraps an ok answer; throws with the error otherwise. */
  value<M extends GateMethod>(method: M, input?: unknown, pin?: string): Promise<MethodOutput<M>>;
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

export function startGateProcess(
  args: readonly string[],
  options: {
    env?: NodeJS.ProcessEnv;
    /** A command that runs the gate, e.g. `ip netns exec NAME` (it must exec, so signals reach the gate). */
    prefix?: readonly string[];
  } = {},
): Promise<GateProcess> {
  const command = [...(options.prefix ?? []), process.execPath, GATEHOUSE_BIN, 'gate', '--log-level', 'warn'];
  const child = spawn(command[0] ?? process.execPath, [...command.slice(1), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const wasListening = /listening on http:\/\//.test(stdout);
      stdout += chunk.toString();
      const match = /listening on (http:\/\/(\S+):(\d+))/.exec(stdout);
      if (!match || wasListening) return;
      const url = match[1] ?? '';
      const call = async <M extends GateMethod>(method: M, input: unknown = {}, pin?: string) => {
        const response = await fetch(`${url}/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(pin ? { 'x-gatehouse-pin': pin } : {}) },
          body: JSON.stringify(input),
        });
        return (await response.json()) as ApiResult<MethodOutput<M>>;
      };
      resolve({
        url,
        port: Number(match[3]),
        child,
        output: () => ({ stdout, stderr }),
        call,
        async value(method, input, pin) {
          const result = await call(method, input, pin);
          if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`);
          return result.value;
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      });
    });
    void exited.then((code) =>
      reject(new Error(`gate exited (${code}) before listening:\n${stdout}\n${stderr}`)),
    );
  });
}

export interface GateFlags {
  name: string;
  token: string;
  events?: string[];
  extra?: string[];
}

/** The flags of a gate process connected to `relayUrl`, with its own data dir. */
export function gateArgs(dataDir: string, relayUrl: string, flags: GateFlags): string[] {
  return [
    '--data',
    dataDir,
    '--listen',
    '127.0.0.1:0',
    '--relay',
    relayUrl,
    '--token',
    flags.token,
    '--name',
    flags.name,
    ...(flags.events ?? ['132218']).flatMap((event) => ['--event', event]),
    ...(flags.extra ?? []),
  ];
}

/** Waits until the gate knows the barcode (optionally in a given validity). */
export async function ticketOf(gate: GateProcess, barcode: string): Promise<MethodOutput<'ticket'> | null> {
  const result = await gate.call('ticket', { barcode });
  return result.ok ? result.value : null;
}
