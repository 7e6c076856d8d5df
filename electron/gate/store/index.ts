/**
 * The one module that owns the gate database: opens it (WAL, synchronous=FULL so every committed
 * decision survives a power cut), migrates it, and exposes named queries grouped by entity.
 * Transactions are synchronous and short; callers emit events only after `transaction` returns.
 */
import Database from 'better-sqlite3';
import { createApplyErrorQueries } from './apply-errors.js';
import { migrate } from './migrations.js';
import { createOtherEventQueries } from './other-events.js';
import { createScanQueries } from './scans.js';
import { createStateQueries } from './state.js';
import { createTicketQueries } from './tickets.js';

/**
 * SQLite failures of the machine rather than of the data (disk full, I/O error, locked, out of
 * memory …): retrying later can succeed, so a batch that meets one is not applied at all and the
 * relay sends it again. Any other failure belongs to the item being applied.
 */
const ENVIRONMENT_FAILURE =
  /^SQLITE_(FULL|IOERR|BUSY|LOCKED|NOMEM|READONLY|CANTOPEN|CORRUPT|NOTADB|INTERRUPT|PROTOCOL|PERM|NOLFS|AUTH)/;

export function isEnvironmentFailure(error: unknown): boolean {
  return error instanceof Database.SqliteError && ENVIRONMENT_FAILURE.test(error.code);
}

export class GateStore {
  readonly tickets;
  readonly scans;
  readonly state;
  readonly applyErrors;
  readonly otherEvents;
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      migrate(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.tickets = createTicketQueries(this.db);
    this.scans = createScanQueries(this.db);
    this.state = createStateQueries(this.db);
    this.applyErrors = createApplyErrorQueries(this.db);
    this.otherEvents = createOtherEventQueries(this.db);
  }

  /** Runs `work` in one IMMEDIATE transaction; it must not await. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /**
   * A transaction of data the relay can send again (snapshot chunks, log entries with their cursor):
   * committed without waiting for fsync. A power cut may lose it whole, never half, and the cursor
   * goes back with it, so the relay resends it. The next FULL commit (any decision) syncs it too.
   */
  replayableTransaction<T>(work: () => T): T {
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.db.transaction(work).immediate();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /**
   * Runs `work` inside the current transaction as a savepoint: if it throws, only its own changes are
   * rolled back and the error is rethrown; the transaction around it goes on.
   */
  savepoint<T>(work: () => T): T {
    if (!this.db.inTransaction) throw new Error('savepoint outside a transaction');
    return this.db.transaction(work)();
  }

  /** The database's committed size in bytes (page count × page size), for size benchmarks. */
  pageBytes(): number {
    return (
      Number(this.db.pragma('page_count', { simple: true })) *
      Number(this.db.pragma('page_size', { simple: true }))
    );
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
