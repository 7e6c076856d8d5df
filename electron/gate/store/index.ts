/**
 * The one module that owns the gate database: opens it (WAL; decisions on disk in the decision
 * journal before their row, see decision-journal.ts), migrates it, and exposes named queries grouped
 * by entity.
 * Transactions are synchronous and short; callers emit events only after `transaction` returns.
 */
import Database from 'better-sqlite3';
import { createLogger } from '../../../shared/logger.js';
import { createApplyErrorQueries } from './apply-errors.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { DecisionJournal } from './decision-journal.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { sqliteOptions } from './native-binding.js';
import { createOtherEventQueries } from './other-events.js';
import { presentTicketIndexes, ticketIndexDefinitions, type IndexDefinition } from './ticket-indexes.js';
import { createScanQueries } from './scans.js';
import { createStateQueries } from './state.js';
import { createTicketQueries } from './tickets.js';
import type { ScanRecord } from '../../../shared/scans.js';

/** A decision made at this door: stored as this gate's own, not yet uploaded. */
const DECIDED_HERE = { isLocal: true, isUploaded: false, relaySeq: null } as const;
/** The journal is emptied once the door has been quiet this long (ms) … */
const JOURNAL_QUIET_MS = 3_000;
/** … or, on a door that is never quiet, once it holds this much (bytes; about 25,000 decisions). */
const JOURNAL_LIMIT_BYTES = 8 * 1024 * 1024;
/** Helper threads SQLite's sorter may use (CREATE INDEX); the raw floor in bench/snapshot.ts uses it too. */
export const SORTER_THREADS = 2;
/** The settings key a journal sync writes and takes back in the same commit. */
const JOURNAL_SYNC_KEY = '~journal-sync';

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
const log = createLogger('gate.store');

export class GateStore {
  readonly tickets;
  readonly scans;
  readonly state;
  readonly applyErrors;
  readonly otherEvents;
  private readonly db: Database.Database;
  private readonly indexDefinitions: IndexDefinition[];
  private readonly checkpointer: Checkpointer;
  private readonly journal: DecisionJournal;
  private readonly journalTimer: NodeJS.Timeout;
  private lastDecisionAt = 0;

  /**
   * `binding`: the better-sqlite3 native binding to use (the Electron-ABI copy in the app); by default
   * GATEHOUSE_SQLITE_BINDING when set, else node_modules' own build.
   */
  constructor(path: string, binding?: string) {
    const options = sqliteOptions(binding);
    this.db = new Database(path, options);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      // Up to two helper threads for SQLite's sorter: building a secondary index after a first
      // snapshot (a sort of the whole table) takes 20 % less time (bench/snapshot.ts, 1M tickets).
      this.db.pragma(`threads = ${SORTER_THREADS}`);
      migrate(this.db);
      this.indexDefinitions = ticketIndexDefinitions(options);
      // Checkpoints run on their own thread (see checkpointer.ts), never inside one of our commits.
      this.db.pragma('wal_autocheckpoint = 0');
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.checkpointer = startCheckpointer(path, options.nativeBinding, (problem) =>
      log.warn('WAL checkpoint failed; retrying', { problem }),
    );
    this.tickets = createTicketQueries(this.db);
    this.scans = createScanQueries(this.db);
    this.state = createStateQueries(this.db);
    this.applyErrors = createApplyErrorQueries(this.db);
    this.otherEvents = createOtherEventQueries(this.db);
    // Secondary indexes are missing only during and just after a first snapshot, which builds them
    // when the door is quiet. Still missing with a cursor at open (a stop in between): build them now.
    const missing = this.missingTicketIndexes();
    if (missing.length > 0 && this.state.cursor() > 0) {
      log.warn('ticket indexes missing; building them', { indexes: missing.map((index) => index.name) });
      for (const index of missing) this.createTicketIndex(index);
    }
    this.journal = new DecisionJournal(`${path}-decisions`);
    this.storeJournalled();
    this.journalTimer = setInterval(() => this.emptyJournalWhenQuiet(), 1_000);
    this.journalTimer.unref();
  }

  /**
   * Records a decision made at this door (scan, manual admission, annulment, review): on disk in the
   * decision journal first, then stored without waiting for fsync (see decision-journal.ts). WAL
   * checkpoints wait for a quiet spell after it (see checkpointer.ts).
   */
  recordDecision(scan: ScanRecord): void {
    this.lastDecisionAt = Date.now();
    this.checkpointer.doorActivity();
    const before = this.journal.size;
    this.journal.append(scan);
    try {
      this.withoutSync(() => this.scans.insert(scan, DECIDED_HERE));
    } catch (error) {
      // Not stored, so not decided: the line must not come back at the next start.
      this.journal.truncateTo(before);
      throw error;
    }
  }

  /** Bytes of decisions in the journal that no synced commit covers yet (0 once emptied). */
  journalBytes(): number {
    return this.journal.size;
  }

  /** Decisions the journal holds that the database lost (a power cut) are stored again, in order. */
  private storeJournalled(): void {
    const { scans, unreadable } = this.journal.read();
    if (unreadable > 0)
      log.warn('decision journal: skipped lines torn by a crash mid-write (never acknowledged)', {
        lines: unreadable,
      });
    const lost = scans.filter((scan) => !this.scans.exists(scan.id));
    if (lost.length > 0) {
      this.transaction(() => {
        for (const scan of lost) this.scans.insert(scan, DECIDED_HERE);
      });
      log.warn('stored decisions the database had lost, from the decision journal', {
        decisions: lost.length,
      });
    }
    // Only a synced commit (which covers every earlier one, another process's too) lets the lines go.
    this.syncDecisions();
  }

  /** Syncs the database (one synced commit covers every earlier one), then empties the journal. */
  private syncDecisions(): void {
    if (this.journal.size === 0 || !this.db.open) return;
    this.transaction(() => {
      // A commit that writes nothing is not synced: write a row and take it back.
      this.state.putSetting(JOURNAL_SYNC_KEY, 'null');
      this.state.deleteSetting(JOURNAL_SYNC_KEY);
    });
    this.journal.clear();
  }

  private emptyJournalWhenQuiet(): void {
    const isQuiet = Date.now() - this.lastDecisionAt >= JOURNAL_QUIET_MS;
    if (this.journal.size === 0 || (!isQuiet && this.journal.size < JOURNAL_LIMIT_BYTES)) return;
    try {
      this.syncDecisions();
    } catch (error) {
      log.warn('could not sync decisions; the journal keeps them', { problem: (error as Error).message });
    }
  }

  /** True when the tickets table holds no row at all (a first snapshot may then skip its indexes). */
  hasNoTickets(): boolean {
    return this.db.prepare('SELECT 1 FROM tickets LIMIT 1').get() === undefined;
  }

  missingTicketIndexes(): IndexDefinition[] {
    const present = presentTicketIndexes(this.db);
    return this.indexDefinitions.filter((index) => !present.has(index.name));
  }

  /** Drops the tickets table's secondary indexes (for a bulk first load); returns how many were there. */
  dropTicketIndexes(): number {
    const present = presentTicketIndexes(this.db);
    return this.transaction(() => {
      let dropped = 0;
      for (const index of this.indexDefinitions) {
        if (!present.has(index.name)) continue;
        // The name comes from our own migrations (sqlite_master), never from input.
        this.db.exec(`DROP INDEX "${index.name.replace(/"/g, '""')}"`);
        dropped += 1;
      }
      return dropped;
    });
  }

  /** Builds one secondary index (one sort of the table; seconds for a million rows). */
  createTicketIndex(index: IndexDefinition): void {
    this.transaction(() => this.db.exec(index.sql));
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
    return this.withoutSync(() => this.db.transaction(work).immediate());
  }

  /** Runs `work` with its commits not waiting for fsync (synchronous=NORMAL), then FULL again. */
  private withoutSync<T>(work: () => T): T {
    this.db.pragma('synchronous = NORMAL');
    try {
      return work();
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

  /**
   * Closes the database now; the checkpoint thread closes its own connection just after (or never
   * opens one, when it had not started). Before deleting the folder, use closeFully.
   */
  close(): void {
    clearInterval(this.journalTimer);
    void this.checkpointer.stop();
    if (this.db.open) {
      try {
        this.syncDecisions();
      } catch (error) {
        log.warn('could not sync decisions at close; the journal keeps them', {
          problem: (error as Error).message,
        });
      }
      this.db.close();
    }
    this.journal.close();
  }

  /** Closes, and settles once no thread of this store has the files open (safe to move or delete). */
  async closeFully(): Promise<void> {
    this.close();
    await this.checkpointer.stop();
  }
}

/** The queries a reader of a running gate's database may use (see openToRead). */
export interface GateDatabaseReader {
  readonly tickets: GateStore['tickets'];
  readonly scans: GateStore['scans'];
  readonly state: GateStore['state'];
  close(): void;
}

/**
 * Opens a gate's database read-only, beside the gate that owns it (SQLite in WAL mode lets a reader
 * see every commit). The owner's decision journal, checkpoints and migrations are left to it: a
 * second writer would empty a journal whose lines the owner has not committed yet.
 */
export function openToRead(path: string, binding?: string): GateDatabaseReader {
  const db = new Database(path, { ...sqliteOptions(binding), readonly: true, fileMustExist: true });
  try {
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version !== MIGRATIONS.length)
      throw new Error(
        `the running gate's database is at schema version ${version} and this build reads version ` +
          `${MIGRATIONS.length}; stop the gate, or use the build it runs`,
      );
    return {
      tickets: createTicketQueries(db),
      scans: createScanQueries(db),
      state: createStateQueries(db),
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
