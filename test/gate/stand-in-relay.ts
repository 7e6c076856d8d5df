/**
 * A STAND-IN relay for gate tests: a scripted websocket server on 127.0.0.1 whose frames are checked
 * with shared/protocol.ts. It does on cue what the real relay never does (send a poisoned entry, go
 * silent) or what a test needs without a real relay's store behind it (a snapshot with an index, a
 * new key), and records every frame each gate connection sent.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  parseGateFrame,
  PROTOCOL_VERSION,
  relayFrameSchema,
  type GateFrame,
  type RelayFrame,
} from '../../shared/protocol.js';
import type { EventInfo } from '../../shared/tickets.js';

export interface StandInConnection {
  socket: WebSocket;
  authorization: string | undefined;
  frames: GateFrame[];
  isClosed: boolean;
  /** Sends a frame checked against the protocol schema. */
  send(frame: RelayFrame): void;
  /** Sends raw text, for frames the schema would refuse. */
  sendRaw(text: string): void;
}

export interface StandIn {
  url: string;
  connections: StandInConnection[];
  close(): Promise<void>;
}

export type StandInScript = (connection: StandInConnection, frame: GateFrame) => void;

/** `answersPings`: pong every ping before the script sees it (tests not about heartbeats). */
export async function startStandIn(
  script: StandInScript,
  { answersPings = false }: { answersPings?: boolean } = {},
): Promise<StandIn> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/gate', maxPayload: 64 << 20 });
  await new Promise((resolve) => server.once('listening', resolve));
  const connections: StandInConnection[] = [];
  server.on('connection', (socket, request) => {
    const connection: StandInConnection = {
      socket,
      authorization: request.headers.authorization,
      frames: [],
      isClosed: false,
      send: (frame) => socket.send(JSON.stringify(relayFrameSchema.parse(frame))),
      sendRaw: (text) => socket.send(text),
    };
    connections.push(connection);
    socket.on('close', () => (connection.isClosed = true));
    socket.on('message', (data: Buffer) => {
      const parsed = parseGateFrame(data.toString());
      if (!parsed.ok) throw new Error(`gate sent a bad frame: ${parsed.error}`);
      connection.frames.push(parsed.frame);
      if (answersPings && parsed.frame.type === 'ping') connection.send({ type: 'pong', t: parsed.frame.t });
      script(connection, parsed.frame);
    });
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** The welcome a stand-in sends: the relay's clock is the test's own. */
export function welcomeFrame(gate: string, head: number, events: EventInfo[], quarantined = 0): RelayFrame {
  return { type: 'welcome', protocol: PROTOCOL_VERSION, gate, head, events, time: Date.now(), quarantined };
}
