/** Admin subcommands over the database file: gates and quarantine. Safe while the relay runs. */
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
    ],
    positionals: [NAME],
  },
  async run(args) {
    const name = args.positionals[0] ?? '';
    const isVenue = args.flags.venue === true;
    if (isVenue && name.includes('·'))
      throw new UsageError(`a venue name cannot contain "·" (it separates the venue from its gates)`);
    const token = await addGate(requireDatabase(args), name, { isVenue });
    console.log(`${isVenue ? 'venue' : 'gate'} "${name}" added; its token is shown once, on the next line:`);
    console.log(token);
    return 0;
  },
};

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
