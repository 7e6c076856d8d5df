/**
 * Fuzzes a real relay's handling of gate frames: authenticated gates say hello, then send frames
 * generated from the protocol's gate frame schema and mutated (scans naming other gates, other
 * events, annulments of nothing, hellos twice, garbage). After each case a ping: the relay handles a
 * gate's frames in order, so its pong proves the case was handled. The relay may close a socket
 * over a bad frame (4004) — the gate reconnects — but must never fail internally (1011), die, or
 * stop answering.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { gateFrameSchema, PROTOCOL_VERSION } from '../../shared/protocol.js';
import type { Random } from '../../sim/random.js';
import { fuzzedJson, type JsonSchema } from '../generate.js';
import { addGate, postWebhook, startRelay, type Service } from '../processes.js';
import { within, type CaseInput, type FuzzTarget, type TargetSession } from '../run.js';
import { createRandom } from '../../sim/random.js';
import { webhookBody } from './webhooks.js';

const SCHEMA = z.toJSONSchema(gateFrameSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
const DEADLINE_MS = 20_000;
const EVENTS = ['132218', '999'];
const IDS = [
  '0f8e1fc2-0000-4000-8000-000000000001',
  '0f8e1fc2-0000-4000-8000-000000000002',
  '0f8e1fc2-0000-4000-8000-000000000003',
];

export function generateGateFrame(random: Random, gateNames: readonly string[]): string {
  return fuzzedJson(SCHEMA, random, {
    pool: [...gateNames, ...EVENTS, ...IDS, 'BARCODE-1'],
    poolChance: 0.6,
  });
}

/** One gate connection that reconnects (and says hello again) after the relay closes it. */
class GateLine {
  private socket: WebSocket | null = null;
  private readonly pongs = new Set<number>();
  private readonly waiters = new Set<() => void>();
  internalErrors: string[] = [];

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  private notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  private waitFor(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  private async open(): Promise<WebSocket> {
    const socket = new WebSocket(`${this.url.replace(/^http/, 'ws')}/gate`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    socket.on('message', (data: Buffer) => {
      try {
        const frame = JSON.parse(data.toString('utf8')) as { type?: unknown; t?: unknown };
        if (frame.type === 'pong' && typeof frame.t === 'number') this.pongs.add(frame.t);
        if (frame.type === 'ping') socket.send(JSON.stringify({ type: 'pong', t: frame.t }));
      } catch {
        this.internalErrors.push('the relay sent a frame that is not JSON');
      }
      this.notify();
    });
    socket.on('close', (code, reason) => {
      if (code === 1011) this.internalErrors.push(`closed 1011 (internal error): ${reason.toString()}`);
      if (this.socket === socket) this.socket = null;
      this.notify();
    });
    socket.on('error', () => socket.terminate());
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('close', () => reject(new Error('closed before open')));
    });
    socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, cursor: 0, events: EVENTS }));
    this.socket = socket;
    return socket;
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** Sends the frames and a marker ping; resolves once answered or closed. One case at a time. */
  deliver(frames: readonly string[], marker: number): Promise<void> {
    const next = this.queue.then(() => this.deliverNow(frames, marker));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async deliverNow(frames: readonly string[], marker: number): Promise<void> {
    const socket = this.socket ?? (await this.open());
    for (const text of frames) socket.send(text);
    if (this.socket !== socket) return;
    socket.send(JSON.stringify({ type: 'ping', t: marker }));
    await this.waitFor(() => this.pongs.has(marker) || this.socket !== socket);
    this.pongs.delete(marker);
  }

  close(): void {
    this.socket?.terminate();
  }
}

export function relayFramesTarget(): FuzzTarget {
  return {
    name: 'relay-frames',
    concurrency: 2,
    async start(): Promise<TargetSession> {
      const folder = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-relay-frames-'));
      const dbPath = join(folder, 'relay.db');
      let relay: Service = await startRelay(dbPath);
      const names = ['Fuzz A', 'Fuzz B'];
      const tokens = [await addGate(dbPath, 'Fuzz A'), await addGate(dbPath, 'Fuzz B')];
      const seeding = createRandom('relay-frames-tickets');
      for (let order = 0; order < 6; order += 1) await postWebhook(relay.url, webhookBody(seeding, false));
      const lines = new Map<number, GateLine>();
      const lineFor = (index: number) => {
        const slot = index % 2;
        let line = lines.get(slot);
        if (!line) {
          line = new GateLine(relay.url, tokens[slot] ?? '');
          lines.set(slot, line);
        }
        return line;
      };
      let marker = 0;
      const health = async (): Promise<string | null> => {
        if (!relay.isAlive()) return `the relay ${relay.exit() ?? 'died'}`;
        const answer = await within(
          DEADLINE_MS,
          'healthz',
          fetch(`${relay.url}/healthz`).then((response) => response.status),
        );
        return answer === 200 ? null : `/healthz answered ${String(answer)}`;
      };
      return {
        generate: (random, index): CaseInput => ({
          kind: 'frames',
          frames: Array.from({ length: random.chance(0.2) ? random.int(2, 5) : 1 }, () =>
            generateGateFrame(random, [names[index % 2] ?? '', ...names]),
          ),
        }),
        async run(input) {
          if (input.kind !== 'frames') return null;
          const line = lineFor(marker);
          let outcome: void | string;
          try {
            outcome = await within(
              DEADLINE_MS,
              'the relay answering a ping after the frames',
              line.deliver(input.frames, ++marker),
            );
          } catch (error) {
            // The relay refused to take a gate connection at all.
            outcome = `refused: a gate cannot connect: ${(error as Error).message}`;
          }
          if (!relay.isAlive())
            return `crash: the relay ${relay.exit() ?? 'died'}: ${relay.stderr().slice(-500)}`;
          const internal = line.internalErrors.splice(0);
          if (internal.length > 0) return `5xx: ${internal.join('; ')}`;
          return typeof outcome === 'string' ? outcome : null;
        },
        health,
        async restart() {
          for (const line of lines.values()) line.close();
          lines.clear();
          await relay.stop();
          relay = await startRelay(dbPath);
        },
        async stop() {
          for (const line of lines.values()) line.close();
          await relay.stop();
          rmSync(folder, { recursive: true, force: true });
        },
      };
    },
  };
}
