/**
 * Secrets for `gatehouse gate`, off the command line: every local user can read a process's argv
 * (ps, /proc/PID/cmdline), so a token or PIN comes from a file (`--token-file F`) or the environment
 * (`GATEHOUSE_TOKEN`); the old `--token T` still works, with a warning. One flag style per secret.
 */
import { readFileSync, statSync } from 'node:fs';

export interface SecretSource {
  /** The flag that takes the secret itself, e.g. `token`. */
  flag: string;
  /** The environment variable, e.g. `GATEHOUSE_TOKEN`. */
  env: string;
}

export type SecretOutcome =
  { ok: true; value: string | undefined; warnings: string[] } | { ok: false; error: string };

/** Reads a secret file: trailing whitespace (the newline an editor adds) is not part of the secret. */
export function readSecretFile(
  path: string,
  flag: string,
): { ok: true; value: string; warnings: string[] } | { ok: false; error: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      error: `--${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
  const value = text.replace(/\s+$/, '');
  if (value === '') return { ok: false, error: `--${flag}: ${path} is empty` };
  const warnings: string[] = [];
  try {
    if ((statSync(path).mode & 0o077) !== 0)
      warnings.push(`${path} can be read by other local users; chmod 600 ${path}`);
  } catch {
    // Read a moment ago; a vanished file only loses the warning.
  }
  return { ok: true, value, warnings };
}

export function resolveSecret(
  flags: Record<string, unknown>,
  source: SecretSource,
  environment: NodeJS.ProcessEnv = process.env,
): SecretOutcome {
  const direct = flags[source.flag];
  const file = flags[`${source.flag}-file`];
  if (typeof direct === 'string' && typeof file === 'string')
    return { ok: false, error: `give only one of --${source.flag} and --${source.flag}-file` };
  if (typeof direct === 'string') {
    return {
      ok: true,
      value: direct,
      warnings: [
        `--${source.flag} on the command line: other local users can read it (ps, /proc); use --${source.flag}-file F or ${source.env}`,
      ],
    };
  }
  if (typeof file === 'string') return readSecretFile(file, `${source.flag}-file`);
  const fromEnvironment = environment[source.env];
  return { ok: true, value: fromEnvironment === '' ? undefined : fromEnvironment, warnings: [] };
}
