/**
 * PIN guessing benchmark (`npm run bench -- pin [--quick]`), against a real headless gate process
 * with a staff PIN: 16 clients (each from its own loopback address) guess PINs as fast as the gate
 * answers, while one more client scans; the figure is the scan round trip (POST /api/scan: HTTP,
 * the decision and its durable SQLite commit), p50 and p99, next to the same scans with nobody
 * guessing (the floor). Goal: p99 < 20 ms while guessing — scrypt runs off the event loop and
 * locked-out guesses are refused without it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call } from './pin-guessers.js';
import type { BenchOptions, BenchRow } from './types.js';

const GUESSERS = 16;
const PIN = '2468';

function startGate(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      'bin/gatehouse',
      'gate',
      '--data',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      '--name',
      'Bench',
      '--log-level',
      'error',
    ],
    { env: { ...process.env, GATEHOUSE_PIN: PIN }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on http:\/\/\S+:(\d+)/.exec(stdout);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`gate exited (${String(code)}) before listening`)));
  });
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

async function scans(port: number, count: number, label: string): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < count; index += 1)
    times.push(await call(port, 'scan', { barcode: `${label}-${index}` }, '127.0.0.2'));
  return times.sort((a, b) => a - b);
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-pin-'));
  const gate = await startGate(join(dir, 'gate'));
  let guesses = 0;
  try {
    const count = options.isQuick ? 200 : 1_000;
    await scans(gate.port, 50, 'WARMUP');
    const floor = await scans(gate.port, count, 'QUIET');
    // The guessers are another process, as attackers would be: the scanning client's own event loop
    // must not queue behind 16 guessers' callbacks, or the figure would measure this process.
    const guessers = spawn(
      process.execPath,
      [
        join(dirname(fileURLToPath(import.meta.url)), 'pin-guessers.js'),
        String(gate.port),
        String(GUESSERS),
        PIN,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let guesserOutput = '';
    guessers.stdout?.on('data', (chunk: Buffer) => (guesserOutput += chunk.toString()));
    await new Promise<void>((resolve) => {
      const ready = () => {
        if (guesserOutput.includes('guessing')) resolve();
        else guessers.stdout?.once('data', ready);
      };
      ready();
    });
    const loaded = await scans(gate.port, count, 'GUESSED');
    guessers.stdin?.end('stop\n');
    await new Promise((resolve) => guessers.once('exit', resolve));
    guesses = Number(/guesses (\d+)/.exec(guesserOutput)?.[1] ?? Number.NaN);
    const rows = (figure: string, fraction: number, goal: string | null): BenchRow => {
      const measured = percentile(loaded, fraction);
      const base = percentile(floor, fraction);
      return {
        bench: 'pin',
        figure,
        measured,
        unit: 'ms',
        goal,
        floor: base,
        ratio: base > 0 ? measured / base : null,
        pass: goal === null ? null : measured < 20,
      };
    };
    return [
      rows(`scan p50 while ${GUESSERS} clients guess PINs`, 0.5, null),
      rows(`scan p99 while ${GUESSERS} clients guess PINs`, 0.99, 'p99 < 20 ms'),
      {
        bench: 'pin',
        figure: `PIN guesses answered during ${count} scans`,
        measured: guesses,
        unit: 'guesses',
        goal: null,
        floor: null,
        ratio: null,
        pass: null,
      },
    ];
  } finally {
    gate.child.kill('SIGTERM');
    await new Promise((resolve) => gate.child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
