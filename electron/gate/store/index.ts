/**
 * The one module that owns the gate database: opens it (WAL, synchronous=FULL so every committed
 * decision survives a power cut), migrates it, and exposes named queries grouped by entity.
 * Transactions are synchronous and short; callers emit events only after `transaction` returns.
 */
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';
import { sqliteOptions } from './native-binding.js';
import { createScanQueries } from './scans.js';
import { createStateQueries } from './state.js';
import { createTicketQueries } from './tickets.js';

export class GateStore {
  readonly tickets;
  readonly scans;
  readonly state;
  private readonly db: Database.Database;

  /**
   * `binding`: the better-sqlite3 native binding to use (the Electron-ABI copy in the app); by default
   * GATEHOUSE_SQLITE_BINDING when set, else node_modules' own build.
   */
  constructor(path: string, binding?: string) {
    this.db = new Database(path, sqliteOptions(binding));
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

  get isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
