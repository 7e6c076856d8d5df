/**
 * Opens the relay store a `--db` value names: a `postgres://` (or `postgresql://`) URL selects the
 * PostgreSQL store, for several replicas on one database; anything else is a SQLite file path. A
 * failure names the database (a URL without its password).
 */
import { ensureDatabaseFolder } from '../files.js';
import { SchemaTooNewError } from './migrations.js';
import { isPostgresUrl, redactUrl } from './pg/connection.js';
import { PgSchemaTooNewError } from './pg/migrations.js';
import { openPgStore } from './pg/store.js';
import { openSqliteStore } from './sqlite.js';
import type { RelayStore } from './types.js';

export interface OpenStoreOptions {
  /**
   * `serve`: a relay process (SQLite commits and snapshot reads on worker threads; PostgreSQL with a
   * pool and a LISTEN connection). `admin`: a one-shot command (inline SQLite; a small pool, no LISTEN).
   */
  role: 'serve' | 'admin';
  /** A venue relay's store: every scan its gates upload also goes into the outbox (SQLite only). */
  forwardsScans?: boolean;
}

export { isPostgresUrl } from './pg/connection.js';

export async function openStore(location: string, options: OpenStoreOptions): Promise<RelayStore> {
  if (isPostgresUrl(location)) {
    if (options.forwardsScans)
      throw new Error('a venue relay (--upstream) keeps its own SQLite database: give --db a file path');
    try {
      return await openPgStore(location, { isListening: options.role === 'serve' });
    } catch (error) {
      if (error instanceof PgSchemaTooNewError) throw error;
      throw new Error(`cannot open relay database ${redactUrl(location)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (options.role === 'serve') {
    try {
      ensureDatabaseFolder(location);
    } catch (error) {
      throw new Error(`cannot create the folder of ${location}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  try {
    return openSqliteStore(
      location,
      options.role === 'serve'
        ? { writer: 'worker', reader: 'worker', forwardsScans: options.forwardsScans }
        : { writer: 'inline' },
    );
  } catch (error) {
    if (error instanceof SchemaTooNewError) throw error;
    throw new Error(`cannot open relay database ${location}: ${(error as Error).message}`, { cause: error });
  }
}
