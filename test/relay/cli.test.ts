// The `gatehouse relay` command line: help everywhere, exit 2 on usage errors, refusals that protect data.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../relay/store/sqlite.js';
import { makeTempDir, runGatehouse, type TempDir } from './support.js';

const SUBCOMMANDS = [
  'serve',
  'add-gate',
  'list-gates',
  'revoke-gate',
  'quarantine',
  'reprocess',
  'subscribe',
  'backfill',
  'import-csv',
];
let dir: TempDir;

beforeEach(() => {
  dir = makeTempDir();
});

afterEach(() => dir.remove());

describe('gatehouse relay command line', () => {
  it('lists every subcommand in its help', async () => {
    const result = await runGatehouse(['relay', '--help']);
    expect(result.code).toBe(0);
    for (const name of SUBCOMMANDS) expect(result.stdout).toContain(`  ${name} `);
  });

  it.each(SUBCOMMANDS)('%s --help prints usage and flags and exits 0', async (name) => {
    const result = await runGatehouse(['relay', name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: gatehouse relay ${name}`);
    expect(result.stdout).toContain('--help');
  });

  it.each(SUBCOMMANDS)('%s with an unknown flag says so and exits 2', async (name) => {
    const result = await runGatehouse(['relay', name, '--no-such-flag', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown flag --no-such-flag');
  });

  it('exits 2 on an unknown subcommand, a non-number port and a missing required flag', async () => {
    expect((await runGatehouse(['relay', 'serv'])).code).toBe(2);
    const port = await runGatehouse(['relay', 'serve', '--db', dir.file('r.db'), '--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be a number');
    const missing = await runGatehouse(['relay', 'list-gates']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing required flag --db');
  });

  it('refuses to serve without a webhook secret', async () => {
    const result = await runGatehouse(['relay', 'serve', '--db', dir.file('r.db'), '--port', '0'], {
      env: { GATEHOUSE_WEBHOOK_SECRET: '' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'missing --webhook-secret (or GATEHOUSE_WEBHOOK_SECRET in the environment)',
    );
  });

  it('refuses a database written by a newer relay, and leaves it untouched', async () => {
    const db = new Database(dir.file('future.db'));
    db.pragma('user_version = 999');
    db.close();
    const result = await runGatehouse(['relay', 'list-gates', '--db', dir.file('future.db')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('newer than this relay understands');
    const after = new Database(dir.file('future.db'), { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(999);
    after.close();
  });

  it('prints the token of a new gate as its last line, stores only its hash, and refuses a duplicate name', async () => {
    const db = dir.file('r.db');
    // `relay serve` creates the database; admin commands refuse a missing one.
    await openSqliteStore(db).close();
    const added = await runGatehouse(['relay', 'add-gate', 'Gate 1', '--db', db]);
    expect(added.code).toBe(0);
    const token = added.stdout.trim().split('\n').pop() ?? '';
    expect(token).toMatch(/^gh_[A-Za-z0-9_-]{40,}$/);
    const reader = new Database(db, { readonly: true });
    const stored = JSON.stringify(reader.prepare('SELECT * FROM gates').all());
    reader.close();
    expect(stored).not.toContain(token);
    const duplicate = await runGatehouse(['relay', 'add-gate', 'Gate 1', '--db', db]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already exists');
  });
});
