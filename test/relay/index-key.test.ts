/**
 * The other-events index key (issue 12) lives in the relay database (migration 3): a restarted relay,
 * and a second relay on the same database, hash with the same key, so gates keep their index rather
 * than starting over from a fresh snapshot (a gate drops everything when the key changes).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addGateToken,
  GateTestClient,
  makeTempDir,
  startRelayProcess,
  type RelayProcess,
  type TempDir,
} from './support.js';

let dir: TempDir;
const relays: RelayProcess[] = [];
const gates: GateTestClient[] = [];

beforeEach(() => {
  dir = makeTempDir();
});

afterEach(async () => {
  await Promise.all(gates.splice(0).map((gate) => gate.close()));
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  dir.remove();
});

async function start(): Promise<RelayProcess> {
  const relay = await startRelayProcess({ dbPath: dir.file('relay.db') });
  relays.push(relay);
  return relay;
}

async function keyFrom(relay: RelayProcess, token: string): Promise<Buffer> {
  const gate = await GateTestClient.connect(relay.url, token, { events: ['132218'] });
  gates.push(gate);
  const welcome = await gate.waitWelcomed();
  expect(welcome.indexKey, 'the welcome carries the index key').toBeDefined();
  return Buffer.from(welcome.indexKey ?? '', 'base64');
}

describe('the other-events index key', () => {
  it('is 32 random bytes kept in the database: the same after a restart and for a second relay', async () => {
    const first = await start();
    const token = await addGateToken(dir.file('relay.db'), 'Key gate');
    const key = await keyFrom(first, token);
    expect(key).toHaveLength(32);
    expect(key.equals(Buffer.alloc(32))).toBe(false);

    const second = await start();
    expect(await keyFrom(second, token)).toEqual(key);

    await first.stop();
    await second.stop();
    relays.splice(0);
    expect(await keyFrom(await start(), token)).toEqual(key);
  });

  it('differs between relay databases', async () => {
    const token = await addGateToken(dir.file('relay.db'), 'Key gate');
    const key = await keyFrom(await start(), token);
    const other = await startRelayProcess({ dbPath: dir.file('other.db') });
    relays.push(other);
    const otherKey = await keyFrom(other, await addGateToken(dir.file('other.db'), 'Key gate'));
    expect(otherKey).toHaveLength(32);
    expect(otherKey.equals(key)).toBe(false);
  });
});
