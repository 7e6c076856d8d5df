/**
 * A stand-in relay for `bench/snapshot.ts`, run as its own process so that making and sending a
 * million tickets does not share an event loop with the scans being timed. Every connection gets a
 * welcome and a full snapshot of TOTAL tickets in 250-ticket chunks, in barcode order (as the relay
 * sends them: its snapshot read is ORDER BY barcode), with versions that grow per connection, so each
 * new snapshot updates every ticket. Prints one JSON line
 * per snapshot sent: `{"listening":port}` first, then `{"connection":n,"beganAt":ms,"cursor":c}`.
 * Usage: node snapshot-relay.js TOTAL EVENT_ID
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, type RelayFrame } from '../shared/protocol.js';
import type { TicketState } from '../shared/tickets.js';

/** As relay/hub/session.ts sends them (SNAPSHOT_CHUNK). */
const FRAME = 250;
/** Frames in flight to the kernel before waiting: the relay's own backpressure. */
const IN_FLIGHT = 4;

/** Deterministic 32-hex-digit barcodes spread like real ones (the same as bench/gate.ts). */
export function barcodeOf(index: number): string {
  let x = (index + 1) * 0x9e3779b1;
  let text = '';
  for (let part = 0; part < 4; part += 1) {
    x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) ^ index;
    text += (x >>> 0).toString(16).padStart(8, '0');
  }
  return text.toUpperCase();
}

export function benchTicket(index: number, eventId: string, txId: number): TicketState {
  return {
    barcode: barcodeOf(index),
    ticketId: String(index),
    orderId: String(100_000 + (index >> 1)),
    eventId,
    ticketTypeId: '360875',
    ticketTypeName: 'General',
    holderName: `Holder ${index}`,
    customerName: `Customer ${index >> 1}`,
    email: `fan${index >> 1}@example.com`,
    valid: true,
    cause: 'sold',
    changedAt: '2026-11-27T08:00:00.000Z',
    version: { source: 'webhook', txId, seq: index + 1 },
  };
}

/** Ticket indexes in the order of their barcodes (byte order, as SQLite's BINARY collation sorts). */
export function barcodeOrder(total: number): Uint32Array {
  const barcodes = Array.from({ length: total }, (_, index) => barcodeOf(index));
  const order = Uint32Array.from({ length: total }, (_, index) => index);
  order.sort((a, b) => {
    const left = barcodes[a] as string;
    const right = barcodes[b] as string;
    return left < right ? -1 : left > right ? 1 : 0;
  });
  return order;
}

async function sendSnapshot(socket: WebSocket, order: Uint32Array, eventId: string, connection: number) {
  const total = order.length;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const send = (frame: RelayFrame) => {
    inFlight += 1;
    socket.send(JSON.stringify(frame), () => {
      inFlight -= 1;
      wake?.();
    });
  };
  const cursor = 1_000 * connection;
  process.stdout.write(`${JSON.stringify({ connection, beganAt: Date.now(), cursor })}\n`);
  send({
    type: 'welcome',
    protocol: PROTOCOL_VERSION,
    gate: 'Bench Gate',
    head: cursor,
    time: Date.now(),
    quarantined: 0,
    events: [
      { id: eventId, name: 'Bench Night', startDate: null, endDate: null, venueName: null, ticketTypes: [] },
    ],
  });
  send({ type: 'snapshot-begin', tickets: total, scans: 0, cursor });
  for (let from = 0; from < total; from += FRAME) {
    while (inFlight >= IN_FLIGHT && socket.readyState === socket.OPEN)
      await new Promise<void>((resolve) => (wake = resolve));
    if (socket.readyState !== socket.OPEN) return;
    const tickets = Array.from({ length: Math.min(FRAME, total - from) }, (_, offset) =>
      benchTicket(order[from + offset] as number, eventId, 10 + connection),
    );
    send({ type: 'snapshot-chunk', events: [], tickets, scans: [] });
  }
  send({ type: 'snapshot-end', cursor });
}

async function main(): Promise<void> {
  const [totalText = '0', eventId = '0'] = process.argv.slice(2);
  const order = barcodeOrder(Number(totalText));
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/gate' });
  await new Promise((resolve) => server.once('listening', resolve));
  let connections = 0;
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; t?: number };
      if (frame.type === 'ping') socket.send(JSON.stringify({ type: 'pong', t: frame.t }));
      if (frame.type === 'hello') {
        connections += 1;
        void sendSnapshot(socket, order, eventId, connections);
      }
    });
  });
  process.stdout.write(`${JSON.stringify({ listening: (server.address() as AddressInfo).port })}\n`);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

if (process.argv[1]?.endsWith('snapshot-relay.js')) void main();
