/** Shared plumbing of the `gatehouse relay` subcommands: parse flags, print help, map errors to exit codes. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { formatHelp, parseCommandLine, type CommandSpec, type ParsedArgs } from '../../shared/cli.js';
import { isPostgresUrl } from '../store/open.js';

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
    // One line naming the cause: a service manager shows it, and the exit code says it failed.
    console.error(`${command.spec.usage}: ${(error as Error).message}`);
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

/**
 * The --db of an admin command: it must exist. `relay serve` creates the database; a typo given to
 * an admin command must fail instead of creating an empty database that nothing serves.
 */
export function requireDatabase(args: ParsedArgs): string {
  const path = requireString(args, 'db');
  if (!isPostgresUrl(path) && !existsSync(path)) throw new Error(`no relay database at ${path}`);
  return path;
}

/**
 * A secret for a relay subcommand, off the command line if possible: `--NAME` (warned about: every
 * local user can read argv), `--NAME-file F`, or the environment variable.
 */
export function requireSecret(args: ParsedArgs, name: string, envName: string): string {
  const direct = stringFlag(args, name);
  const file = stringFlag(args, `${name}-file`);
  if (direct !== undefined && file !== undefined)
    throw new UsageError(`give only one of --${name} and --${name}-file`);
  if (direct !== undefined) {
    console.error(
      `warning: --${name} on the command line: other local users can read it (ps, /proc); use --${name}-file F or ${envName}`,
    );
    if (direct === '') throw new UsageError(`--${name} is empty`);
    return direct;
  }
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--${name}-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    const value = text.replace(/\s+$/, '');
    if (value === '') throw new UsageError(`--${name}-file: ${file} is empty`);
    if ((statSync(file).mode & 0o077) !== 0)
      console.error(`warning: ${file} can be read by other local users; chmod 600 ${file}`);
    return value;
  }
  return requireString(args, name, envName);
}

export const DB_FLAG = {
  name: 'db',
  type: 'string',
  value: 'FILE|URL',
  description:
    'Relay SQLite database file, or postgres://USER@HOST[:PORT]/DB for PostgreSQL (password in PGPASSWORD or ~/.pgpass)',
  isRequired: true,
} as const;
