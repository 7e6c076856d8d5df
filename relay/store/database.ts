/** Opens a relay database file the one way every connection must: version check, WAL, FULL sync. */
import Database from 'better-sqlite3';
import { ensurePrivateDatabaseFile } from '../files.js';
import { assertSchemaNotNewer, migrate } from './migrations.js';

/**
 * In the Electron app (the first-run demo runs a relay there) the engine process names the
 * Electron-ABI build of better-sqlite3 here; see electron/README.md. Under Node it is unset.
 */
const SQLITE_BINDING = process.env.GATEHOUSE_SQLITE_BINDING;

export function openDatabase(path: string): Database.Database {
  // 0600 before SQLite opens it: the -wal and -shm it creates take the same mode.
  if (path !== ':memory:') ensurePrivateDatabaseFile(path);
  const db = new Database(path, SQLITE_BINDING ? { nativeBinding: SQLITE_BINDING } : {});
  try {
    assertSchemaNotNewer(db);
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before it returns, so an acknowledged delivery survives a crash.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
