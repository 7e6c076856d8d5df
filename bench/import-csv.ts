/**
 * CSV import benchmark (`npm run bench -- import-csv [--quick]`): `gatehouse relay import-csv` of a
 * generated export of 1,000,000 rows (100,000 with --quick) into a fresh relay database, as its own
 * process: rows per second (wall clock, parse + one all-or-nothing import transaction) and the
 * process's peak RSS. Both rows inform (the issue names the figures, not goals).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchOptions, BenchRow } from './types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PROBE = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'peak-rss-probe.js')).href;

async function writeExport(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('Order ID,Barcode,Status,First Name,Last Name,Email,Ticket Type\n');
  let chunk: string[] = [];
  for (let index = 0; index < rows; index += 1) {
    const order = 900_000 + Math.floor(index / 4);
    const status = index % 20 === 0 ? 'Refunded' : 'Valid';
    chunk.push(
      `${order},BENCH${index.toString(16).toUpperCase().padStart(27, '0')},${status},Fan,No ${index},fan${index}@example.com,General Admission`,
    );
    if (chunk.length === 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end(chunk.length > 0 ? `${chunk.join('\n')}\n` : '');
  await once(out, 'finish');
}

function runImport(dir: string, file: string): Promise<{ seconds: number; peakKilobytes: number }> {
  const rssFile = join(dir, 'peak-rss');
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      PROBE,
      join(ROOT, 'bin', 'gatehouse'),
      'relay',
      'import-csv',
      '--db',
      join(dir, 'relay.db'),
      '--event',
      '1',
      file,
    ],
    { env: { ...process.env, GATEHOUSE_PEAK_RSS_FILE: rssFile }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`import-csv exited ${code}: ${output.slice(0, 300)}`));
      else resolve({ seconds, peakKilobytes: Number(readFileSync(rssFile, 'utf8')) });
    });
  });
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const rows = options.isQuick ? 100_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-csv-'));
  try {
    const file = join(dir, 'tickets.csv');
    await writeExport(file, rows);
    const { seconds, peakKilobytes } = await runImport(dir, file);
    const label = `CSV import of ${rows.toLocaleString('en')} rows`;
    return [
      {
        bench: 'import-csv',
        figure: `${label}: throughput`,
        measured: rows / seconds,
        unit: 'rows/s',
        goal: null,
        floor: null,
        ratio: null,
        pass: null,
      },
      {
        bench: 'import-csv',
        figure: `${label}: wall time`,
        measured: seconds,
        unit: 's',
        goal: null,
        floor: null,
        ratio: null,
        pass: null,
      },
      {
        bench: 'import-csv',
        figure: `${label}: peak RSS`,
        measured: peakKilobytes / 1024,
        unit: 'MB',
        goal: null,
        floor: null,
        ratio: null,
        pass: null,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
