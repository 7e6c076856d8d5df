/**
 * Who performs the SQLite store's writes. InlineWriter runs group commits on this thread (admin
 * commands, tests) and, inside the writer worker, for the serving relay. WorkerWriter is the serving
 * relay's side of that worker: the writes of one event-loop turn go over in one message and their
 * results come back in one, so an fsync never blocks the thread serving HTTP and websockets.
 *
 * Accepted deliveries (webhooks) are committed first, then applied by `applySlice` in transactions
 * of their own. At a trickle (a batch of fewer than BURST_BATCH with nothing waiting), each is applied
 * in its acceptance's own transaction instead, in a savepoint (a failure there leaves it pending for
 * applySlice): one fsync from webhook to gates. In a burst (big batches
 * of acceptances) nothing is applied until no big batch has come for `maxApplyDeferMs`: the worker
 * spends the burst acknowledging at the speed of the disk, and the apply catches up after it in
 * slices of at most `applyBudgetMs`, or at every turn once the backlog passes `BACKLOG_LIMIT`.
 * In a burst the serving thread may store webhooks as pending on its own connection (burst-accept.ts)
 * and tell this writer (`noteAccepted`); its apply slices then yield the lock to it (write-turns.ts).
 * An apply that runs while a group commit is queued skips its own fsync (synchronous=NORMAL): the
 * queued commit's fsync makes it durable too (the WAL is synced as a whole), and its entries are
 * announced only after that commit, so a gate never sees an entry a power cut could take back.
 */
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { createLogger } from '../../shared/logger.js';
import { BURST_BATCH, BURST_HOLD_MS } from './burst-accept.js';
import { GroupCommit } from './group-commit.js';
import { LogAppender, type BatchHead } from './log-appender.js';
import { acceptDelivery, applyPending, ParsedBodies } from './pending.js';
import type { Queries } from './queries.js';
import type { AcceptResult, AppliedDelivery, DeliveryInput, StoredEntry } from './types.js';
import { executeWrite, type WriteOp } from './write-ops.js';
import { WriteTurns } from './write-turns.js';

const log = createLogger('relay.store');

export interface WriterListeners {
  /** Log entries of a commit, after it committed, in seq order. */
  committed(entries: StoredEntry[]): void;
  /** Accepted deliveries applied by a commit, after it committed. */
  applied(deliveries: AppliedDelivery[]): void;
  /** The backlog of accepted deliveries not yet applied reached BACKLOG_LIMIT (true) or fell below it. */
  backlog?(isFull: boolean): void;
}

export interface StoreWriter {
  write(op: WriteOp): Promise<unknown>;
  close(): Promise<void>;
}

export interface InlineWriterOptions {
  /** See GroupCommitOptions.siblingWaitMs (default 2; the worker uses 0: its batches are whole turns). */
  siblingWaitMs?: number;
  /** How long after the last big batch of acceptances a burst counts as over and applying resumes (default 50 ms). */
  maxApplyDeferMs?: number;
  /** Deliveries applied per transaction at most (default 256), and its time budget (default 8 ms). */
  applyLimit?: number;
  applyBudgetMs?: number;
  /** How long close() goes on applying accepted deliveries before leaving them pending (default 5 s). */
  closeDrainMs?: number;
  /** Shared with a serving thread that also writes (burst-accept.ts): apply slices yield to it. */
  turns?: WriteTurns;
}

const RETRY_APPLY_MS = 1_000;
/**
 * Beyond this many accepted deliveries waiting, applying no longer waits for a burst to end: how far
 * the gates may trail behind acknowledged webhooks in a burst. The worker applies about 16,000 seed
 * deliveries a second on the bench machine when nothing else runs, so this is about 12 s of work,
 * and a 10-second burst at the ingest floor (wrk's default run, about 18,000 a second here) fits.
 * Beyond it, acknowledgements slow to the rate deliveries are applied.
 */
export const BACKLOG_LIMIT = 200_000;
/**
 * A batch stored by the serving thread (noteAccepted) this big defers applying: about half of the 64
 * connections of the ingest bench. Eight posters back to back make batches of eight at most.
 */
const NOTED_BURST = 2 * BURST_BATCH;

export class InlineWriter implements StoreWriter {
  private readonly commits: GroupCommit;
  private readonly batchHead: BatchHead = { value: 0, lastDelivery: 0 };
  private batchEntries: StoredEntry[] = [];
  private batchApplied: AppliedDelivery[] = [];
  /** Applied without an fsync of their own: announced after the next durable commit. */
  private held: { entries: StoredEntry[]; applied: AppliedDelivery[] } = { entries: [], applied: [] };
  /** Parses of this batch's acceptances, for their apply in the same batch (at a trickle). */
  private readonly parsed = new ParsedBodies();
  /**
   * Accepted deliveries not yet applied, as far as this writer knows (it counts what its own
   * commits leave pending and what its applies take): it chooses between applying in the batch and
   * deferring. Reset to 0 whenever an apply finds nothing.
   */
  private waiting: number;
  private batchWaiting = 0;
  private readonly applyTransaction: Database.Transaction<(limit: number) => AppliedDelivery[]>;
  /** The oldest pending delivery, in a savepoint of the current batch. */
  private readonly applyInBatch: Database.Transaction<(appender: LogAppender) => AppliedDelivery[]>;
  private isApplyingInBatch = false;
  private applyTimer: NodeJS.Immediate | NodeJS.Timeout | null = null;
  /** Acceptances in the batch being committed, and in the last committed batch that had any. */
  private batchAccepts = 0;
  private lastAccepts = 0;
  private lastAcceptCommitAt = 0;
  private isClosed = false;
  private isBacklogFull = false;
  private readonly options: Required<Omit<InlineWriterOptions, 'turns'>>;
  private readonly turns: WriteTurns | null;

  constructor(
    private readonly queries: Queries,
    private readonly db: Database.Database,
    private readonly listeners: WriterListeners,
    options: InlineWriterOptions = {},
  ) {
    this.options = {
      siblingWaitMs: options.siblingWaitMs ?? 2,
      maxApplyDeferMs: options.maxApplyDeferMs ?? BURST_HOLD_MS,
      applyLimit: options.applyLimit ?? 256,
      applyBudgetMs: options.applyBudgetMs ?? 8,
      closeDrainMs: options.closeDrainMs ?? 5_000,
    };
    this.turns = options.turns ?? null;
    this.commits = new GroupCommit(
      db,
      {
        begin: (writes) => {
          this.batchEntries = [];
          this.batchApplied = [];
          this.batchAccepts = 0;
          this.batchWaiting = 0;
          this.parsed.clear();
          this.isApplyingInBatch = writes < BURST_BATCH && this.waiting === 0;
          this.readHead();
        },
        rolledBack: () => this.readHead(),
        committed: () => {
          this.setWaiting(this.waiting + this.batchWaiting);
          if (this.batchAccepts > 0) {
            this.lastAccepts = this.batchAccepts;
            this.lastAcceptCommitAt = performance.now();
          }
          this.announce(this.batchEntries, this.batchApplied);
        },
      },
      { siblingWaitMs: this.options.siblingWaitMs },
    );
    this.applyTransaction = db.transaction((limit: number) => {
      this.readHead();
      const appender = new LogAppender(this.queries, this.batchHead);
      const applied = applyPending(this.queries, appender, this.parsed, {
        limit,
        budgetMs: this.options.applyBudgetMs,
      });
      this.batchEntries = appender.written;
      return applied;
    });
    this.applyInBatch = db.transaction((appender: LogAppender) =>
      applyPending(this.queries, appender, this.parsed, { limit: 1 }),
    );
    // Deliveries a crash (or a stop) left accepted but unapplied are applied now.
    this.waiting = 0;
    this.setWaiting(queries.pending.count.get()?.count ?? 0);
    if (this.waiting > 0) this.scheduleApply();
  }

  /** Keeps the count, and tells the listener when it crosses BACKLOG_LIMIT. */
  private setWaiting(count: number): void {
    this.waiting = Math.max(0, count);
    const isFull = this.waiting >= BACKLOG_LIMIT;
    if (isFull === this.isBacklogFull) return;
    this.isBacklogFull = isFull;
    this.listeners.backlog?.(isFull);
  }

  /**
   * `count` deliveries another connection stored as pending in a burst (burst-accept.ts). A batch of
   * at least NOTED_BURST defers applying, as a big batch of this writer's own acceptances does: the
   * deliveries are applied once the burst is over, or between acceptances once the backlog is full.
   * Smaller batches (a few posters at once) are applied as they come, between the other thread's
   * commits (write-turns.ts), so the gates do not wait for the end of a long, modest stream.
   */
  noteAccepted(count: number): void {
    if (count >= NOTED_BURST) {
      this.lastAccepts = count;
      this.lastAcceptCommitAt = performance.now();
    }
    this.setWaiting(this.waiting + count);
    this.scheduleApply();
  }

  private readHead(): void {
    this.batchHead.value = this.queries.log.head.get()?.head ?? 0;
    this.batchHead.lastDelivery = this.queries.deliveries.last.get()?.id ?? 0;
  }

  /** After a durable commit: what earlier commits held back goes first (seq order), then its own. */
  private announce(entries: StoredEntry[], applied: AppliedDelivery[]): void {
    const held = this.held;
    this.held = { entries: [], applied: [] };
    // Loops, not push(...): a batch can hold many thousands of entries.
    for (const entry of entries) held.entries.push(entry);
    for (const delivery of applied) held.applied.push(delivery);
    this.listeners.committed(held.entries);
    if (held.applied.length > 0) this.listeners.applied(held.applied);
  }

  private hold(entries: StoredEntry[], applied: AppliedDelivery[]): void {
    for (const entry of entries) this.held.entries.push(entry);
    for (const delivery of applied) this.held.applied.push(delivery);
  }

  private get isHolding(): boolean {
    return this.held.entries.length > 0 || this.held.applied.length > 0;
  }

  /**
   * One apply transaction; without its own fsync when a group commit is queued, or due soon in a
   * burst, to provide one (if none comes, the next slice syncs: see applySlice).
   */
  private applyOnce(limit: number, isBurst = false): { applied: AppliedDelivery[]; isDurable: boolean } {
    const isDurable = this.commits.size === 0 && !isBurst;
    if (isDurable) return { applied: this.applyTransaction.immediate(limit), isDurable };
    this.db.pragma('synchronous = NORMAL');
    try {
      return { applied: this.applyTransaction.immediate(limit), isDurable };
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  write(op: WriteOp): Promise<unknown> {
    return this.commits.enqueue(() => {
      const appender = new LogAppender(this.queries, this.batchHead);
      if (op.kind === 'accept') return this.accept(appender, op.input);
      const context = {
        parsed: this.isApplyingInBatch ? this.parsed : null,
        applied: [] as AppliedDelivery[],
      };
      const value = executeWrite(this.queries, appender, op, new Date().toISOString(), context);
      // A loop, not push(...written): an import of a million rows would overflow the call stack.
      for (const entry of appender.written) this.batchEntries.push(entry);
      for (const delivery of context.applied) this.batchApplied.push(delivery);
      this.batchWaiting -= context.applied.length;
      return value;
    });
  }

  /**
   * Webhook acceptances as one write of the group commit (the writer worker's hot path: no promise
   * or savepoint each). One that throws fails them all: none is acknowledged, Moshtix retries.
   */
  acceptAll(inputs: readonly DeliveryInput[]): Promise<AcceptResult[]> {
    return this.commits.enqueue(() => {
      const entries = this.batchEntries.length;
      const applied = this.batchApplied.length;
      const waiting = this.batchWaiting;
      const accepts = this.batchAccepts;
      const appender = new LogAppender(this.queries, this.batchHead);
      try {
        return inputs.map((input) => this.accept(appender, input));
      } catch (error) {
        // The run's savepoint rolls back what its first acceptances applied in the batch: forget it.
        this.batchEntries.length = entries;
        this.batchApplied.length = applied;
        this.batchWaiting = waiting;
        this.batchAccepts = accepts;
        throw error;
      }
    }, inputs.length);
  }

  private accept(appender: LogAppender, input: DeliveryInput): AcceptResult {
    const parsed = this.isApplyingInBatch ? this.parsed : null;
    const value = acceptDelivery(this.queries, appender, input, parsed);
    this.batchAccepts += 1;
    if (value.status !== 'accepted') return value;
    if (this.isApplyingInBatch) this.applyWithAcceptance();
    else {
      this.batchWaiting += 1;
      this.scheduleApply();
    }
    return value;
  }

  /** Inside the batch: the delivery just accepted, applied in a savepoint of the same transaction. */
  private applyWithAcceptance(): void {
    const appender = new LogAppender(this.queries, this.batchHead);
    try {
      const applied = this.applyInBatch(appender);
      for (const entry of appender.written) this.batchEntries.push(entry);
      for (const delivery of applied) this.batchApplied.push(delivery);
    } catch (error) {
      // Rolled back to the savepoint: it stays pending, and applySlice deals with it on its own.
      this.batchWaiting += 1;
      this.readHead();
      log.warn('a delivery could not be applied with its acceptance; applying it on its own', {
        error: (error as Error).message,
      });
      this.scheduleApply();
    }
  }

  private scheduleApply(delayMs = 0): void {
    if (this.applyTimer || this.isClosed) return;
    const run = () => {
      this.applyTimer = null;
      this.applySlice();
    };
    this.applyTimer = delayMs > 0 ? setTimeout(run, delayMs) : setImmediate(run);
  }

  private applySlice(): void {
    const now = performance.now();
    const isBurst =
      this.lastAccepts >= BURST_BATCH && now - this.lastAcceptCommitAt < this.options.maxApplyDeferMs;
    if (isBurst && this.waiting < BACKLOG_LIMIT) {
      // Acceptances are streaming in: acknowledgements go first, the apply waits for the burst to
      // end (no big batch for maxApplyDeferMs) or for the backlog to reach BACKLOG_LIMIT.
      this.scheduleApply(
        Math.max(1, Math.ceil(this.lastAcceptCommitAt + this.options.maxApplyDeferMs - now)),
      );
      return;
    }
    // The serving thread wants the lock for a burst's webhooks: they go first.
    if (this.turns && !this.turns.tryEnterWorker()) {
      this.scheduleApply(1);
      return;
    }
    let result: { applied: AppliedDelivery[]; isDurable: boolean };
    try {
      result = this.applyOnce(this.options.applyLimit, isBurst);
    } catch (error) {
      this.turns?.leaveWorker();
      this.batchEntries = [];
      log.error('applying accepted deliveries failed; retrying one by one', {
        error: (error as Error).message,
      });
      this.applyOneByOne();
      return;
    }
    this.turns?.leaveWorker();
    const { applied, isDurable } = result;
    this.countApplied(applied.length);
    if (!isDurable) this.hold(this.batchEntries, applied);
    else {
      // An apply with nothing to do writes nothing and syncs nothing: sync what is held explicitly
      // (the queued commit it counted on may have failed).
      if (applied.length === 0 && this.isHolding) this.db.pragma('wal_checkpoint(PASSIVE)');
      this.announce(this.batchEntries, applied);
    }
    this.batchEntries = [];
    if (applied.length > 0 || this.isHolding) this.scheduleApply();
  }

  /** After a committed apply of `count` pending deliveries (none: the backlog is empty). */
  private countApplied(count: number): void {
    this.setWaiting(count === 0 ? 0 : this.waiting - count);
  }

  /**
   * After a failed slice: each delivery in a transaction of its own; one whose apply throws is moved
   * to quarantine with the error, so it never holds back the deliveries behind it.
   */
  private applyOneByOne(): void {
    for (const row of this.queries.pending.oldest.all(this.options.applyLimit)) {
      try {
        const applied = this.applyTransaction.immediate(1);
        this.countApplied(applied.length);
        this.announce(this.batchEntries, applied);
      } catch (error) {
        const message = `(apply): ${(error as Error).message}`;
        try {
          this.db
            .transaction(() => {
              this.queries.quarantine.insert.run(row.received_at, row.origin, row.body, message);
              this.queries.pending.remove.run(row.id);
            })
            .immediate();
          this.countApplied(1);
          log.error('an accepted delivery could not be applied: quarantined', { id: row.id, error: message });
        } catch (storeError) {
          log.error('the store refuses writes; applying again later', {
            error: (storeError as Error).message,
          });
          this.scheduleApply(RETRY_APPLY_MS);
          return;
        }
      } finally {
        this.batchEntries = [];
      }
    }
    this.scheduleApply();
  }

  async close(): Promise<void> {
    this.isClosed = true;
    if (this.applyTimer) {
      clearTimeout(this.applyTimer as NodeJS.Timeout);
      clearImmediate(this.applyTimer as NodeJS.Immediate);
    }
    this.applyTimer = null;
    // Queued writes commit now, then the backlog of accepted deliveries is applied for a while (a
    // stopped relay should leave nothing half done); what is left stays pending for the next start.
    this.commits.flush();
    const started = performance.now();
    while (performance.now() - started < this.options.closeDrainMs) {
      let applied: AppliedDelivery[];
      try {
        applied = this.applyTransaction.immediate(this.options.applyLimit);
      } catch (error) {
        log.warn('accepted deliveries left pending at close', { error: (error as Error).message });
        break;
      }
      if (applied.length === 0 && this.isHolding) this.db.pragma('wal_checkpoint(PASSIVE)');
      this.announce(this.batchEntries, applied);
      this.batchEntries = [];
      if (applied.length === 0) break;
    }
  }
}

/**
 * Messages from the writer worker, in the order it sends them. A batch's results travel as columns
 * (flat arrays clone several times faster than an object per result), an accepted delivery's result
 * as its bare delivery id.
 */
export type WorkerMessage =
  | { type: 'entries'; entries: StoredEntry[] }
  | { type: 'applied'; deliveries: AppliedDelivery[] }
  | { type: 'results'; ids: number[]; values: unknown[]; errors: { index: number; error: string }[] }
  | { type: 'backlog'; isFull: boolean }
  | { type: 'closed' };

/**
 * Messages to the writer worker: every write of one event-loop turn, as columns. A webhook
 * acceptance (the hot path) is its body alone, its `receivedAt` in `times`; any other write is its op.
 */
export type WorkerRequest =
  | { type: 'writes'; ids: number[]; ops: (WriteOp | string)[]; times: (string | null)[] }
  | { type: 'accepted'; count: number }
  | { type: 'close' };

/** The webhook acceptance a `writes` request carries at `index` (its op is the bare body). */
export function requestedAcceptance(
  request: Extract<WorkerRequest, { type: 'writes' }>,
  index: number,
): DeliveryInput {
  return { body: String(request.ops[index]), receivedAt: request.times[index] ?? '', origin: 'webhook' };
}

/** A webhook acceptance's result as the worker sends it back: an accepted delivery as its id alone. */
export function encodeAcceptance(result: AcceptResult): number | AcceptResult {
  return result.status === 'accepted' ? result.deliveryId : result;
}

interface Waiter {
  isWebhook: boolean;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class WorkerWriter implements StoreWriter {
  private readonly worker: Worker;
  /** Shared with the worker: the serving thread's burst commits go before its apply slices. */
  readonly turns = new WriteTurns();
  private readonly pending = new Map<number, Waiter>();
  private outbox: Extract<WorkerRequest, { type: 'writes' }> = {
    type: 'writes',
    ids: [],
    ops: [],
    times: [],
  };
  private nextId = 1;
  private readonly exited: Promise<void>;
  private failure: Error | null = null;
  /** The worker's backlog of accepted deliveries is full: every webhook goes to it (burst-accept.ts). */
  isBacklogFull = false;

  constructor(path: string, listeners: WriterListeners) {
    this.worker = new Worker(new URL('./writer-worker.js', import.meta.url), {
      workerData: { path, turns: this.turns.buffer },
    });
    this.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'entries') listeners.committed(message.entries);
      else if (message.type === 'applied') listeners.applied(message.deliveries);
      else if (message.type === 'results') this.settle(message);
      else if (message.type === 'backlog') this.isBacklogFull = message.isFull;
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

  private settle(message: Extract<WorkerMessage, { type: 'results' }>): void {
    for (const { index, error } of message.errors) {
      const id = message.ids[index] ?? 0;
      this.pending.get(id)?.reject(new Error(error));
      this.pending.delete(id);
    }
    message.ids.forEach((id, index) => {
      const waiter = this.pending.get(id);
      if (!waiter) return;
      this.pending.delete(id);
      const value = message.values[index];
      waiter.resolve(
        waiter.isWebhook && typeof value === 'number' ? { status: 'accepted', deliveryId: value } : value,
      );
    });
  }

  private rejectPending(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  write(op: WriteOp): Promise<unknown> {
    // A dead writer answers nothing: fail at once so callers answer 503 instead of hanging.
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const isWebhook = op.kind === 'accept' && op.input.origin === 'webhook';
    return new Promise((resolve, reject) => {
      this.pending.set(id, { isWebhook, resolve, reject });
      // One message per event-loop turn, however many writes the turn made.
      const outbox = this.outbox;
      if (outbox.ids.length === 0) setImmediate(() => this.send());
      outbox.ids.push(id);
      if (isWebhook) {
        outbox.ops.push(op.input.body);
        outbox.times.push(op.input.receivedAt);
      } else {
        outbox.ops.push(op);
        outbox.times.push(null);
      }
    });
  }

  /** `count` deliveries were stored as pending on another connection: the worker applies them. */
  noteAccepted(count: number): void {
    this.post({ type: 'accepted', count });
  }

  private send(): void {
    const writes = this.outbox;
    if (writes.ids.length === 0) return;
    this.outbox = { type: 'writes', ids: [], ops: [], times: [] };
    this.post(writes);
  }

  private post(request: WorkerRequest): void {
    this.worker.postMessage(request);
  }

  async close(): Promise<void> {
    this.send();
    this.post({ type: 'close' });
    await this.exited;
  }
}
