/** Admin subcommands over the database file: gates and quarantine. Safe while the relay runs. */
import { readFileSync, statSync } from 'node:fs';
import { addGate, listGates, revokeGate, withStore } from '../index.js';
import { DB_FLAG, requireDatabase, UsageError, type Subcommand } from './command.js';

const NAME = { name: 'NAME', description: 'Gate name, e.g. "Gate 1"', isRequired: true } as const;

export const addGateCommand: Subcommand = {
  spec: {
    usage: 'gatehouse relay add-gate',
    summary: 'Register a gate and print its bearer token (last line). The relay keeps only its SHA-256.',
    flags: [
      DB_FLAG,
      {
        name: 'venue',
        type: 'boolean',
        description:
          'A token for a venue relay (relay serve --upstream): it uploads scans of the venue\'s own gates, recorded as "NAME · Door 1"',
      },
      {
        name: 'token-file',
        type: 'string',
        value: 'F',
        description:
          "Register the token in F (e.g. the one another relay issued to this gate) instead of making one: a gate with both a venue relay's and the internet relay's URL uses one token",
      },
    ],
    positionals: [NAME],
  },
  async run(args) {
    const name = args.positionals[0] ?? '';
    const isVenue = args.flags.venue === true;
    if (isVenue && name.includes('·'))
      throw new UsageError(`a venue name cannot contain "·" (it separates the venue from its gates)`);
    const given = tokenFromFile(args.flags['token-file']);
    const token = await addGate(requireDatabase(args), name, { isVenue, token: given });
    const kind = isVenue ? 'venue' : 'gate';
    if (given !== undefined) {
      console.log(`${kind} "${name}" added with the token from the file`);
      return 0;
    }
    console.log(`${kind} "${name}" added; its token is shown once, on the next line:`);
    console.log(token);
    return 0;
  },
};

/** Shorter tokens are guessable (the ones add-gate makes are 46 characters). */
const MIN_TOKEN_LENGTH = 32;

function tokenFromFile(flag: unknown): string | undefined {
  if (typeof flag !== 'string') return undefined;
  let text: string;
  try {
    text = readFileSync(flag, 'utf8');
  } catch (error) {
    throw new UsageError(`--token-file: cannot read ${flag}: ${(error as NodeJS.ErrnoException).code ?? ''}`);
  }
  if ((statSync(flag).mode & 0o077) !== 0)
    console.error(`warning: ${flag} can be read by other local users; chmod 600 ${flag}`);
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token))
    throw new UsageError(
      `--token-file: ${flag} must hold one token of at least ${MIN_TOKEN_LENGTH} characters`,
    );
  return token;
}

export const listGatesCommand: Subcommand = {
  spec: {
    usage: 'gatehouse relay list-gates',
    summary: 'List registered gates and whether they are revoked.',
    flags: [DB_FLAG],
  },
  async run(args) {
    const gates = await listGates(requireDatabase(args));
    if (gates.length === 0) console.log('no gates');
    for (const gate of gates) {
      console.log(
        `${gate.name}\tadded ${gate.createdAt}\t${gate.revokedAt ? `revoked ${gate.revokedAt}` : 'active'}${gate.isVenue ? '\tvenue' : ''}`,
      );
    }
    return 0;
  },
};

export const revokeGateCommand: Subcommand = {
  spec: {
    usage: 'gatehouse relay revoke-gate',
    summary:
      'Revoke a gate token. A running relay disconnects the gate within a second; it cannot reconnect.',
    flags: [DB_FLAG],
    positionals: [NAME],
  },
  async run(args) {
    const name = args.positionals[0] ?? '';
    if (!(await revokeGate(requireDatabase(args), name))) {
      console.error(`no active gate named "${name}"`);
      return 1;
    }
    console.log(`gate "${name}" revoked`);
    return 0;
  },
};

export const quarantineCommand: Subcommand = {
  spec: {
    usage: 'gatehouse relay quarantine',
    summary: 'List deliveries kept in quarantine (not JSON, or failed validation).',
    flags: [DB_FLAG],
  },
  async run(args) {
    const rows = await withStore(requireDatabase(args), (store) => store.listQuarantine());
    if (rows.length === 0) console.log('quarantine is empty');
    for (const row of rows) {
      const state = row.reprocessedAt
        ? `reprocessed ${row.reprocessedAt} → delivery ${row.deliveryId}`
        : 'pending';
      console.log(
        `#${row.id}\t${row.receivedAt}\t${row.bytes} bytes\t${state}\t${row.error}\t${JSON.stringify(row.preview)}`,
      );
    }
    return 0;
  },
};

export const reprocessCommand: Subcommand = {
  spec: {
    usage: 'gatehouse relay reprocess',
    summary: 'Retry every pending quarantined delivery (after an upgrade); accepted ones join the log.',
    flags: [DB_FLAG],
  },
  async run(args) {
    const report = await withStore(requireDatabase(args), (store) => store.reprocessQuarantine());
    console.log(`reprocessed: ${report.accepted} accepted, ${report.stillFailing.length} still failing`);
    for (const failure of report.stillFailing) console.log(`#${failure.id}\t${failure.error}`);
    return 0;
  },
};
