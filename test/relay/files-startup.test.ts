// The relay's secrets, files and start-up failures (issue 10): the webhook secret from a file or the
// environment, relay.db and its -wal/-shm 0600 in a 0700 folder (umask 0 or not), a missing --db
// folder created by `serve` but a missing --db file refused by admin commands, and a start-up failure
// reported in one line with a non-zero exit (no timer keeps the process alive: it exits by itself;
// a process still running after 10 s is killed and fails the test). Real processes, files and ports.
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRelay } from '../../relay/index.js';
import {
  addGateToken,
  makeTempDir,
  orderDelivery,
  postDelivery,
  runGatehouse,
  runUntilExit,
  startRelayProcess,
  waitFor,
  type TempDir,
} from './support.js';

let dir: TempDir;
let umask: number;
const cleanups: (() => Promise<unknown> | void)[] = [];
beforeEach(() => {
  dir = makeTempDir();
  umask = process.umask(0);
});
afterEach(async () => {
  process.umask(umask);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  dir.remove();
});

const mode = (path: string) => statSync(path).mode & 0o777;

async function busyPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('relay secrets', () => {
  it('reads the webhook secret from --webhook-secret-file', async () => {
    writeFileSync(dir.file('secret'), 'from-a-file\n', { mode: 0o600 });
    const relay = await startRelayProcess({
      dbPath: dir.file('relay.db'),
      extraArgs: ['--webhook-secret-file', dir.file('secret')],
      env: { GATEHOUSE_WEBHOOK_SECRET: '' },
    });
    cleanups.push(() => relay.stop());
    const delivery = orderDelivery({ orderId: 1, tickets: [{ barcode: 'A' }] });
    expect((await postDelivery(relay.url, delivery, { secret: 'from-a-file' })).status).toBe(200);
    expect((await postDelivery(relay.url, delivery, { secret: 'test-webhook-secret' })).status).toBe(401);
    expect(relay.output().stderr).not.toMatch(/other local users/);
  });

  it('still takes --webhook-secret, warning that other local users can read it', async () => {
    const relay = await startRelayProcess({
      dbPath: dir.file('relay.db'),
      extraArgs: ['--webhook-secret', 'on-the-command-line'],
      env: { GATEHOUSE_WEBHOOK_SECRET: '' },
    });
    cleanups.push(() => relay.stop());
    const delivery = orderDelivery({ orderId: 1, tickets: [{ barcode: 'A' }] });
    expect((await postDelivery(relay.url, delivery, { secret: 'on-the-command-line' })).status).toBe(200);
    expect(relay.output().stderr).toMatch(/--webhook-secret .*other local users can read/);
  });
});

describe('relay files', () => {
  it('creates its --db folder 0700 and relay.db, -wal and -shm 0600, even under umask 0', async () => {
    const db = dir.file('var/lib/gatehouse/relay.db');
    const relay = await startRelayProcess({ dbPath: db });
    cleanups.push(() => relay.stop());
    const delivery = orderDelivery({ orderId: 1, tickets: [{ barcode: 'A' }] });
    expect((await postDelivery(relay.url, delivery)).status).toBe(200);
    await waitFor(() => existsSync(`${db}-wal`), { message: 'the -wal file' });
    expect(mode(dir.file('var/lib/gatehouse'))).toBe(0o700);
    for (const file of [db, `${db}-wal`, `${db}-shm`]) expect(mode(file), file).toBe(0o600);
  });

  it('tightens a 0644 database and its 0755 folder at start, with a warning', async () => {
    const folder = dir.file('loose');
    const db = `${folder}/relay.db`;
    const first = await startRelayProcess({ dbPath: db });
    expect(await first.stop()).toBe(0);
    chmodSync(folder, 0o755);
    chmodSync(db, 0o644);
    const second = await startRelayProcess({ dbPath: db });
    cleanups.push(() => second.stop());
    expect(mode(db)).toBe(0o600);
    expect(mode(folder)).toBe(0o700);
    expect(second.output().stderr).toMatch(/relay\.db.*was 0?644.*now 0?600/);
  });

  it.each([
    ['list-gates', []],
    ['add-gate', ['Gate 1']],
    ['revoke-gate', ['Gate 1']],
    ['quarantine', []],
    ['reprocess', []],
  ])('%s with a missing --db fails and creates nothing', async (command, positionals) => {
    const db = dir.file('typo.db');
    const result = await runGatehouse(['relay', command, ...positionals, '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no relay database at ${db}`);
    expect(existsSync(db)).toBe(false);
  });

  it('import-csv and backfill with a missing --db fail and create nothing', async () => {
    const db = dir.file('typo.db');
    writeFileSync(dir.file('tickets.csv'), 'barcode\nABC\n');
    const imported = await runGatehouse([
      'relay',
      'import-csv',
      '--db',
      db,
      '--event',
      '1',
      dir.file('tickets.csv'),
    ]);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain(`no relay database at ${db}`);
    const backfilled = await runGatehouse(
      ['relay', 'backfill', '--db', db, '--client', '1', '--endpoint', 'http://127.0.0.1:9/graphql'],
      { env: { MOSHTIX_TOKEN: 't' } },
    );
    expect(backfilled.code).toBe(1);
    expect(backfilled.stderr).toContain(`no relay database at ${db}`);
    expect(existsSync(db)).toBe(false);
  });

  it('admin commands work on the database a relay created', async () => {
    const db = dir.file('relay.db');
    const relay = await startRelayProcess({ dbPath: db });
    cleanups.push(() => relay.stop());
    await addGateToken(db, 'Gate 1');
    expect((await runGatehouse(['relay', 'list-gates', '--db', db])).stdout).toContain('Gate 1');
  });
});

describe('relay start-up failures', () => {
  it('startRelay on a busy port rejects and leaves no timer or handle behind (in process)', async () => {
    const port = await busyPort();
    const before = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    await expect(startRelay({ dbPath: dir.file('relay.db'), webhookSecret: 's', port })).rejects.toThrow(
      /EADDRINUSE|in use/,
    );
    const after = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    expect(after).toBeLessThanOrEqual(before);
  });

  it('on a busy port prints one line naming the cause and exits non-zero by itself', async () => {
    const port = await busyPort();
    const result = await runUntilExit(
      ['relay', 'serve', '--db', dir.file('relay.db'), '--port', String(port)],
      { GATEHOUSE_WEBHOOK_SECRET: 's' },
    );
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*(in use|EADDRINUSE)`));
  });

  it('on a database it cannot create prints one line and exits non-zero by itself', async () => {
    writeFileSync(dir.file('plain-file'), 'not a folder');
    const result = await runUntilExit(
      ['relay', 'serve', '--db', dir.file('plain-file/relay.db'), '--port', '0'],
      { GATEHOUSE_WEBHOOK_SECRET: 's' },
    );
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('plain-file');
  });
});
