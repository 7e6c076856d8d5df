/**
 * Group commit: writes that arrive while the event loop is busy (including while the previous commit
 * waits for fsync) are run together in one transaction, so concurrent deliveries share one fsync.
 * Each write runs in its own savepoint: one failing write rolls back alone and rejects alone.
 * Under load (the previous batch had several writes), a batch waits a moment for siblings before
 * committing, as PostgreSQL's commit_delay does: fewer, fuller fsyncs. A lone write never waits.
 */
import type Database from 'better-sqlite3';

interface PendingWrite {
  work: () => unknown;
  /** How many writes it stands for (a run of webhook acceptances is one work item). */
  weight: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitHooks {
  /** Runs inside the batch transaction before any write (e.g. reset per-batch state). */
  begin(weight: number): void;
  /** Runs after one write's savepoint rolled back (forget what it did to per-batch state). */
  rolledBack(): void;
  /** Runs after the batch committed; emit events here. */
  committed(): void;
}

type WriteResult = { value?: unknown; error?: unknown };

export interface GroupCommitOptions {
  /** How long a batch waits for siblings when the previous batch was busy (ms). */
  siblingWaitMs?: number;
  /** A previous batch at least this big counts as busy. */
  busyBatch?: number;
}

function weightOf(writes: readonly PendingWrite[]): number {
  let weight = 0;
  for (const write of writes) weight += write.weight;
  return weight;
}

export class GroupCommit {
  private pending: PendingWrite[] = [];
  private isScheduled = false;
  /** Every write in its own savepoint: used when the fast batch failed, to isolate the bad write. */
  private readonly batch: Database.Transaction<(writes: PendingWrite[]) => Map<PendingWrite, WriteResult>>;
  /** All writes straight in one transaction: the common case, two statements per write cheaper. */
  private readonly fastBatch: Database.Transaction<
    (writes: PendingWrite[]) => Map<PendingWrite, WriteResult>
  >;

  private lastBatch = 0;
  private readonly siblingWaitMs: number;
  private readonly busyBatch: number;

  constructor(
    db: Database.Database,
    private readonly hooks: GroupCommitHooks,
    options: GroupCommitOptions = {},
  ) {
    this.siblingWaitMs = options.siblingWaitMs ?? 2;
    this.busyBatch = options.busyBatch ?? 8;
    const savepoint = db.transaction((write: PendingWrite) => write.work());
    this.batch = db.transaction((writes: PendingWrite[]) => {
      this.hooks.begin(weightOf(writes));
      const results = new Map<PendingWrite, WriteResult>();
      for (const write of writes) {
        try {
          results.set(write, { value: savepoint(write) });
        } catch (error) {
          this.hooks.rolledBack();
          results.set(write, { error });
        }
      }
      return results;
    });
    this.fastBatch = db.transaction((writes: PendingWrite[]) => {
      this.hooks.begin(weightOf(writes));
      return new Map(writes.map((write) => [write, { value: write.work() }]));
    });
  }

  get size(): number {
    return this.pending.length;
  }

  enqueue<T>(work: () => T, weight = 1): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, weight, resolve: resolve as (value: unknown) => void, reject });
      if (!this.isScheduled) {
        this.isScheduled = true;
        if (this.lastBatch >= this.busyBatch && this.siblingWaitMs > 0)
          setTimeout(() => this.flush(), this.siblingWaitMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now. Also called on close so nothing queued is lost. */
  flush(): void {
    this.isScheduled = false;
    const writes = this.pending;
    this.pending = [];
    this.lastBatch = weightOf(writes);
    if (writes.length === 0) return;
    let results: Map<PendingWrite, WriteResult>;
    try {
      try {
        results = this.fastBatch.immediate(writes);
      } catch {
        // One write failed and the whole batch rolled back: run it again, each write isolated.
        results = this.batch.immediate(writes);
      }
    } catch (error) {
      for (const write of writes) write.reject(error);
      return;
    }
    this.hooks.committed();
    for (const write of writes) {
      const result = results.get(write);
      if (result && 'error' in result) write.reject(result.error);
      else write.resolve(result?.value);
    }
  }
}
