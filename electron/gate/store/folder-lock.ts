/**
 * One gate per data folder. Two engines on one folder (a second headless gate started by hand beside
 * the service, say) would each replay and empty the other's decision journal and each decide on the
 * same allowlist, so the engine holds this lock from start to stop, and a second one is refused.
 * `gatehouse gate report` asks for it too: when a gate holds it, the report only reads.
 *
 * The lock is SQLite's own: an exclusive lock (EXCLUSIVE locking mode, held after a write) on a
 * small file, `gate.lock`. The operating system lets it go when the process ends however it ends
 * (kill -9, power cut), so a crashed gate never leaves a stale lock behind, and it holds between
 * connections of one process as between processes.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ensurePrivateFile } from '../files.js';
import { sqliteOptions } from './native-binding.js';

export const LOCK_FILE = 'gate.lock';

export interface FolderLock {
  release(): void;
}

export class FolderLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(`another gate is running on the data folder ${dataDir}; stop it first (one gate per data folder)`);
  }
}

/** Takes the folder's lock; returns null while another gate holds it. */
export function tryLockGateFolder(dataDir: string, binding?: string): FolderLock | null {
  const path = join(dataDir, LOCK_FILE);
  ensurePrivateFile(path, { isCreated: true });
  // timeout 0: a held lock answers SQLITE_BUSY at once, not after better-sqlite3's 5 s default.
  const db = new Database(path, { ...sqliteOptions(binding), timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // Nothing here needs a rollback journal file (it would stay beside the lock in EXCLUSIVE mode).
    db.pragma('journal_mode = MEMORY');
    // The first write takes the exclusive lock; in EXCLUSIVE mode it is kept until close.
    db.exec(
      'CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL)',
    );
    db.prepare('INSERT OR REPLACE INTO holder (id, pid) VALUES (1, ?)').run(process.pid);
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return null;
    throw error;
  }
  return { release: () => db.close() };
}

/** Takes the folder's lock, or throws FolderLockedError naming the folder. */
export function lockGateFolder(dataDir: string, binding?: string): FolderLock {
  const lock = tryLockGateFolder(dataDir, binding);
  if (!lock) throw new FolderLockedError(dataDir);
  return lock;
}
