/**
 * Test helpers for anything that talks to a real relay: start `gatehouse relay serve` as a child
 * process (port 0, waiting for its `listening on` line), run other CLI commands, post deliveries, and
 * a websocket gate client that speaks the relay protocol and keeps the state a gate would.
 * Other suites may import these; every helper owns and cleans up what it starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { isPostgresUrl } from '../../relay/store/open.js';
import { openSqliteStore } from '../../relay/store/sqlite.js';
import { PROTOCOL_VERSION, parseRelayFrame, type GateFrame, type RelayFrame } from '../../shared/protocol.js';
import type { ScanRecord } from '../../shared/scans.js';
import type { TicketState } from '../../shared/tickets.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GATEHOUSE_BIN = join(REPO_ROOT, 'bin', 'gatehouse');
export const DEFAULT_SECRET = 'test-webhook-secret';

/** Polls `condition` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: { timeoutMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.message ?? 'condition'}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface TempDir {
  path: string;
  file(name: string): string;
  remove(): void;
}

export function makeTempDir(prefix = 'gatehouse-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file: (name) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }),
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/gatehouse ARGS` to completion. */
export function runGatehouse(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GATEHOUSE_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `gatehouse ARGS`; a process that does not exit by itself within 10 s is killed (code null). */
export function runUntilExit(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GATEHOUSE_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A process that never exits is killed after 10 s so the test reports it instead of hanging.
    const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RelayProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, no draining: for crash tests. */
  kill(): Promise<void>;
}

export interface RelayProcessOptions {
  dbPath: string;
  secret?: string;
  port?: number;
  extraArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export function startRelayProcess(options: RelayProcessOptions): Promise<RelayProcess> {
  const args = [
    GATEHOUSE_BIN,
    'relay',
    'serve',
    '--db',
    options.dbPath,
    '--port',
    String(options.port ?? 0),
    '--log-level',
    'warn',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, GATEHOUSE_WEBHOOK_SECRET: options.secret ?? DEFAULT_SECRET, ...options.env },
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/(\S+):(\d+))/.exec(stdout);
      if (!match) return;
      child.stdout.removeAllListeners('data');
      child.stdout.on('data', (more: Buffer) => (stdout += more.toString()));
      resolve({
        url: match[1] ?? '',
        port: Number(match[3]),
        child,
        output: () => ({ stdout, stderr }),
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
      reject(new Error(`relay exited (${code}) before listening:\n${stdout}\n${stderr}`)),
    );
  });
}

/**
 * Admin commands (add-gate, import-csv, backfill …) refuse a missing database: only `relay serve`
 * creates one. Tests that run them before any relay started create it first, migrated exactly as
 * serve would.
 */
export async function createRelayDatabase(dbPath: string): Promise<void> {
  // A PostgreSQL database is migrated by whichever command opens it first.
  if (isPostgresUrl(dbPath)) return;
  if (!existsSync(dbPath)) await openSqliteStore(dbPath).close();
}

/** Registers a gate with `relay add-gate` (creating the database first when no relay has yet). */
export async function addGateToken(dbPath: string, name: string): Promise<string> {
  await createRelayDatabase(dbPath);
  const result = await runGatehouse(['relay', 'add-gate', name, '--db', dbPath]);
  if (result.code !== 0) throw new Error(`add-gate failed: ${result.stderr}`);
  return result.stdout.trim().split('\n').pop() ?? '';
}

export interface PostResult {
  status: number;
  text: string;
  json: unknown;
}

export async function postDelivery(
  relayUrl: string,
  body: string | object,
  options: { secret?: string | null } = {},
): Promise<PostResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const secret = options.secret === undefined ? DEFAULT_SECRET : options.secret;
  if (secret !== null) headers['x-gatehouse-secret'] = secret;
  const response = await fetch(`${relayUrl}/webhooks/moshtix`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, text, json };
}

export async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  return response.json();
}

/** The seed document's ORDER_SAVED example, verbatim. */
export function seedDelivery(): Record<string, unknown> {
  return JSON.parse(
    readFileSync(join(REPO_ROOT, 'test', 'relay', 'fixtures', 'order-saved.json'), 'utf8'),
  ) as Record<string, unknown>;
}

export interface OrderSpec {
  orderId: number;
  eventId?: number;
  tickets: {
    barcode: string;
    valid?: boolean;
    ticketTypeId?: number;
    ticketTypeName?: string;
    ticketTypeTags?: string[];
  }[];
  /** Transaction ids in the snapshot; the highest is the snapshot's version. */
  transactions?: { id: number; type?: string }[];
  /** The event's dates; by default tonight's show (started an hour ago, ends in four). */
  startDate?: string;
  endDate?: string;
}

/** Tonight's show as gates see it under the default date window: started an hour ago, ends in four. */
export function tonight(now = Date.now()): { startDate: string; endDate: string } {
  return {
    startDate: new Date(now - 3_600_000).toISOString(),
    endDate: new Date(now + 4 * 3_600_000).toISOString(),
  };
}

const TONIGHT = tonight();

/** An ORDER_SAVED delivery shaped like the seed, with the given order, tickets and transactions. */
export function orderDelivery(spec: OrderSpec): Record<string, unknown> {
  const seed = seedDelivery();
  const data = seed.data as Record<string, unknown>;
  // The seed's show was in 2023; a gate's date window would call its tickets too late. One date per
  // test process, so repeated deliveries carry the same event and add no event entries to the log.
  const dates = TONIGHT;
  const event = {
    ...(data.event as Record<string, unknown>),
    id: spec.eventId ?? 132218,
    startDate: spec.startDate ?? dates.startDate,
    endDate: spec.endDate ?? dates.endDate,
  };
  const ticketTemplate = ((data.tickets as { items: Record<string, unknown>[] }).items[0] ?? {}) as Record<
    string,
    unknown
  >;
  const tickets = spec.tickets.map((ticket, index) => ({
    ...ticketTemplate,
    id: spec.orderId * 100 + index,
    barcode: ticket.barcode,
    valid: ticket.valid ?? true,
    ticketType: {
      id: ticket.ticketTypeId ?? 360875,
      name: ticket.ticketTypeName ?? 'free',
      tags: { items: (ticket.ticketTypeTags ?? []).map((name) => ({ name })) },
    },
  }));
  const transactions = (spec.transactions ?? [{ id: spec.orderId }]).map((tx) => ({
    id: tx.id,
    type: tx.type ?? 'PURCHASE',
    status: 'SUCCESS',
    ipAddress: null,
  }));
  return {
    eventType: 'order-saved-prepare-full-message',
    contextId: spec.orderId,
    data: {
      ...data,
      id: spec.orderId,
      event,
      tickets: { items: tickets },
      transactions: { items: transactions },
    },
  };
}

export interface Closed {
  code: number;
  reason: string;
}

/**
 * A gate as the relay sees it: sends hello, answers pings, parses every frame with the protocol
 * schema, and keeps ticket states, scans and the cursor the way a gate applies them.
 */
export class GateTestClient {
  readonly frames: RelayFrame[] = [];
  readonly tickets = new Map<string, TicketState>();
  readonly scans = new Map<string, { seq: number; scan: ScanRecord }>();
  /** Every ticket entry received, in order (duplicates included). */
  readonly ticketEntries: { seq: number; ticket: TicketState }[] = [];
  cursor = 0;
  readonly closed: Promise<Closed>;
  private readonly socket: WebSocket;
  private readonly opened: Promise<void>;
  private readonly listeners = new Set<() => void>();
  private protocolErrors: string[] = [];
  private helloCursor = 0;

  constructor(relayUrl: string, token: string) {
    this.socket = new WebSocket(`${relayUrl.replace(/^http/, 'ws')}/gate`, {
      headers: { authorization: `Bearer ${token}` },
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.socket.on('message', (data: Buffer) => this.receive(data.toString('utf8')));
  }

  /** Connects and says hello; resolves once the socket is open. */
  static async connect(
    relayUrl: string,
    token: string,
    hello?: { cursor?: number; events?: string[]; protocol?: number },
  ): Promise<GateTestClient> {
    const client = new GateTestClient(relayUrl, token);
    await client.opened;
    if (hello) client.hello(hello);
    return client;
  }

  hello(hello: { cursor?: number; events?: string[]; protocol?: number }): void {
    this.helloCursor = hello.cursor ?? 0;
    this.cursor = this.helloCursor;
    this.send({
      type: 'hello',
      protocol: hello.protocol ?? PROTOCOL_VERSION,
      cursor: hello.cursor ?? 0,
      events: hello.events ?? [],
    });
  }

  send(frame: GateFrame): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(text: string): void {
    this.socket.send(text);
  }

  get errors(): readonly string[] {
    return this.protocolErrors;
  }

  private receive(text: string): void {
    const parsed = parseRelayFrame(text);
    if (!parsed.ok) {
      this.protocolErrors.push(parsed.error);
      return;
    }
    const frame = parsed.frame;
    this.frames.push(frame);
    switch (frame.type) {
      case 'snapshot-chunk':
        for (const ticket of frame.tickets) this.tickets.set(ticket.barcode, ticket);
        for (const scan of frame.scans) this.scans.set(scan.scan.id, scan);
        break;
      case 'snapshot-end':
        this.cursor = frame.cursor;
        break;
      case 'entries':
        for (const entry of frame.entries) {
          if (entry.seq <= this.cursor)
            this.protocolErrors.push(`entry ${entry.seq} at or below cursor ${this.cursor}`);
          this.cursor = entry.seq;
          if (entry.kind === 'ticket') {
            this.tickets.set(entry.ticket.barcode, entry.ticket);
            this.ticketEntries.push({ seq: entry.seq, ticket: entry.ticket });
          } else if (entry.kind === 'scan') {
            this.scans.set(entry.scan.id, { seq: entry.seq, scan: entry.scan });
          }
        }
        break;
      case 'ping':
        this.send({ type: 'pong', t: frame.t });
        break;
      default:
        break;
    }
    for (const listener of this.listeners) listener();
  }

  /** Resolves with the first frame (already received or future) matching `predicate`. */
  waitForFrame<T extends RelayFrame['type']>(
    type: T,
    predicate: (frame: Extract<RelayFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<RelayFrame, { type: T }>> {
    return this.waitUntil(
      () =>
        this.frames.find(
          (frame): frame is Extract<RelayFrame, { type: T }> =>
            frame.type === type && predicate(frame as Extract<RelayFrame, { type: T }>),
        ),
      `a ${type} frame`,
      timeoutMs,
    );
  }

  /** Resolves once `condition` holds, re-checking after every frame. */
  waitUntil<T>(condition: () => T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = condition();
        if (value) {
          cleanup();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out waiting for ${what}; frames: ${this.frames.map((frame) => frame.type).join(',')}`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /**
   * Waits for the welcome and, when the hello asked for one (cursor 0), the end of the snapshot.
   * Entries committed after this point reach the gate even if its catch-up is still running.
   */
  async waitWelcomed(timeoutMs = 10_000): Promise<Extract<RelayFrame, { type: 'welcome' }>> {
    const welcome = await this.waitForFrame('welcome', () => true, timeoutMs);
    if (this.helloCursor === 0) await this.waitForFrame('snapshot-end', () => true, timeoutMs);
    return welcome;
  }

  ack(): void {
    this.send({ type: 'ack', cursor: this.cursor });
  }

  close(): Promise<Closed> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING)
      this.socket.close(1000, 'test done');
    return this.closed;
  }
}

/** An admission at `gate` now, as a gate would upload it (event 132218 unless changed). */
export function scanOf(gate: string, barcode: string, changes: Partial<ScanRecord> = {}): ScanRecord {
  return {
    id: randomUUID(),
    barcode,
    eventId: '132218',
    gate,
    at: new Date().toISOString(),
    direction: 'in',
    result: 'admit',
    reason: 'admitted',
    kind: 'scan',
    note: null,
    annuls: null,
    ...changes,
  };
}
