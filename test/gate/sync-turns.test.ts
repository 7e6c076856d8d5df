/**
 * The sync client handles relay frames one per turn of the event loop (electron/gate/sync/client.ts,
 * inboxPush): a STAND-IN relay writes a whole snapshot at once, so one socket read holds many frames,
 * and a counter bumped once per turn in this process shows that no two frames were handled in the
 * same turn — a scan's request, read between turns, waits for one frame at most, never for all.
 * While the door is busy, Turns also leaves the loop idle for a millisecond between turns.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SYNC_TIMING, SyncClient, type SyncTarget } from '../../electron/gate/sync/client.js';
import { Turns } from '../../electron/gate/sync/turns.js';
import { waitFor } from '../relay/support.js';
import { eventInfo, ticketState } from './fixtures.js';
import { startStandIn, welcomeFrame } from './stand-in-relay.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const CHUNKS = 40;

/** A stand-in relay that answers hello with a whole snapshot at once: few socket reads, many frames. */
async function relayWritingAllAtOnce(): Promise<string> {
  const standIn = await startStandIn((connection, frame) => {
    if (frame.type !== 'hello') return;
    connection.send(welcomeFrame('Gate T', 7, [eventInfo('E1')]));
    connection.send({ type: 'snapshot-begin', tickets: CHUNKS * 50, scans: 0, cursor: 7 });
    for (let chunk = 0; chunk < CHUNKS; chunk += 1)
      connection.send({
        type: 'snapshot-chunk',
        events: [],
        tickets: Array.from({ length: 50 }, (_, index) => ticketState(`T-${chunk}-${index}`)),
        scans: [],
      });
    connection.send({ type: 'snapshot-end', cursor: 7 });
  });
  cleanups.push(() => standIn.close());
  return standIn.url;
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

  it('leaves the loop idle between turns while the door is busy', async () => {
    const turns = new Turns(() => 1);
    /** Wall time (ms) for 20 empty turns. */
    const twentyTurns = () =>
      new Promise<number>((resolve) => {
        const started = performance.now();
        for (let index = 1; index <= 20; index += 1)
          turns.take(() => {
            if (index === 20) resolve(performance.now() - started);
          });
      });
    // A pause of 1 ms after each: 20 ms (never much less: a timer cannot fire before it is due).
    expect(await twentyTurns()).toBeGreaterThanOrEqual(10);
  });
});
