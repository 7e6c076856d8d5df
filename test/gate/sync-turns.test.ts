/**
 * The sync client handles relay frames one per turn of the event loop (electron/gate/sync/client.ts,
 * inboxPush): a STAND-IN relay writes a whole snapshot at once, so one socket read holds many frames,
 * and a counter bumped once per turn in this process shows that no two frames were handled in the
 * same turn — a scan's request, read between turns, waits for one frame at most, never for all.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { DEFAULT_SYNC_TIMING, SyncClient, type SyncTarget } from '../../electron/gate/sync/client.js';
import type { RelayFrame } from '../../shared/protocol.js';
import { waitFor } from '../relay/support.js';
import { eventInfo, ticketState } from './fixtures.js';
import { welcomeFrame } from './stand-in-relay.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const CHUNKS = 40;

async function relayWritingAllAtOnce(): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/gate' });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type !== 'hello') return;
      // Every frame is handed to the kernel in this one turn: the gate reads them in few reads.
      const frames: RelayFrame[] = [
        welcomeFrame('Gate T', 7, [eventInfo('E1')]),
        { type: 'snapshot-begin', tickets: CHUNKS * 50, scans: 0, cursor: 7 },
        ...Array.from({ length: CHUNKS }, (_, chunk): RelayFrame => ({
          type: 'snapshot-chunk',
          events: [],
          tickets: Array.from({ length: 50 }, (_, index) => ticketState(`T-${chunk}-${index}`)),
          scans: [],
        })),
        { type: 'snapshot-end', cursor: 7 },
      ];
      for (const each of frames) socket.send(JSON.stringify(each));
    });
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('sync client turns', () => {
  it('handles a burst of frames one per turn of the event loop, never several back to back', async () => {
    const url = await relayWritingAllAtOnce();
    let turn = 0;
    let isTicking = true;
    const tick = () => {
      turn += 1;
      if (isTicking) setImmediate(tick);
    };
    setImmediate(tick);
    cleanups.push(() => {
      isTicking = false;
    });
    const chunkTurns: number[] = [];
    let endedAt: number | null = null;
    const target: SyncTarget = {
      connection: () => ({ relayUrls: [url], token: 'stand-in-token' }),
      cursor: () => 0,
      events: () => ['E1'],
      pendingScans: () => [],
      welcome: () => 'kept',
      snapshotChunk: () => {
        chunkTurns.push(turn);
        return 0;
      },
      entries: () => ({ cursor: 0, errors: [] }),
      recordApplyErrors: () => [],
      snapshotEnd: () => {
        endedAt = turn;
      },
      scanAcked: () => {},
      scanRefused: () => {},
      changed: () => {},
    };
    const client = new SyncClient(target, DEFAULT_SYNC_TIMING);
    cleanups.push(() => client.stop());
    client.start();
    await waitFor(() => endedAt !== null);
    expect(chunkTurns).toHaveLength(CHUNKS);
    const sameTurn = chunkTurns.filter((at, index) => index > 0 && at === chunkTurns[index - 1]);
    expect(sameTurn).toEqual([]);
  });
});
