import { describe, expect, it } from 'vitest';
import { formatHelp, parseCommandLine, type CommandSpec } from './cli.js';

const spec: CommandSpec = {
  usage: 'gatehouse relay example',
  summary: 'An example.',
  flags: [
    { name: 'db', type: 'string', value: 'FILE', description: 'Database', isRequired: true },
    { name: 'port', type: 'number', value: 'N', description: 'Port' },
    { name: 'verbose', type: 'boolean', description: 'Talk more' },
    { name: 'event', type: 'string', value: 'ID', description: 'Event', isRepeatable: true },
  ],
  positionals: [{ name: 'FILE.csv', description: 'Input', isRequired: true }],
  notes: ['A note.'],
};

describe('parseCommandLine', () => {
  it('parses flags, inline values, booleans, repeatable flags and positionals', () => {
    expect(
      parseCommandLine(spec, [
        '--db',
        'r.db',
        '--port=8080',
        '--verbose',
        '--event',
        'a',
        '--event=b',
        'in.csv',
      ]),
    ).toEqual({
      kind: 'ok',
      args: { flags: { db: 'r.db', port: 8080, verbose: true, event: ['a', 'b'] }, positionals: ['in.csv'] },
    });
    expect(parseCommandLine(spec, ['--db', 'r.db', '--verbose=false', '--', '--odd-name.csv'])).toEqual({
      kind: 'ok',
      args: { flags: { db: 'r.db', verbose: false }, positionals: ['--odd-name.csv'] },
    });
  });

  it('asks for help on --help or -h; a bad flag before it is reported first', () => {
    expect(parseCommandLine(spec, ['--bogus', '--help'])).toEqual({
      kind: 'error',
      message: 'unknown flag --bogus (see --help)',
    });
    expect(parseCommandLine(spec, ['--db', 'x', '-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--bogus'], 'unknown flag --bogus (see --help)'],
    [['--db'], '--db needs a value'],
    [['--db', '--port', '1'], '--db needs a value'],
    [['--db', 'a', '--db', 'b', 'f'], '--db given twice'],
    [['--db', 'a', '--port', 'eighty', 'f'], '--port must be a number, got "eighty"'],
    [['--db', 'a', '--verbose=yes', 'f'], '--verbose takes no value'],
    [['f'], 'missing required flag --db'],
    [['--db', 'a'], 'missing argument FILE.csv'],
    [['--db', 'a', 'f', 'g'], 'unexpected argument "g"'],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(parseCommandLine(spec, argv)).toEqual({ kind: 'error', message });
  });
});

describe('formatHelp', () => {
  it('shows usage, positionals, every flag with its placeholder and markers, and notes', () => {
    const help = formatHelp(spec);
    expect(help).toContain('Usage: gatehouse relay example FILE.csv [flags]');
    expect(help).toMatch(/--db FILE\s+Database \(required\)/);
    expect(help).toMatch(/--event ID\s+Event \(repeatable\)/);
    expect(help).toMatch(/--verbose\s+Talk more/);
    expect(help).toContain('--help');
    expect(help).toContain('A note.');
  });
});
