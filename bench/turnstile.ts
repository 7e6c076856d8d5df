/**
 * `npm run bench -- turnstile`: how long from a scan to the relay's on-frame reaching the device.
 * Everything real: a socat pty pair, an LCUS "device" on its far end, a relay process fed one webhook
 * order, and a headless gate process started with `--turnstile lcus:<pty>`. The figures:
 *  - raw floor: bytes written straight to the pty → received at the far end (nothing of ours);
 *  - driver: `turnstile.open()` → on-frame at the device (the driver alone, same pty);
 *  - scan: `POST /api/scan` sent → on-frame at the device (HTTP, engine, SQLite commit, driver).
 * Each pulse is waited out (off-frame seen) before the next scan, so no figure includes queueing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SerialPort } from 'serialport';

import { createTurnstile } from '../electron/gate/turnstile/index.js';
import { setLogLevel } from '../shared/logger.js';
import type { BenchOptions, BenchRow } from './types.js';

const SECRET = 'bench-webhook-secret';
const EVENT_ID = 132218;
const ON = 'a00101a2';

async function until<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`bench turnstile: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** The far end of the pty: records when each 4-byte frame completes. */
class Device {
  frames: { hex: string; at: number }[] = [];
  private pending = Buffer.alloc(0);
  constructor(readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      const at = performance.now();
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 4) {
        this.frames.push({ hex: this.pending.subarray(0, 4).toString('hex'), at });
        this.pending = this.pending.subarray(4);
      }
    });
  }
}

async function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return port;
}
const closePort = (port: SerialPort) => new Promise<void>((resolve) => port.close(() => resolve()));

function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/gatehouse', ...args, '--log-level', 'warn'], {
    env: { ...process.env, ...env },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1] ?? '' });
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${output}`)));
  });
}

function runCli(command: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/gatehouse', ...command]);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command.join(' ')} exited ${code}`)),
    );
  });
}

/** An ORDER_SAVED delivery shaped like the seed example, holding the given barcodes. */
function order(barcodes: string[]): unknown {
  const seed = JSON.parse(readFileSync('test/relay/fixtures/order-saved.json', 'utf8')) as {
    data: Record<string, unknown>;
  };
  const template = (seed.data.tickets as { items: Record<string, unknown>[] }).items[0] ?? {};
  const tickets = barcodes.map((barcode, index) => ({
    ...template,
    id: 5_000_000 + index,
    barcode,
    valid: true,
  }));
  return {
    eventType: 'order-saved-prepare-full-message',
    contextId: 777,
    data: {
      ...seed.data,
      id: 777,
      event: { ...(seed.data.event as object), id: EVENT_ID },
      tickets: { items: tickets },
      transactions: { items: [{ id: 777, type: 'PURCHASE', status: 'SUCCESS', ipAddress: null }] },
    },
  };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return response.json();
}

/** Runs `count` pulses: `trigger` starts one; the time to its on-frame is recorded, the off-frame awaited. */
async function measure(
  device: Device,
  count: number,
  trigger: () => Promise<unknown>,
  warmUp = 10,
): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count + warmUp; index += 1) {
    const seen = device.frames.length;
    const started = performance.now();
    const done = trigger();
    const on = await until(() => device.frames.slice(seen).find((frame) => frame.hex === ON), 'on-frame');
    if (index >= warmUp) samples.push(on.at - started);
    await done;
    await until(() => device.frames.length >= seen + 2, 'off-frame');
  }
  return samples;
}

/** The durable commit the engine makes before it opens: one WAL insert under synchronous=FULL. */
function commitFloor(dir: string, count: number): number[] {
  const database = new Database(join(dir, 'floor.db'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.exec('CREATE TABLE scans (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT');
  const insert = database.prepare('INSERT INTO scans (id, body) VALUES (?, ?)');
  const samples: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    insert.run(`scan-${index}`, 'x'.repeat(300));
    samples.push(performance.now() - started);
  }
  database.close();
  return samples;
}

function rows(figure: string, samples: number[], floor: number[] | null, goal: string | null): BenchRow[] {
  const make = (p: number, rowGoal: string | null): BenchRow => {
    const measured = percentile(samples, p);
    const floorValue = floor ? percentile(floor, p) : null;
    return {
      bench: 'turnstile',
      figure: `${figure} p${p}`,
      measured,
      unit: 'ms',
      goal: rowGoal,
      floor: floorValue,
      ratio: floorValue ? measured / floorValue : null,
      pass: rowGoal === null ? null : measured < 5,
    };
  };
  return [make(50, null), make(99, goal)];
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  setLogLevel('warn');
  const count = options.isQuick ? 60 : 300;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-turnstile-'));
  const [devicePath, emulatorPath] = [join(dir, 'device'), join(dir, 'emulator')];
  const socat = spawn('socat', [`pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${emulatorPath}`], {
    stdio: 'ignore',
  });
  const children: ChildProcess[] = [socat];
  try {
    await until(() => existsSync(devicePath) && existsSync(emulatorPath), 'socat links');
    const device = new Device(await openPort(emulatorPath));

    const raw = await openPort(devicePath);
    const floor = await measure(device, count, async () => {
      raw.write(Buffer.from(ON, 'hex'));
      raw.write(Buffer.from('a00100a1', 'hex'));
    });
    await closePort(raw);

    const driver = createTurnstile({
      spec: `lcus:${devicePath}`,
      exitSpec: null,
      pulseMs: 50,
      passageTimeoutMs: null,
    });
    await driver.start();
    await until(() => driver.status().state === 'ready', 'driver ready');
    const direct = await measure(device, count, () => driver.open('in', 50));
    await driver.stop();

    const barcodes = Array.from(
      { length: count + 10 },
      (_, index) => `BENCH-${String(index).padStart(5, '0')}`,
    );
    // relay serve creates the database; admin commands refuse a missing one.
    const relay = await startProcess(['relay', 'serve', '--db', join(dir, 'relay.db'), '--port', '0'], {
      GATEHOUSE_WEBHOOK_SECRET: SECRET,
    });
    children.push(relay.child);
    const token =
      (await runCli(['relay', 'add-gate', 'Bench', '--db', join(dir, 'relay.db')]))
        .trim()
        .split('\n')
        .pop() ?? '';
    await post(`${relay.url}/webhooks/moshtix`, order(barcodes), { 'x-gatehouse-secret': SECRET });
    const gate = await startProcess([
      'gate',
      '--data',
      join(dir, 'gate'),
      '--relay',
      relay.url,
      '--token',
      token,
      '--event',
      String(EVENT_ID),
      // The seed's event is dated 2023: door times are not what this measures.
      '--date-window',
      'off',
      '--turnstile',
      `lcus:${devicePath}`,
      '--pulse-ms',
      '50',
    ]);
    children.push(gate.child);
    await until(
      async () => {
        const status = (await post(`${gate.url}/api/status`, {})) as {
          value?: { tickets?: number; turnstile?: { state?: string } };
        };
        return (status.value?.tickets ?? 0) >= barcodes.length && status.value?.turnstile?.state === 'ready';
      },
      'gate synced with its turnstile ready',
      60_000,
    );
    let next = 0;
    const scans = await measure(device, count, async () => {
      const answer = (await post(`${gate.url}/api/scan`, { barcode: barcodes[next++] })) as {
        value?: { result?: string };
      };
      if (answer.value?.result !== 'admit')
        throw new Error(`bench turnstile: scan not admitted: ${JSON.stringify(answer)}`);
    });
    // The same request for a barcode the gate refuses: HTTP, engine and the SQLite commit, no relay.
    const refused: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const started = performance.now();
      await post(`${gate.url}/api/scan`, { barcode: `UNKNOWN-${index}` });
      refused.push(performance.now() - started);
    }
    await closePort(device.port);
    return [
      // The machine is shared; the load says how much of the tail is other people's work.
      {
        bench: 'turnstile',
        figure: 'load average (1 min) after the run',
        measured: loadavg()[0] ?? NaN,
        unit: '',
        goal: null,
        floor: null,
        ratio: null,
        pass: null,
      },
      ...rows('raw floor: pty write → device', floor, null, null),
      ...rows('driver.open → on-frame (lcus, pty)', direct, floor, null),
      ...rows('POST /api/scan → on-frame (headless gate, lcus, pty)', scans, floor, 'p99 < 5 ms'),
      ...rows('POST /api/scan round trip, refused barcode (no relay)', refused, null, null),
      ...rows('disk floor: one SQLite insert, synchronous=FULL', commitFloor(dir, count), null, null),
    ];
  } finally {
    for (const child of children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
