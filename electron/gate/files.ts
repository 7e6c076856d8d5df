/**
 * The gate's files are private: the data folder 0700, the database (with its -wal/-shm) and the
 * token file 0600, whatever the umask. Looser ones found at start (an older version, a folder made by
 * hand, a restored backup) are tightened, with a warning that names them. SQLite creates -wal and
 * -shm with the mode of the database file, so creating that one 0600 covers them.
 */
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createLogger } from '../../shared/logger.js';

const log = createLogger('gate.files');

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Sets `mode` when the path allows more than it (group/other bits), with a warning. */
export function tighten(path: string, mode: number): void {
  const stat = statSync(path);
  const current = stat.mode & 0o777;
  if ((current & ~mode) === 0) return;
  // A shared folder (sticky like /tmp, or someone else's) is not ours to lock down: say so instead.
  const isShared =
    (stat.mode & 0o1000) !== 0 || (process.getuid !== undefined && stat.uid !== process.getuid());
  if (stat.isDirectory() && isShared) {
    log.warn(`folder ${path} is ${octal(current)} and shared; give the gate a data folder of its own`);
    return;
  }
  chmodSync(path, mode);
  log.warn(`tightened permissions of ${path}: was ${octal(current)}, now ${octal(mode)}`);
}

/** Creates `directory` (and missing parents) 0700, or tightens an existing one. */
export function ensurePrivateDirectory(directory: string): void {
  const target = resolve(directory);
  const firstCreated = mkdirSync(target, { recursive: true, mode: 0o700 });
  if (firstCreated !== undefined) {
    // The mode given to mkdir passes through the umask: set it outright on every folder made here.
    let path = resolve(firstCreated);
    chmodSync(path, 0o700);
    for (const part of relative(path, target).split(sep).filter(Boolean)) {
      path = join(path, part);
      chmodSync(path, 0o700);
    }
    return;
  }
  tighten(target, 0o700);
}

/** Creates `path` empty with mode 0600 if it does not exist; tightens it if it does. */
export function ensurePrivateFile(path: string, options: { isCreated: boolean }): void {
  if (!existsSync(path)) {
    if (!options.isCreated) return;
    const descriptor = openSync(path, 'a', 0o600);
    try {
      fchmodSync(descriptor, 0o600);
    } finally {
      closeSync(descriptor);
    }
    return;
  }
  tighten(path, 0o600);
}

/**
 * A SQLite database: the file itself (created if missing), its -wal, -shm and -journal, and the
 * gate's decision journal beside it (-decisions, created 0600 by the store).
 */
export function ensurePrivateDatabase(path: string): void {
  ensurePrivateDirectory(dirname(path));
  ensurePrivateFile(path, { isCreated: true });
  for (const suffix of ['-wal', '-shm', '-journal', '-decisions'])
    ensurePrivateFile(`${path}${suffix}`, { isCreated: false });
}
