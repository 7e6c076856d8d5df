/**
 * Fuzzes a real gate's handling of relay frames: a stand-in relay (a websocket server here) welcomes
 * the gate process and then sends it frames generated from the protocol's relay frame schema and
 * mutated. After each frame it sends a ping: the gate answers pings in order, so its pong proves the
 * frame was handled without hanging. The gate may drop the connection over a frame it cannot apply
 * (it reconnects and is welcomed again); it must never die or stop answering.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { PROTOCOL_VERSION, relayFrameSchema } from '../../shared/protocol.js';
import type { Random } from '../../sim/random.js';
import { fuzzedJson, type JsonSchema } from '../generate.js';
import { startService, type Service } from '../processes.js';
import { within, type FuzzTarget, type TargetSession } from '../run.js';
import { send } from './gate-api.js';

const SCHEMA = z.toJSONSchema(relayFrameSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
const DEADLINE_MS = 20_000;

export function generateRelayFrame(random: Random, pool: readonly string[]): string {
  return fuzzedJson(SCHEMA, random, { pool, poolChance: 0.5 });
}

/** The stand-in relay: one gate at a time; records its hello and answers its pings. */
class StandIn {
  readonly server: WebSocketServer;
  socket: WebSocket | null = null;
  private readonly waiters = new Set<() => void>();
  private pongs = new Set<number>();

  constructor() {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/gate' });
    this.server.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => this.receive(socket, data.toString('utf8')));
      socket.on('close', () => {
        if (this.socket === socket) this.socket = null;
        this.notify();
      });
      socket.on('error', () => socket.terminate());
    });
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  private receive(socket: WebSocket, text: string): void {
    let frame: { type?: unknown; t?: unknown };
    try {
      frame = JSON.parse(text) as { type?: unknown; t?: unknown };
    } catch {
      return;
    }
    if (frame.type === 'hello') {
      socket.send(
        JSON.stringify({
          type: 'welcome',
          protocol: PROTOCOL_VERSION,
          gate: 'Fuzz',
          head: 0,
          events: [],
          time: Date.now(),
          quarantined: 0,
        }),
      );
      this.socket = socket;
    } else if (frame.type === 'ping') {
      socket.send(JSON.stringify({ type: 'pong', t: frame.t }));
    } else if (frame.type === 'pong' && typeof frame.t === 'number') {
      this.pongs.add(frame.t);
    }
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** Resolves true when `condition` holds, re-checked on every message or close. */
  waitFor(condition: () => boolean): Promise<true> {
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        resolve(true);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Sends the frames and a marker ping; resolves once the gate answered the ping or hung up. */
  async deliver(frames: readonly string[], marker: number): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    for (const text of frames) socket.send(text);
    socket.send(JSON.stringify({ type: 'ping', t: marker }));
    await this.waitFor(() => this.pongs.has(marker) || this.socket !== socket);
    this.pongs.delete(marker);
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export function gateFramesTarget(): FuzzTarget {
  return {
    name: 'gate-frames',
    concurrency: 1,
    async start(): Promise<TargetSession> {
      const folder = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-gate-frames-'));
      const standIn = new StandIn();
      await new Promise<void>((resolve) => standIn.server.once('listening', () => resolve()));
      const pool = [
        '132218',
        '999',
        'Fuzz',
        'BARCODE-1',
        'BARCODE-2',
        '0f8e1fc2-0000-4000-8000-000000000001',
      ];
      const launch = () =>
        startService(
          [
            'gate',
            '--data',
            join(folder, 'gate'),
            '--listen',
            '127.0.0.1:0',
            '--name',
            'Fuzz',
            '--event',
            '132218',
            '--event',
            '999',
            '--relay',
            `ws://127.0.0.1:${standIn.port}`,
            // Most fuzzed frames are unreadable, and the gate backs off from such a relay: short waits.
            '--reconnect-max-ms',
            '200',
            '--log-level',
            'silent',
          ],
          { GATEHOUSE_TOKEN: 'gh_fuzz-token-0123456789' },
        );
      let gate: Service = await launch();
      let marker = 0;
      return {
        generate: (random) => ({
          kind: 'frames',
          frames: Array.from({ length: random.chance(0.1) ? random.int(2, 6) : 1 }, () =>
            generateRelayFrame(random, pool),
          ),
        }),
        async run(input) {
          if (input.kind !== 'frames') return null;
          const connected = await within(
            DEADLINE_MS,
            'the gate reconnecting',
            standIn.waitFor(() => standIn.socket !== null || !gate.isAlive()),
          );
          if (!gate.isAlive())
            return `crash: the gate ${gate.exit() ?? 'died'}: ${gate.stderr().slice(-500)}`;
          if (typeof connected === 'string') return connected;
          const answered = await within(
            DEADLINE_MS,
            'the gate answering a ping after the frames',
            standIn.deliver(input.frames, ++marker),
          );
          if (!gate.isAlive())
            return `crash: the gate ${gate.exit() ?? 'died'}: ${gate.stderr().slice(-500)}`;
          return typeof answered === 'string' ? answered : null;
        },
        async health() {
          if (!gate.isAlive()) return `the gate ${gate.exit() ?? 'died'}`;
          const answer = await within(
            DEADLINE_MS,
            'status',
            send(gate.port, {
              kind: 'http',
              method: 'POST',
              path: '/api/status',
              headers: { 'content-type': 'application/json', host: `127.0.0.1:${gate.port}` },
              body: '{}',
            }),
          );
          return answer === 200 ? null : `status answered ${String(answer)}`;
        },
        async restart() {
          await gate.stop();
          gate = await launch();
        },
        async stop() {
          await gate.stop();
          await standIn.close();
          rmSync(folder, { recursive: true, force: true });
        },
      };
    },
  };
}
