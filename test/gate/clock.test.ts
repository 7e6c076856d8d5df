/**
 * Wall clocks jump (a PC syncing its time, a wrong time zone fixed mid-show). Real gate processes
 * under libfaketime, whose clock the test moves while they run:
 * - history is ordered by sequence, not by the wall-clock `at`: after the clock goes back an hour, a
 *   ticket that went in and out re-enters once, then is "already admitted" — here and at a gate whose
 *   clock was always right;
 * - heartbeats run on the monotonic clock: a jump neither drops a healthy link nor keeps a dead one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  addGateToken,
  makeTempDir,
  orderDelivery,
  postDelivery,
  startRelayProcess,
  waitFor,
} from '../relay/support.js';
import { fakeClock } from './faketime.js';
import { startStandIn, welcomeFrame } from './stand-in-relay.js';
import { gateArgs, startGateProcess, ticketOf, type GateProcess } from './support.js';
import { eventInfo } from './fixtures.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function online(gate: GateProcess, message: string): Promise<void> {
  await waitFor(async () => (await gate.value('status')).connection === 'online', {
    timeoutMs: 30_000,
    message,
  });
}

describe('a gate whose clock jumps', () => {
  it(
    're-admits once after in and out when the clock goes back an hour, then says already admitted',
    { timeout: 120_000 },
    async () => {
      const dir = makeTempDir();
      cleanups.push(() => dir.remove());
      const relayDb = dir.file('relay.db');
      const relay = await startRelayProcess({ dbPath: relayDb });
      cleanups.push(() => relay.stop());
      const posted = await postDelivery(
        relay.url,
        orderDelivery({ orderId: 7001, tickets: [{ barcode: 'CLOCK-IN-OUT-1' }] }),
      );
      expect(posted.status).toBe(200);

      const clock = fakeClock(dir, 'door');
      const flags = { extra: ['--reentry', 'after_exit'] };
      const door = await startGateProcess(
        gateArgs(dir.file('door'), relay.url, {
          name: 'Door',
          token: await addGateToken(relayDb, 'Door'),
          ...flags,
        }),
        { env: clock.env },
      );
      cleanups.push(() => door.stop());
      await waitFor(() => ticketOf(door, 'CLOCK-IN-OUT-1'), {
        timeoutMs: 30_000,
        message: 'the ticket at the door',
      });
      const scan = async (direction: 'in' | 'out') =>
        (await door.value('scan', { barcode: 'CLOCK-IN-OUT-1', direction })).reason;

      expect(await scan('in')).toBe('admitted');
      expect(await scan('out')).toBe('exited');
      clock.set('-1h');
      expect(await scan('in')).toBe('readmitted');
      expect(await scan('in')).toBe('already_admitted');
      expect(await scan('in')).toBe('already_admitted');
      // Still so once the relay has given every scan its seq.
      await waitFor(async () => (await door.value('status')).pendingScans === 0, {
        timeoutMs: 30_000,
        message: 'uploads',
      });
      expect(await scan('in')).toBe('already_admitted');

      // A gate with a right clock learns the same history, in the relay's order: the holder is inside.
      const other = await startGateProcess(
        gateArgs(dir.file('other'), relay.url, {
          name: 'Other',
          token: await addGateToken(relayDb, 'Other'),
          ...flags,
        }),
      );
      cleanups.push(() => other.stop());
      await waitFor(
        async () => (await other.value('ticket', { barcode: 'CLOCK-IN-OUT-1' }).catch(() => null))?.inside,
        { timeoutMs: 30_000, message: 'the other gate to know the holder is inside' },
      );
      expect((await other.value('scan', { barcode: 'CLOCK-IN-OUT-1' })).reason).toBe('already_admitted');
    },
  );

  it(
    'stays online with a live relay while its clock jumps forward and back',
    { timeout: 90_000 },
    async () => {
      const dir = makeTempDir();
      cleanups.push(() => dir.remove());
      const relay = await startStandIn((connection, frame) => {
        if (frame.type === 'hello') connection.send(welcomeFrame('Drifter', 0, [eventInfo('E1')]));
        if (frame.type === 'ping') connection.send({ type: 'pong', t: frame.t });
      });
      cleanups.push(() => relay.close());
      const clock = fakeClock(dir, 'drifter');
      const gate = await startGateProcess(
        gateArgs(dir.file('gate'), relay.url, { name: 'Drifter', token: 'drifter-token', events: ['E1'] }),
        { env: clock.env },
      );
      cleanups.push(() => gate.stop());
      await online(gate, 'the gate online');

      /** Waits for two more heartbeats: at least one ran wholly after the jump. */
      const twoMorePings = async (what: string) => {
        const count = () =>
          relay.connections.flatMap((c) => c.frames).filter((f) => f.type === 'ping').length;
        const before = count();
        await waitFor(() => count() >= before + 2, { timeoutMs: 30_000, message: `two pings ${what}` });
      };
      clock.set('+1h');
      await twoMorePings('after the clock jumped forward an hour');
      clock.set('-1h');
      await twoMorePings('after the clock jumped back two hours');

      expect(relay.connections).toHaveLength(1);
      expect(relay.connections[0]?.isClosed).toBe(false);
      const status = await gate.value('status');
      expect(status).toMatchObject({ connection: 'online', lastError: null });
    },
  );

  it('drops a relay that went silent even though its clock went back', { timeout: 90_000 }, async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    let isSilent = false;
    const relay = await startStandIn((connection, frame) => {
      if (isSilent) return;
      if (frame.type === 'hello') connection.send(welcomeFrame('Drifter', 0, [eventInfo('E1')]));
      if (frame.type === 'ping') connection.send({ type: 'pong', t: frame.t });
    });
    cleanups.push(() => relay.close());
    const clock = fakeClock(dir, 'drifter');
    const gate = await startGateProcess(
      gateArgs(dir.file('gate'), relay.url, { name: 'Drifter', token: 'drifter-token', events: ['E1'] }),
      { env: clock.env },
    );
    cleanups.push(() => gate.stop());
    await online(gate, 'the gate online');

    clock.set('-1h');
    isSilent = true;
    // The relay's socket stays open but says nothing: only the heartbeat can notice.
    await waitFor(() => relay.connections.length >= 2, {
      timeoutMs: 60_000,
      message: 'the gate to give up on the silent relay and dial again',
    });
    expect(relay.connections[0]?.frames[0]).toMatchObject({ type: 'hello' });
  });
});
