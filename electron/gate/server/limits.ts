/**
 * Connection and time limits of the headless gate's HTTP server. A gate PC keeps 1,024 descriptors
 * by default; the caps stay far below it so a flood of half-open connections cannot take the gate
 * (its database, serial ports and relay socket need descriptors too) down, and a slow or stalled
 * client is cut off: headers within 5 s, the whole request within 10 s (else 408), idle keep-alive
 * connections closed after 5 s.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { createLogger } from '../../../shared/logger.js';
import { normaliseAddress } from './origin.js';

const log = createLogger('gate.server');

export const GATE_MAX_CONNECTIONS = 128;
/** Chromium opens at most 6 connections per origin plus the events socket; a few tablets per address. */
export const GATE_MAX_CONNECTIONS_PER_ADDRESS = 32;
export const GATE_TIMEOUTS = {
  headersTimeout: 5_000,
  requestTimeout: 10_000,
  keepAliveTimeout: 5_000,
  /** How often Node looks for connections past those timeouts. */
  connectionsCheckingInterval: 1_000,
} as const;

/**
 * Caps connections overall (Node drops the excess before any byte is read) and per client address
 * (closed here, at once). Websocket connections count too: they stay the server's sockets.
 */
export function capConnections(server: Server, limits: { total: number; perAddress: number }): void {
  server.maxConnections = limits.total;
  const perAddress = new Map<string, number>();
  let lastWarned = 0;
  server.on('connection', (socket: Socket) => {
    const address = normaliseAddress(socket.remoteAddress ?? '?');
    const count = (perAddress.get(address) ?? 0) + 1;
    if (count > limits.perAddress) {
      if (Date.now() - lastWarned > 10_000) {
        lastWarned = Date.now();
        log.warn('too many connections from one address; refusing more', {
          address,
          limit: limits.perAddress,
        });
      }
      socket.destroy();
      return;
    }
    perAddress.set(address, count);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });
}
