/**
 * Load-generation helpers for bench/relay.ts: a lean keep-alive HTTP/1.1 client over raw sockets (so
 * the generator, not the server, is the cheap side), child-process servers that announce
 * `listening on http://…`, and percentiles. Loopback only; every loop is bounded by a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startServerProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited ${code} before listening: ${output}`)),
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (!match?.[1]) return;
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      child.removeAllListeners('exit');
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      resolve({
        url: match[1],
        pid: child.pid ?? 0,
        child,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

/** Server for the raw floor: the same requests, answered by bare node:http with "hello". */
export const HELLO_WORLD_SOURCE = `
const http = require('node:http');
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => response.end('hello world'));
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** One keep-alive connection sending one request at a time and parsing just enough of the answer. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: ((status: number) => void) | null = null;
  private failed: ((error: Error) => void) | null = null;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.failed?.(error));
    socket.on('close', () => this.failed?.(new Error('connection closed')));
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffer.subarray(0, end).toString('latin1');
    const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffer.length < end + 4 + length) return;
    this.buffer = this.buffer.subarray(end + 4 + length);
    const status = Number(head.slice(9, 12));
    const resolve = this.waiting;
    this.waiting = null;
    this.failed = null;
    resolve?.(status);
  }

  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export function postRequest(path: string, body: string, headers: Record<string, string>): Buffer {
  const lines = [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  latenciesMs: number[];
  badStatuses: number;
}

/**
 * `connections` loops, each sending requests back to back until `seconds` pass, the requests run
 * out or `isDone()` says so. `requestAt(i)` gives the i-th request; each is sent at most once.
 */
export async function runLoad(
  port: number,
  connections: number,
  seconds: number,
  total: number,
  requestAt: (index: number) => Buffer,
  isDone: () => boolean = () => false,
): Promise<LoadResult> {
  const sockets = await Promise.all(Array.from({ length: connections }, () => Connection.open(port)));
  const latenciesMs: number[] = [];
  let next = 0;
  let badStatuses = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    sockets.map(async (socket) => {
      while (Date.now() < deadline && next < total && !isDone()) {
        const index = next++;
        const sentAt = process.hrtime.bigint();
        const status = await socket.send(requestAt(index));
        latenciesMs.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
        if (status < 200 || status >= 300) badStatuses += 1;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  for (const socket of sockets) socket.close();
  latenciesMs.sort((a, b) => a - b);
  return {
    requests: latenciesMs.length,
    seconds: elapsed,
    perSecond: latenciesMs.length / elapsed,
    latenciesMs,
    badStatuses,
  };
}

/** Resident set size of a process, from /proc (Linux). */
export function residentMegabytes(pid: number, readStatus: (path: string) => string): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readStatus(`/proc/${pid}/status`));
  return match?.[1] ? Number(match[1]) / 1024 : Number.NaN;
}
