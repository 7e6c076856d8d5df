/**
 * The sync client against a STAND-IN relay: a scripted websocket server on 127.0.0.1 whose frames
 * are built and checked with shared/protocol.ts. It does what the real relay never does on cue — go
 * silent, pause mid-snapshot — so heartbeats and snapshot progress can be watched.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { startGate, type GateEngine } from '../../electron/gate/index.js';
import type { GateEvent } from '../../shared/gate-api.js';
import {
  parseGateFrame,
  PROTOCOL_VERSION,
  relayFrameSchema,
  type GateFrame,
  type RelayFrame,
} from '../../shared/protocol.js';
import { makeTempDir, waitFor } from '../relay/support.js';
import { eventInfo, ticketState } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface StandIn {
  url: string;
  connections: { socket: WebSocket; authorization: string | undefined; frames: GateFrame[] }[];
}

async function standIn(
  script: (socket: WebSocket, send: (frame: RelayFrame) => void, frame: GateFrame) => void,
): Promise<StandIn> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/gate' });
  await new Promise((resolve) => server.once('listening', resolve));
  const state: StandIn = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: [],
  };
  server.on('connection', (socket, request) => {
    const connection = { socket, authorization: request.headers.authorization, frames: [] as GateFrame[] };
    state.connections.push(connection);
    const send = (frame: RelayFrame) => socket.send(JSON.stringify(relayFrameSchema.parse(frame)));
    socket.on('message', (data: Buffer) => {
      const parsed = parseGateFrame(data.toString());
      if (!parsed.ok) throw new Error(`gate sent a bad frame: ${parsed.error}`);
      connection.frames.push(parsed.frame);
      script(socket, send, parsed.frame);
    });
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  return state;
}

async function gate(relayUrl: string): Promise<{ engine: GateEngine; events: GateEvent[] }> {
  const dir = makeTempDir();
  const engine = await startGate({
    dataDir: dir.path,
    settings: { gateName: 'Gate S', events: ['E1'], relayUrl, token: 'stand-in-token' },
    // Store every snapshot chunk at once (not in 25k-ticket batches), so progress shows per chunk.
    syncTiming: {
      heartbeatIntervalMs: 50,
      heartbeatTimeoutMs: 300,
      backoffBaseMs: 20,
      backoffCapMs: 100,
      snapshotBatchTickets: 1,
    },
  });
  const events: GateEvent[] = [];
  engine.onEvent((event) => events.push(event));
  cleanups.push(
    () => dir.remove(),
    () => engine.stop(),
  );
  return { engine, events };
}

const welcome: RelayFrame = {
  type: 'welcome',
  protocol: PROTOCOL_VERSION,
  gate: 'Gate S',
  head: 7,
  events: [eventInfo('E1')],
  time: Date.now(),
  quarantined: 0,
};

describe('sync client against a stand-in relay', () => {
  it('drops a relay that goes silent and dials again', async () => {
    const relay = await standIn((_socket, send, frame) => {
      if (frame.type === 'hello') send(welcome);
      // …and then never a word again: no pongs, no pings.
    });
    const { events } = await gate(relay.url);
    await waitFor(
      () =>
        events.find(
          (event) =>
            event.type === 'status' &&
            event.status.connection === 'offline' &&
            event.status.lastError === 'relay went silent (heartbeat timeout)',
        ),
      {
        message: 'the heartbeat timeout',
      },
    );
    await waitFor(() => relay.connections.length >= 2, { message: 'a second connection' });
    const first = relay.connections[0];
    expect(first?.authorization).toBe('Bearer stand-in-token');
    expect(first?.frames[0]).toEqual({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      cursor: 0,
      events: ['E1'],
    });
    expect(first?.frames.some((frame) => frame.type === 'ping')).toBe(true);
  });

  // A frame the gate cannot read at all makes it dial again (test/gate/poison.test.ts).
  it('reports snapshot progress and moves the cursor only at snapshot-end', async () => {
    let release: () => void = () => {};
    const ended = new Promise<void>((resolve) => (release = resolve));
    const relay = await standIn((_socket, send, frame) => {
      if (frame.type === 'ping') send({ type: 'pong', t: frame.t });
      if (frame.type !== 'hello') return;
      send(welcome);
      send({ type: 'snapshot-begin', tickets: 3, scans: 0, cursor: 7 });
      send({
        type: 'snapshot-chunk',
        events: [eventInfo('E1')],
        tickets: [ticketState('S1'), ticketState('S2')],
        scans: [],
      });
      void ended.then(() => {
        send({ type: 'snapshot-chunk', events: [], tickets: [ticketState('S3')], scans: [] });
        send({ type: 'snapshot-end', cursor: 7 });
      });
    });
    const { engine, events } = await gate(relay.url);
    await waitFor(
      () => events.find((event) => event.type === 'status' && event.status.snapshot?.received === 2),
      { message: 'progress 2 of 3' },
    );
    const midway = await engine.handlers.status({});
    expect(midway.ok && midway.value).toMatchObject({
      cursor: 0,
      tickets: 2,
      snapshot: { received: 2, total: 3 },
      connection: 'online',
    });
    release();
    const done = await waitFor(
      async () => {
        const status = await engine.handlers.status({});
        return status.ok && status.value.cursor === 7 ? status.value : null;
      },
      { message: 'the snapshot end' },
    );
    expect(done).toMatchObject({ tickets: 3, snapshot: null, lag: 0 });
    await waitFor(
      () => relay.connections[0]?.frames.some((frame) => frame.type === 'ack' && frame.cursor === 7),
      { message: 'the ack' },
    );
    expect(relay.connections).toHaveLength(1);
  });
});
