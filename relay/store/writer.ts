/**
 * Who performs the store's writes. InlineWriter runs group commits on this thread (admin commands,
 * tests). WorkerWriter posts them to a worker thread that owns its own connection, so the fsync of
 * a commit never blocks the thread serving HTTP and websockets; requests arriving meanwhile simply
 * make the next batch bigger.
 */
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { LogAppender, type BatchHead } from './log-appender.js';
import { GroupCommit } from './group-commit.js';
import type { Queries } from './queries.js';
import type { StoredEntry } from './types.js';
import { executeWrite, type WriteOp } from './write-ops.js';

export type CommittedListener = (entries: StoredEntry[]) => void;

export interface StoreWriter {
  write(op: WriteOp): Promise<unknown>;
  close(): Promise<void>;
}

export class InlineWriter implements StoreWriter {
  private readonly commits: GroupCommit;
  private readonly batchHead: BatchHead = { value: 0, lastDelivery: 0 };
  private batchEntries: StoredEntry[] = [];

  constructor(
    private readonly queries: Queries,
    db: Database.Database,
    onCommitted: CommittedListener,
  ) {
    const readHead = () => {
      this.batchHead.value = queries.log.head.get()?.head ?? 0;
      this.batchHead.lastDelivery = queries.deliveries.last.get()?.id ?? 0;
    };
    this.commits = new GroupCommit(db, {
      begin: () => {
        this.batchEntries = [];
        readHead();
      },
      rolledBack: readHead,
      committed: () => onCommitted(this.batchEntries),
    });
  }

  write(op: WriteOp): Promise<unknown> {
    return this.commits.enqueue(() => {
      const log = new LogAppender(this.queries, this.batchHead);
      const value = executeWrite(this.queries, log, op, new Date().toISOString());
      // A loop, not push(...written): an import of a million rows would overflow the call stack.
      for (const entry of log.written) this.batchEntries.push(entry);
      return value;
    });
  }

  async close(): Promise<void> {
    this.commits.flush();
  }
}

/** Messages from the writer worker, in the order it sends them. */
export type WorkerMessage =
  | { type: 'entries'; entries: StoredEntry[] }
  | { type: 'result'; id: number; value?: unknown; error?: string }
  | { type: 'closed' };

export class WorkerWriter implements StoreWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private readonly exited: Promise<void>;

  constructor(path: string, onCommitted: CommittedListener) {
    this.worker = new Worker(new URL('./writer-worker.js', import.meta.url), { workerData: { path } });
    this.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'entries') onCommitted(message.entries);
      else if (message.type === 'result') {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error !== undefined) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message.value);
      }
    });
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', () => {
        this.failure ??= new Error('the store writer stopped');
        this.rejectPending(this.failure);
        resolve();
      }),
    );
    this.worker.on('error', (error) => {
      this.failure = error;
      this.rejectPending(error);
    });
  }

  private failure: Error | null = null;

  private rejectPending(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  write(op: WriteOp): Promise<unknown> {
    // A dead writer answers nothing: fail at once so callers answer 503 instead of hanging.
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'write', id, op });
    });
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' });
    await this.exited;
  }
}
