/**
 * The relay database is personal data (names, emails, barcodes): the file and its -wal/-shm are
 * 0600, its folder 0700, whatever the umask; looser ones found at start are tightened, with a
 * warning. SQLite creates -wal and -shm with the mode of the database file, so creating that one
 * 0600 covers them. (The gate has the same rules in electron/gate/files.ts; the layers may not share
 * Node code, hence the twin.)
 */
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createLogger } from '../shared/logger.js';

const log = createLogger('relay.files');
const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

function tighten(path: string, mode: number): void {
  const stat = statSync(path);
  const current = stat.mode & 0o777;
  if ((current & ~mode) === 0) return;
  // A shared folder (sticky like /tmp, or someone else's) is not ours to lock down: say so instead.
  const isShared =
    (stat.mode & 0o1000) !== 0 || (process.getuid !== undefined && stat.uid !== process.getuid());
  if (stat.isDirectory() && isShared) {
    log.warn(
      `folder ${path} is ${octal(current)} and shared; keep the relay database in a folder of its own`,
    );
    return;
  }
  chmodSync(path, mode);
  log.warn(`tightened permissions of ${path}: was ${octal(current)}, now ${octal(mode)}`);
}

/** Creates the database's folder (and parents) 0700 when missing, or tightens it. */
export function ensureDatabaseFolder(databasePath: string): void {
  const target = resolve(dirname(databasePath));
  const firstCreated = mkdirSync(target, { recursive: true, mode: 0o700 });
  if (firstCreated === undefined) {
    tighten(target, 0o700);
    return;
  }
  let path = resolve(firstCreated);
  chmodSync(path, 0o700);
  for (const part of relative(path, target).split(sep).filter(Boolean)) {
    path = join(path, part);
    chmodSync(path, 0o700);
  }
}

/** Creates the database file 0600 when missing; tightens it and its -wal/-shm/-journal otherwise. */
export function ensurePrivateDatabaseFile(path: string): void {
  if (!existsSync(path)) {
    const descriptor = openSync(path, 'a', 0o600);
    try {
      fchmodSync(descriptor, 0o600);
    } finally {
      closeSync(descriptor);
    }
  } else {
    tighten(path, 0o600);
  }
  for (const suffix of ['-wal', '-shm', '-journal'])
    if (existsSync(`${path}${suffix}`)) tighten(`${path}${suffix}`, 0o600);
}
