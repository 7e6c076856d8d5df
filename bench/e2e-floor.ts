/**
 * Raw floors for the end-to-end benchmark, measured in the same run and the same topology (one
 * websocket server, N in-process clients) with bare `ws` and no parsing, storage or rules:
 *   - fan-out: the server sends a frame, time until every client has it;
 *   - hop: client A sends a frame, the server forwards it, time until client B has it.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { percentile } from './relay-load.js';

export interface RawFloors {
  fanOutP99: number;
  hopP99: number;
}

export async function measureRawFloors(clients: number, samples: number): Promise<RawFloors> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const peers: WebSocket[] = [];
  server.on('connection', (socket) => {
    peers.push(socket);
    // Forward anything a client sends to every other client (the scan-sharing shape).
    socket.on('message', (data) => {
      for (const peer of peers) if (peer !== socket) peer.send(data);
    });
  });
  const sockets = await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(url);
          socket.once('open', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
  while (peers.length < clients) await new Promise((resolve) => setImmediate(resolve));
  // Every frame carries a tag; a client resolves the waiter for that tag only, so a late forwarded
  // copy from an earlier round can never end a later measurement early.
  const waiters = sockets.map(() => new Map<string, () => void>());
  sockets.forEach((socket, index) =>
    socket.on('message', (data) => {
      const tag = String(data);
      waiters[index]?.get(tag)?.();
      waiters[index]?.delete(tag);
    }),
  );
  const arrival = (index: number, tag: string) =>
    new Promise<void>((resolve) => waiters[index]?.set(tag, resolve));
  const fanOut: number[] = [];
  const hop: number[] = [];
  try {
    for (let round = 0; round < samples; round += 1) {
      const fanTag = `fan-${round}`;
      const arrivals = sockets.map((_socket, index) => arrival(index, fanTag));
      const started = performance.now();
      for (const peer of peers) peer.send(fanTag);
      await Promise.all(arrivals);
      fanOut.push(performance.now() - started);
      const hopTag = `hop-${round}`;
      const received = arrival(1, hopTag);
      const hopStarted = performance.now();
      sockets[0]?.send(hopTag);
      await received;
      hop.push(performance.now() - hopStarted);
    }
  } finally {
    for (const socket of sockets) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
  return {
    fanOutP99: percentile(
      fanOut.sort((a, b) => a - b),
      0.99,
    ),
    hopP99: percentile(
      hop.sort((a, b) => a - b),
      0.99,
    ),
  };
}
