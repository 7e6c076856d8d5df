/**
 * Secrets and files of a headless gate (issue 10): the token and PIN come from files or the
 * environment (argv is readable by every local user, so those flags warn); the database with its
 * -wal/-shm and the token file are 0600 in a 0700 folder, even under umask 0, and looser ones found
 * at start are tightened with a warning. Real gate processes on real files.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, runGatehouse, waitFor, type TempDir } from '../relay/support.js';
import { startGateProcess } from './support.js';

const TOKEN = 'gh_token-from-a-file-0123456789';
const cleanups: (() => Promise<unknown> | void)[] = [];
let temp: TempDir;
let umask: number;
beforeEach(() => {
  temp = makeTempDir();
  // A careless umask must not leave anything readable by others.
  umask = process.umask(0);
});
afterEach(async () => {
  process.umask(umask);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  temp.remove();
});

const mode = (path: string) => statSync(path).mode & 0o777;

async function gate(args: string[], env: NodeJS.ProcessEnv = {}) {
  const started = await startGateProcess(['--listen', '127.0.0.1:0', '--name', 'Gate 1', ...args], { env });
  cleanups.push(() => started.stop());
  return started;
}

describe('gate secrets off the command line', () => {
  it('reads the token and PIN from files, without a warning', async () => {
    const data = temp.file('data');
    writeFileSync(temp.file('token'), `${TOKEN}\n`, { mode: 0o600 });
    writeFileSync(temp.file('pin'), '2468\n', { mode: 0o600 });
    const g = await gate([
      '--data',
      data,
      '--token-file',
      temp.file('token'),
      '--pin-file',
      temp.file('pin'),
    ]);
    expect(await g.value('getSettings')).toMatchObject({ hasToken: true, hasPin: true });
    expect(readFileSync(`${data}/relay-token`, 'utf8')).toBe(TOKEN);
    expect(await g.value('checkPin', { pin: '2468' })).toEqual({ isValid: true });
    expect(g.output().stderr).not.toMatch(/other local users/);
  });

  it('reads GATEHOUSE_TOKEN and GATEHOUSE_PIN from the environment', async () => {
    const data = temp.file('data');
    const g = await gate(['--data', data], { GATEHOUSE_TOKEN: TOKEN, GATEHOUSE_PIN: '97531' });
    expect(await g.value('getSettings')).toMatchObject({ hasToken: true, hasPin: true });
    expect(await g.value('checkPin', { pin: '97531' })).toEqual({ isValid: true });
  });

  it('still takes --token and --pin, warning that other local users can read them', async () => {
    const g = await gate(['--data', temp.file('data'), '--token', TOKEN, '--pin', '2468']);
    expect(await g.value('getSettings')).toMatchObject({ hasToken: true, hasPin: true });
    const { stderr } = g.output();
    expect(stderr).toMatch(/--token .*other local users can read/);
    expect(stderr).toMatch(/--pin .*other local users can read/);
  });

  it('exits 2 naming a token file it cannot read', async () => {
    const result = await runGatehouse([
      'gate',
      '--data',
      temp.file('data'),
      '--token-file',
      temp.file('nope'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--token-file: cannot read ${temp.file('nope')}`);
  });
});

describe('gate files', () => {
  it('creates the database, its -wal/-shm, the decision journal and the token file 0600 in a 0700 folder, even under umask 0', async () => {
    const data = temp.file('fresh');
    const g = await gate(['--data', data], { GATEHOUSE_TOKEN: TOKEN });
    await g.value('scan', { barcode: 'B1' });
    await waitFor(() => existsSync(`${data}/gate.db-wal`), { message: 'the -wal file' });
    expect(mode(data)).toBe(0o700);
    for (const file of ['gate.db', 'gate.db-wal', 'gate.db-shm', 'gate.db-decisions', 'relay-token'])
      expect(mode(`${data}/${file}`), file).toBe(0o600);
  });

  it('tightens a pre-existing 0755 folder and a 0644 database at start, with a warning', async () => {
    const data = temp.file('loose');
    const first = await gate(['--data', data]);
    await first.value('scan', { barcode: 'B1' });
    expect(await first.stop()).toBe(0);
    chmodSync(data, 0o755);
    chmodSync(`${data}/gate.db`, 0o644);
    const second = await gate(['--data', data]);
    expect(mode(data)).toBe(0o700);
    expect(mode(`${data}/gate.db`)).toBe(0o600);
    const { stderr } = second.output();
    expect(stderr).toMatch(new RegExp(`${data}.*was 0?755.*now 0?700`));
    expect(stderr).toMatch(/gate\.db.*was 0?644.*now 0?600/);
    expect((await second.value('activity', {})).scans).toHaveLength(1);
  });

  it('creates a missing parent folder of --data 0700', async () => {
    const data = temp.file('a/b/gate');
    mkdirSync(temp.file('a'), { mode: 0o755 });
    await gate(['--data', data]);
    expect(mode(temp.file('a/b'))).toBe(0o700);
    expect(mode(data)).toBe(0o700);
  });
});
