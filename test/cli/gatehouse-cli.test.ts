// The one command-line entry: `gatehouse --help` lists the subcommands, every subcommand answers
// --help, and a wrong command or flag gets a clear message and exit code 2.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (...args: string[]) =>
  spawnSync('node', ['bin/gatehouse', ...args], { encoding: 'utf8', timeout: 30_000 });

const SUBCOMMANDS = [
  'relay serve',
  'relay add-gate',
  'relay list-gates',
  'relay revoke-gate',
  'relay quarantine',
  'relay reprocess',
  'relay subscribe',
  'relay import-csv',
  'relay backfill',
  'gate',
  'sim',
  'sim api',
  'demo',
];

describe('gatehouse command line', () => {
  it('lists every subcommand in --help', () => {
    const result = run('--help');
    expect(result.status).toBe(0);
    for (const name of ['relay', 'gate', 'sim', 'demo'])
      expect(result.stdout).toMatch(new RegExp(`^\\s+${name}\\s`, 'm'));
  });

  it('refuses an unknown command with exit 2', () => {
    const result = run('frobnicate');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
  });

  it.each(SUBCOMMANDS)('answers --help for `%s`', (command) => {
    const result = run(...command.split(' '), '--help');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Usage: gatehouse/);
  });

  it.each(SUBCOMMANDS)('refuses a wrong flag on `%s` with exit 2', (command) => {
    const result = run(...command.split(' '), '--no-such-flag');
    expect(result.status, result.stdout).toBe(2);
    expect(result.stderr).toContain('--no-such-flag');
  });

  it('refuses a reconnect wait out of range on `gate` with exit 2, naming the range', () => {
    const result = run('gate', '--data', '/nonexistent/never-created', '--reconnect-max-ms', '5');
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      '--reconnect-max-ms must be a whole number of milliseconds from 100 to 600000',
    );
  });
});
