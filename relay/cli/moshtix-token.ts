/**
 * Where a Moshtix API token comes from: a file (--moshtix-token-file, readable by its owner only) or
 * the MOSHTIX_TOKEN environment variable, never the command line of `relay serve`, where any local
 * user could read it with ps. The one-shot commands still take --moshtix-token for compatibility.
 */
import { readFileSync, statSync } from 'node:fs';
import type { ParsedArgs } from '../../shared/cli.js';
import { stringFlag, UsageError } from './command.js';

export const TOKEN_FILE_FLAG = {
  name: 'moshtix-token-file',
  type: 'string',
  value: 'F',
  description: 'File holding the Moshtix API token, mode 0600 (or MOSHTIX_TOKEN in the environment)',
} as const;

export const TOKEN_ENV = 'MOSHTIX_TOKEN';

/** The token in `path`, trimmed; the file must be a regular file that only its owner can read. */
export function readTokenFile(path: string, flag = TOKEN_FILE_FLAG.name): string {
  let mode: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw new UsageError(`--${flag} ${path} is not a regular file`);
    mode = stats.mode;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read --${flag}: ${(error as Error).message}`);
  }
  if ((mode & 0o077) !== 0)
    throw new UsageError(
      `--${flag} ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
    );
  const token = readFileSync(path, 'utf8').trim();
  if (token === '') throw new UsageError(`--${flag} ${path} is empty`);
  return token;
}

/** The token from --moshtix-token-file, then `--moshtix-token` where `legacyFlag` allows it, then MOSHTIX_TOKEN. */
export function moshtixTokenOf(args: ParsedArgs, legacyFlag?: string): string | undefined {
  const file = stringFlag(args, TOKEN_FILE_FLAG.name);
  if (file !== undefined) return readTokenFile(file);
  const fromFlag = legacyFlag === undefined ? undefined : stringFlag(args, legacyFlag);
  if (fromFlag !== undefined && fromFlag !== '') return fromFlag;
  const fromEnvironment = process.env[TOKEN_ENV]?.trim();
  return fromEnvironment === undefined || fromEnvironment === '' ? undefined : fromEnvironment;
}
