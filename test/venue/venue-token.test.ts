// Venue tokens at the internet relay (issue 15): a venue token uploads scans on behalf of its own
// gates, recorded as "Venue · Door 1"; it cannot pass for another venue's gate or a plain gate, and an
// ordinary gate token cannot use the venue form. A real relay process, the protocol over websockets.
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addGateToken,
  createRelayDatabase,
  GateTestClient,
  makeTempDir,
  orderDelivery,
  postDelivery,
  runGatehouse,
  startRelayProcess,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import { addVenueToken, EVENT, scanOf, upload, welcomedClient } from './support.js';

let dir: TempDir;
let relay: RelayProcess;
let clients: GateTestClient[];

beforeEach(async () => {
  dir = makeTempDir();
  relay = await startRelayProcess({ dbPath: dir.file('relay.db') });
  clients = [];
  await postDelivery(relay.url, orderDelivery({ orderId: 1, tickets: [{ barcode: 'NIGHT-1' }] }));
});

afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await relay.stop();
  dir.remove();
});

const connect = (token: string) => welcomedClient(clients, relay.url, token);

describe('relay: venue tokens', () => {
  it('records a venue’s scan under "Venue · Door" and fans it out so', async () => {
    const venue = await connect(await addVenueToken(dir.file('relay.db'), 'Corner Hotel'));
    const boxOffice = await connect(await addGateToken(dir.file('relay.db'), 'Box office'));
    const scan = scanOf('Door 1', 'NIGHT-1');
    expect(await upload(venue, scan)).toBe('acked');
    const seen = await boxOffice.waitUntil(() => boxOffice.scans.get(scan.id), 'the venue scan');
    expect(seen.scan.gate).toBe('Corner Hotel · Door 1');
    // Sent again (its ack lost): acknowledged again, stored once.
    expect(await upload(venue, scan)).toBe('acked');
    const list = await runGatehouse(['relay', 'list-gates', '--db', dir.file('relay.db')]);
    expect(list.stdout).toMatch(/^Corner Hotel\t.*\tactive\tvenue$/m);
    expect(list.stdout).toMatch(/^Box office\t.*\tactive$/m);
  });

  it('refuses a venue token’s scan for a gate of another venue, and stores nothing', async () => {
    await addVenueToken(dir.file('relay.db'), 'Other Venue');
    const venue = await connect(await addVenueToken(dir.file('relay.db'), 'Corner Hotel'));
    const forged = scanOf('Other Venue · Door 1', 'NIGHT-1');
    expect(await upload(venue, forged)).toMatch(/^scan_refused: .*Corner Hotel.*Other Venue · Door 1/);
    const witness = await connect(await addGateToken(dir.file('relay.db'), 'Witness'));
    expect(witness.scans.has(forged.id)).toBe(false);
  });

  it('refuses the venue form from an ordinary gate token', async () => {
    const gate = await connect(await addGateToken(dir.file('relay.db'), 'Box office'));
    const forged = scanOf('Box office · Door 1', 'NIGHT-1');
    expect(await upload(gate, forged)).toMatch(/^scan_refused: .*Box office · Door 1/);
    const witness = await connect(await addGateToken(dir.file('relay.db'), 'Witness'));
    expect(witness.scans.has(forged.id)).toBe(false);
  });

  it('registers a token a gate already holds (--token-file), so one gate can use two relays', async () => {
    const token = await addGateToken(dir.file('relay.db'), 'Door 1');
    const other = dir.file('other.db');
    await createRelayDatabase(other);
    writeFileSync(dir.file('token'), `${token}\n`, { mode: 0o600 });
    const added = await runGatehouse([
      'relay',
      'add-gate',
      'Door 1',
      '--token-file',
      dir.file('token'),
      '--db',
      other,
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).not.toContain(token);
    const otherRelay = await startRelayProcess({ dbPath: other });
    try {
      const client = await GateTestClient.connect(otherRelay.url, token, { events: [EVENT] });
      clients.push(client);
      expect((await client.waitWelcomed()).gate).toBe('Door 1');
    } finally {
      await Promise.all(clients.splice(0).map((client) => client.close()));
      await otherRelay.stop();
    }
    writeFileSync(dir.file('short'), 'gh_short');
    const short = await runGatehouse([
      'relay',
      'add-gate',
      'Door 2',
      '--token-file',
      dir.file('short'),
      '--db',
      other,
    ]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 32 characters/);
  });

  it('refuses a venue name with the separator in it', async () => {
    const result = await runGatehouse([
      'relay',
      'add-gate',
      'A · B',
      '--venue',
      '--db',
      dir.file('relay.db'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot contain "·"/);
  });
});
