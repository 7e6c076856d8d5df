/**
 * `npm run bench [-- NAME ...] [--quick]`: runs the named benchmarks (all when none is named), prints
 * one table and writes bench/results.json with the same rows.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { Benchmark, BenchRow } from './types.js';

const BENCHMARKS: Record<string, () => Promise<{ run: Benchmark }>> = {
  relay: () => import('./relay.js'),
  'relay-snapshots': () => import('./relay-snapshots.js'),
  'relay-pg': () => import('./relay-pg.js'),
  gate: () => import('./gate.js'),
  snapshot: () => import('./snapshot.js'),
  ui: () => import('./ui.js'),
  turnstile: () => import('./turnstile.js'),
  e2e: () => import('./e2e.js'),
  'import-csv': () => import('./import-csv.js'),
  pin: () => import('./pin.js'),
  venue: () => import('./venue.js'),
};

function format(value: number | null, digits = 2): string {
  if (value === null || Number.isNaN(value)) return '—';
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en') : value.toFixed(digits);
}

function printTable(rows: BenchRow[]): void {
  const header = ['bench', 'figure', 'measured', 'goal', 'raw floor', 'ratio', 'result'];
  const body = rows.map((row) => [
    row.bench,
    row.figure,
    `${format(row.measured)} ${row.unit}`,
    row.goal ?? '—',
    row.floor === null ? '—' : `${format(row.floor)} ${row.unit}`,
    format(row.ratio),
    row.pass === null ? 'info' : row.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((line) => (line[column] ?? '').length)),
  );
  const render = (line: string[]) => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  console.log(render(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of body) console.log(render(line));
}

interface RunInfo {
  at: string;
  isQuick: boolean;
  machine: { cores: number; loadBefore: number; loadAfter: number };
}

const RESULTS = 'bench/results.json';

/**
 * Writes bench/results.json. A run of some benchmarks replaces only their rows: the others' rows stay,
 * with when and how each was measured (`runs`), so `npm run bench -- relay-pg` never erases the rest.
 */
function writeResults(run: RunInfo, rows: BenchRow[], names: string[]): void {
  let kept: BenchRow[] = [];
  let runs: Record<string, RunInfo> = {};
  if (names.length > 0 && existsSync(RESULTS)) {
    try {
      const old = JSON.parse(readFileSync(RESULTS, 'utf8')) as {
        rows?: BenchRow[];
        runs?: Record<string, RunInfo>;
      } & Partial<RunInfo>;
      kept = (old.rows ?? []).filter((row) => !names.includes(row.bench));
      const fallback = {
        at: old.at ?? '',
        isQuick: old.isQuick ?? false,
        machine: old.machine ?? run.machine,
      };
      for (const row of kept) runs[row.bench] = old.runs?.[row.bench] ?? fallback;
    } catch (error) {
      console.error(`${RESULTS} unreadable, written afresh: ${(error as Error).message}`);
      kept = [];
      runs = {};
    }
  }
  for (const row of rows) runs[row.bench] = run;
  writeFileSync(RESULTS, `${JSON.stringify({ ...run, runs, rows: [...kept, ...rows] }, null, 2)}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const isQuick = argv.includes('--quick');
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length) {
    console.error(
      `unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}`,
    );
    return 2;
  }
  const rows: BenchRow[] = [];
  // Latency figures mean little on a busy machine: record how busy it was, before and after.
  const loadBefore = loadavg()[0] ?? 0;
  for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
    const load = BENCHMARKS[name];
    if (!load) continue;
    console.error(`running ${name}${isQuick ? ' (quick)' : ''} …`);
    const started = performance.now();
    try {
      const { run } = await load();
      rows.push(...(await run({ isQuick })));
    } catch (error) {
      // One broken benchmark must not hide the others' figures: it becomes a failing row.
      console.error(`${name} failed:`, error);
      const message = error instanceof Error ? error.message : String(error);
      rows.push({
        bench: name,
        figure: `crashed: ${message.split('\n')[0]?.slice(0, 80) ?? ''}`,
        measured: Number.NaN,
        unit: '',
        goal: 'runs',
        floor: null,
        ratio: null,
        pass: false,
      });
    }
    console.error(`${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  printTable(rows);
  const machine = { cores: availableParallelism(), loadBefore, loadAfter: loadavg()[0] ?? 0 };
  console.log(
    `\nmachine: ${machine.cores} cores, 1-min load average ${machine.loadBefore.toFixed(2)} before, ${machine.loadAfter.toFixed(2)} after`,
  );
  writeResults({ at: new Date().toISOString(), isQuick, machine }, rows, names);
  console.log('\nwritten bench/results.json');
  return rows.some((row) => row.pass === false) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
