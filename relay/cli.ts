/** `gatehouse relay <subcommand>`: a thin dispatcher over relay/cli/*. */
import {
  addGateCommand,
  listGatesCommand,
  quarantineCommand,
  reprocessCommand,
  revokeGateCommand,
} from './cli/admin.js';
import { runSubcommand, type Subcommand } from './cli/command.js';
import { backfillCommand, importCsvCommand, subscribeCommand } from './cli/moshtix.js';
import { serve } from './cli/serve.js';

const SUBCOMMANDS: Record<string, Subcommand> = {
  serve,
  'add-gate': addGateCommand,
  'list-gates': listGatesCommand,
  'revoke-gate': revokeGateCommand,
  quarantine: quarantineCommand,
  reprocess: reprocessCommand,
  subscribe: subscribeCommand,
  backfill: backfillCommand,
  'import-csv': importCsvCommand,
};

function help(): string {
  const lines = ['Usage: gatehouse relay <subcommand> [flags]', '', 'Subcommands:'];
  for (const [name, command] of Object.entries(SUBCOMMANDS))
    lines.push(`  ${name.padEnd(12)} ${command.spec.summary}`);
  lines.push('', 'Run `gatehouse relay <subcommand> --help` for its flags.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    console.error(`gatehouse relay: unknown subcommand "${name}"\n\n${help()}`);
    return 2;
  }
  return runSubcommand(command, rest);
}
