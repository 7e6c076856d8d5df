/** Shared plumbing of the `gatehouse relay` subcommands: parse flags, print help, map errors to exit codes. */
import { formatHelp, parseCommandLine, type CommandSpec, type ParsedArgs } from '../../shared/cli.js';

export interface Subcommand {
  spec: CommandSpec;
  run(args: ParsedArgs): Promise<number>;
}

/** A usage problem found after parsing (e.g. a flag that may also come from the environment). */
export class UsageError extends Error {}

export async function runSubcommand(command: Subcommand, argv: readonly string[]): Promise<number> {
  const outcome = parseCommandLine(command.spec, argv);
  if (outcome.kind === 'help') {
    console.log(formatHelp(command.spec));
    return 0;
  }
  if (outcome.kind === 'error') {
    console.error(`${command.spec.usage}: ${outcome.message}`);
    return 2;
  }
  try {
    return await command.run(outcome.args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${command.spec.usage}: ${error.message} (see --help)`);
      return 2;
    }
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function requireString(args: ParsedArgs, name: string, envName?: string): string {
  const value = stringFlag(args, name) ?? (envName ? process.env[envName] : undefined);
  if (value === undefined || value === '') {
    throw new UsageError(
      envName ? `missing --${name} (or ${envName} in the environment)` : `missing required flag --${name}`,
    );
  }
  return value;
}

export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const value = args.flags[name];
  return typeof value === 'number' ? value : undefined;
}

export function integerFlag(args: ParsedArgs, name: string, minimum: number): number | undefined {
  const value = numberFlag(args, name);
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < minimum)
    throw new UsageError(`--${name} must be an integer ≥ ${minimum}`);
  return value;
}

export const DB_FLAG = {
  name: 'db',
  type: 'string',
  value: 'FILE|URL',
  description:
    'Relay SQLite database file, or postgres://USER@HOST[:PORT]/DB for PostgreSQL (password in PGPASSWORD or ~/.pgpass)',
  isRequired: true,
} as const;
