/**
 * The relay's heartbeat runs on the monotonic clock, and the relay tells gates its wall-clock time.
 * A real relay process under libfaketime, whose clock the test moves while it runs: a jump forward
 * does not drop a gate that answers its pings, a jump back does not keep a gate that went silent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION, parseRelayFrame } from '../../shared/protocol.js';
import { fakeClock } from '../gate/faketime.js';
import {
  addGateToken,
  GateTestClient,
  makeTempDir,
  startRelayProcess,
  waitFor,
  type Closed,
} from './support.js';

const HOUR = 3_600_000;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function relayUnderFakeClock() {
  const dir = makeTempDir();
  cleanups.push(() => dir.remove());
  const dbPath = dir.file('relay.db');
  const token = await addGateToken(dbPath, 'Gate 1');
  const clock = fakeClock(dir, 'relay');
  const relay = await startRelayProcess({ dbPath, env: clock.env });
  cleanups.push(() => relay.stop());
  return { relay, clock, token };
}

describe('relay heartbeat under a jumping clock', () => {
  it('keeps a gate that answers its pings when the clock jumps forward, and sends its time', async () => {
    const { relay, clock, token } = await relayUnderFakeClock();
    const gate = await GateTestClient.connect(relay.url, token, { cursor: 0, events: ['132218'] });
    cleanups.push(() => gate.close());
    let closed: Closed | null = null;
    void gate.closed.then((how) => (closed = how));
    const welcome = await gate.waitWelcomed();
    expect(Math.abs(welcome.time - Date.now())).toBeLessThan(60_000);
    expect(welcome.quarantined).toBe(0);

    clock.set('+1h');
    // A ping stamped with the jumped clock proves a heartbeat ran after the jump (and the relay's
    // pings carry its own epoch time).
    const ping = await gate.waitForFrame('ping', (frame) => frame.t > Date.now() + HOUR / 2, 30_000);
    expect(Math.abs(ping.t - (Date.now() + HOUR))).toBeLessThan(60_000);
    expect(closed).toBeNull();
  });

  it('drops a gate that went silent even though the clock went back', { timeout: 90_000 }, async () => {
    const { relay, clock, token } = await relayUnderFakeClock();
    // A gate that says hello and then never answers a ping.
    const socket = new WebSocket(`${relay.url.replace('http', 'ws')}/gate`, {
      headers: { authorization: `Bearer ${token}` },
    });
    cleanups.push(() => socket.terminate());
    let closeCode: number | null = null;
    socket.on('close', (code) => (closeCode = code));
    const welcomed = new Promise<void>((resolve) =>
      socket.on('message', (data: Buffer) => {
        const parsed = parseRelayFrame(data.toString());
        if (parsed.ok && parsed.frame.type === 'welcome') resolve();
      }),
    );
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, cursor: 0, events: [] }));
    await welcomed;
    clock.set('-1h');
    const code = await waitFor(() => closeCode, {
      timeoutMs: 60_000,
      message: 'the relay to drop the silent gate',
    });
    expect(code).toBe(4008);
  });
});
