/**
 * A STAND-IN relay for gate tests: a scripted websocket server on 127.0.0.1 whose frames are built
 * and checked with shared/protocol.ts. It sends on cue what a test needs (a snapshot with an index,
 * a live index entry, a new key) without a real relay's store behind it.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseGateFrame, relayFrameSchema, type GateFrame, type RelayFrame } from '../../shared/protocol.js';

export interface StandInConnection {
  socket: WebSocket;
  frames: GateFrame[];
  send(frame: RelayFrame): void;
}

export interface StandIn {
  url: string;
  connections: StandInConnection[];
  stop(): Promise<void>;
}

/** `script` sees every frame the gate sends, with the connection it came on. */
export async function startStandIn(
  script: (connection: StandInConnection, frame: GateFrame) => void,
): Promise<StandIn> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/gate', maxPayload: 64 << 20 });
  await new Promise((resolve) => server.once('listening', resolve));
  const connections: StandInConnection[] = [];
  server.on('connection', (socket) => {
    const connection: StandInConnection = {
      socket,
      frames: [],
      send: (frame) => socket.send(JSON.stringify(relayFrameSchema.parse(frame))),
    };
    connections.push(connection);
    socket.on('message', (data: Buffer) => {
      const parsed = parseGateFrame(data.toString());
      if (!parsed.ok) throw new Error(`gate sent a bad frame: ${parsed.error}`);
      connection.frames.push(parsed.frame);
      if (parsed.frame.type === 'ping') connection.send({ type: 'pong', t: parsed.frame.t });
      script(connection, parsed.frame);
    });
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
