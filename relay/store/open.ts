/**
 * Opens the relay store a `--db` value names: a `postgres://` (or `postgresql://`) URL selects the
 * PostgreSQL store, for several replicas on one database; anything else is a SQLite file path.
 */
import { isPostgresUrl } from './pg/connection.js';
import { openPgStore } from './pg/store.js';
import { openSqliteStore } from './sqlite.js';
import type { RelayStore } from './types.js';

export interface OpenStoreOptions {
  /**
   * `serve`: a relay process (SQLite commits on a worker thread; PostgreSQL with a pool and a LISTEN
   * connection). `admin`: a one-shot command (inline SQLite writes; a small pool, no LISTEN).
   */
  role: 'serve' | 'admin';
}

export { isPostgresUrl } from './pg/connection.js';

export async function openStore(location: string, options: OpenStoreOptions): Promise<RelayStore> {
  if (isPostgresUrl(location)) return openPgStore(location, { isListening: options.role === 'serve' });
  return openSqliteStore(location, { writer: options.role === 'serve' ? 'worker' : 'inline' });
}
