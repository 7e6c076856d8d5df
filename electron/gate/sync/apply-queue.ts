/**
 * Stores what the relay sends without making scans wait: snapshot chunks and large entry batches are
 * queued and stored in bounded slices — one short transaction each, sized to take a few milliseconds
 * — with the event loop free between slices (setImmediate), so a scan arriving mid-snapshot is
 * answered after at most one slice. Slices are shortest while scans are coming in.
 *
 * Order and the cursor: steps run strictly in arrival order. A snapshot's cursor moves only at its
 * end (finishSnapshot), after every slice is stored; an entries slice moves the cursor past exactly
 * the entries it stored, in the same transaction (applyEntries per slice). A slice that fails drops
 * the queue and reconnects: the relay then resends from the cursor on disk.
 *
 * A first snapshot into an empty tickets table loads without the table's secondary indexes (the
 * lookups by name, email and order); once it is stored they are built one per turn, when no scan has
 * come in for a few seconds — a build is one long statement, and scans do not need them. The queue
 * also tells the sync client when to stop reading (`backlog`), so frames never pile up in memory.
 */
import type { LogEntry } from '../../../shared/protocol.js';
import { createLogger } from '../../../shared/logger.js';
import {
  applyEntries,
  applySnapshotChunks,
  finishSnapshot,
  type ApplyOutcome,
  type ConflictDays,
  type SnapshotChunk,
} from '../apply.js';
import type { ApplyError } from '../store/apply-errors.js';
import type { GateStore } from '../store/index.js';
import type { IndexDefinition } from '../store/ticket-indexes.js';
import { Turns } from './turns.js';

const log = createLogger('gate.apply');

/** What the queue needs of the engine. */
export interface QueueHost {
  store: GateStore;
  gateName(): string;
  now(): string;
  /** For tickets of multi-day events: the door day a scan belongs to. */
  conflictDays: ConflictDays;
  /** After every stored slice. */
  applied(outcome: ApplyOutcome): void;
  /** Something visible changed (progress, cursor). */
  changed(): void;
  /** Whether scans are coming in now (slices are then kept shortest). */
  isBusy(): boolean;
  /** The snapshot's announced size, for progress. */
  snapshotTotal(): number | null;
  /** Storing failed: drop the connection and start over from the cursor on disk. */
  resync(reason: string): void;
}

export interface ApplyQueueOptions {
  /**
   * Time budget of one slice while scans come in (3 ms: a scan waits for at most one; 4 ms measured
   * 1–4 ms higher at p99 during a 1M-ticket snapshot), and while the door is quiet (ms).
   */
  busySliceMs?: number;
  quietSliceMs?: number;
  /** Upper bound on items per slice (tests use 1 to watch progress chunk by chunk). */
  maxSliceItems?: number;
  /** Above this many queued items the sync client stops reading until half of it is stored. */
  highWater?: number;
  /** An entries batch up to this size, arriving with nothing queued, is stored at once. */
  inlineEntries?: number;
}

type Step =
  | { kind: 'begin'; cursor: number }
  | { kind: 'chunk'; chunk: SnapshotChunk; offset: number; isEventsStored: boolean }
  | { kind: 'end'; cursor: number; stored: () => void }
  | {
      kind: 'entries';
      entries: readonly LogEntry[];
      offset: number;
      /** Called once the last slice is stored. */
      stored: () => void;
      /** Entries of the frame that did not parse, recorded with the slice that reaches their seq. */
      unreadable: readonly ApplyError[];
    };

const sizeOf = (chunk: SnapshotChunk) =>
  Math.max(chunk.tickets.length, chunk.scans.length, chunk.index?.length ?? 0);

export class ApplyQueue {
  private readonly steps: Step[] = [];
  private queuedItems = 0;
  private isScheduled = false;
  private quietCheck: NodeJS.Timeout | null = null;
  /** Secondary indexes a first load left out, built when the door is quiet. */
  private pendingIndexes: IndexDefinition[] = [];
  private isStopped = false;
  /** Milliseconds per item, learnt from the slices so far. */
  private costPerItem = 0.05;
  private snapshot: { stored: number; total: number | null; isFirstLoad: boolean; cursor: number } | null =
    null;
  private waiters: (() => void)[] = [];
  private lastChangedAt = 0;
  private readonly options: Required<ApplyQueueOptions>;

  constructor(
    private readonly host: QueueHost,
    options: ApplyQueueOptions = {},
    /** Shared with the sync client: a slice and a frame never run in one turn. */
    private readonly turns: Turns = new Turns(),
  ) {
    this.options = {
      busySliceMs: options.busySliceMs ?? 3,
      quietSliceMs: options.quietSliceMs ?? 40,
      maxSliceItems: options.maxSliceItems ?? 25_000,
      highWater: options.highWater ?? 5_000,
      inlineEntries: options.inlineEntries ?? 200,
    };
  }

  /** A snapshot as of `cursor` starts (index entries are stamped with it). */
  snapshotBegin(cursor: number): void {
    this.push({ kind: 'begin', cursor }, 0);
  }

  snapshotChunk(chunk: SnapshotChunk): void {
    this.push({ kind: 'chunk', chunk, offset: 0, isEventsStored: false }, sizeOf(chunk));
  }

  /** Settles once the snapshot is stored and its cursor saved (never, if the queue is dropped first). */
  snapshotEnd(cursor: number): Promise<void> {
    return new Promise((stored) => this.push({ kind: 'end', cursor, stored }, 0));
  }

  /**
   * Stores entries (now when small and nothing waits, else queued); returns the cursor they lead to,
   * and what could not be applied (known only when stored now; queued slices record theirs). Queued
   * ones come with `stored`, settled once the last of them is stored.
   */
  entries(
    entries: readonly LogEntry[],
    unreadable: readonly ApplyError[] = [],
  ): { cursor: number; errors: string[]; stored?: Promise<void> } {
    if (this.steps.length === 0 && entries.length <= this.options.inlineEntries) {
      const outcome = applyEntries(
        this.host.store,
        this.host.gateName(),
        entries,
        this.host.now(),
        unreadable,
        this.host.conflictDays,
      );
      this.host.applied(outcome);
      return { cursor: outcome.cursor, errors: outcome.errors };
    }
    const sorted = [...entries].sort((a, b) => a.seq - b.seq);
    const stored = new Promise<void>((resolve) =>
      this.push({ kind: 'entries', entries: sorted, offset: 0, unreadable, stored: resolve }, entries.length),
    );
    const seqs = [...entries.map((entry) => entry.seq), ...unreadable.map((problem) => problem.seq ?? 0)];
    return { cursor: Math.max(this.host.store.state.cursor(), ...seqs), errors: [], stored };
  }

  /** While too much is queued: settles once half of it is stored. */
  backlog(): Promise<void> | null {
    if (this.queuedItems <= this.options.highWater) return null;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Snapshot progress in stored tickets while tickets of a snapshot are still being stored, else null
   * (once all are in, what is left — indexes, the cursor — is not a download any more).
   */
  progress(): { received: number; total: number } | null {
    if (!this.snapshot) return null;
    const total = this.snapshot.total ?? this.host.snapshotTotal();
    if (total === null || this.snapshot.stored >= total) return null;
    return { received: this.snapshot.stored, total };
  }

  get isIdle(): boolean {
    return this.steps.length === 0;
  }

  /**
   * The connection that sent what is queued is gone: nothing of it is stored any more. The cursor on
   * disk is where the next connection starts, and the relay sends everything after it again. (A
   * queued snapshot end or entries slice must never move the cursor after a reset made for the next
   * connection: the gate would then ask from a cursor it never reached.)
   */
  drop(): void {
    if (this.steps.length > 0)
      log.info('dropping what a closed connection queued', { items: this.queuedItems });
    this.clear();
  }

  stop(): void {
    this.isStopped = true;
    if (this.quietCheck) clearTimeout(this.quietCheck);
    this.quietCheck = null;
    this.pendingIndexes = [];
    this.clear();
  }

  private push(step: Step, items: number): void {
    if (this.isStopped) return;
    this.steps.push(step);
    this.queuedItems += items;
    this.schedule();
  }

  private schedule(): void {
    if (this.isScheduled || this.quietCheck || this.isStopped) return;
    if (this.steps.length > 0) {
      this.isScheduled = true;
      this.turns.take(() => {
        this.isScheduled = false;
        if (this.isStopped) return;
        this.runOne();
        this.schedule();
      });
    } else if (this.pendingIndexes.length > 0) {
      // Index builds wait for a quiet door, checked twice a second.
      this.quietCheck = setTimeout(
        () => {
          this.quietCheck = null;
          if (!this.host.isBusy() && this.steps.length === 0) this.buildIndex();
          this.schedule();
        },
        this.host.isBusy() ? 500 : 0,
      );
    }
  }

  private buildIndex(): void {
    const index = this.pendingIndexes.shift();
    if (!index) return;
    try {
      this.host.store.createTicketIndex(index);
      log.info('ticket index built', { index: index.name, left: this.pendingIndexes.length });
    } catch (error) {
      // Left for the store to build at the next start (it checks on open).
      log.error('building a ticket index failed', { index: index.name, error: String(error) });
    }
  }

  private runOne(): void {
    const step = this.steps[0];
    if (!step) return;
    try {
      switch (step.kind) {
        case 'begin':
          this.steps.shift();
          this.begin(step.cursor);
          break;
        case 'chunk':
          this.storeChunks();
          break;
        case 'entries':
          this.storeEntries(step);
          break;
        case 'end':
          this.steps.shift();
          this.end(step.cursor);
          step.stored();
          break;
        default: {
          const impossible: never = step;
          throw new Error(`unknown step ${JSON.stringify(impossible)}`);
        }
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log.error('storing what the relay sent failed; reconnecting to get it again', { error: reason });
      this.clear();
      this.host.resync(`could not store what the relay sent: ${reason}`);
      return;
    }
    this.release();
    this.notify(this.steps.length === 0);
  }

  private begin(cursor: number): void {
    this.pendingIndexes = [];
    const isFirstLoad = this.host.store.hasNoTickets() || this.host.store.missingTicketIndexes().length > 0;
    if (isFirstLoad) {
      const dropped = this.host.store.dropTicketIndexes();
      if (dropped > 0) log.info('first snapshot: loading without secondary indexes', { dropped });
    }
    this.snapshot = { stored: 0, total: null, isFirstLoad, cursor };
  }

  /** One slice of snapshot items, across as many queued chunks as fit, in one transaction. */
  private storeChunks(): void {
    const budget = this.sliceItems();
    const parts: SnapshotChunk[] = [];
    let items = 0;
    while (items < budget) {
      const step = this.steps[0];
      if (step?.kind !== 'chunk') break;
      const take = Math.min(budget - items, sizeOf(step.chunk) - step.offset);
      parts.push({
        events: step.isEventsStored ? [] : step.chunk.events,
        tickets: step.chunk.tickets.slice(step.offset, step.offset + take),
        scans: step.chunk.scans.slice(step.offset, step.offset + take),
        index: step.chunk.index?.slice(step.offset, step.offset + take) ?? [],
      });
      step.isEventsStored = true;
      step.offset += take;
      items += take;
      if (step.offset >= sizeOf(step.chunk)) this.steps.shift();
    }
    const started = performance.now();
    const outcome = applySnapshotChunks(
      this.host.store,
      this.host.gateName(),
      parts,
      this.host.now(),
      this.snapshot?.cursor ?? 0,
      this.host.conflictDays,
      this.snapshot?.isFirstLoad === true,
    );
    this.learn(performance.now() - started, items);
    this.queuedItems -= items;
    if (this.snapshot) {
      this.snapshot.total ??= this.host.snapshotTotal();
      this.snapshot.stored += parts.reduce((sum, part) => sum + part.tickets.length, 0);
    }
    this.host.applied(outcome);
  }

  private storeEntries(step: Extract<Step, { kind: 'entries' }>): void {
    const take = Math.min(this.sliceItems(), step.entries.length - step.offset);
    const slice = step.entries.slice(step.offset, step.offset + take);
    const started = performance.now();
    const isLast = step.offset + take >= step.entries.length;
    // Unreadable entries go with the slice that reaches their seq (the last slice takes the rest), so
    // the cursor never passes an entry of a later slice that is not stored yet.
    const reach = slice.at(-1)?.seq ?? 0;
    const problems = isLast
      ? step.unreadable
      : step.unreadable.filter((problem) => problem.seq === null || problem.seq <= reach);
    step.unreadable = isLast ? [] : step.unreadable.filter((problem) => !problems.includes(problem));
    // Each slice is its own transaction with its own cursor (applyEntries moves it past the slice).
    this.host.applied(
      applyEntries(
        this.host.store,
        this.host.gateName(),
        slice,
        this.host.now(),
        problems,
        this.host.conflictDays,
      ),
    );
    this.learn(performance.now() - started, take);
    step.offset += take;
    this.queuedItems -= take;
    if (step.offset >= step.entries.length) {
      this.steps.shift();
      step.stored();
    }
  }

  private end(cursor: number): void {
    finishSnapshot(this.host.store, cursor, this.host.now());
    // A crash before the indexes are built is repaired when the store next opens (cursor > 0).
    if (this.snapshot?.isFirstLoad) this.pendingIndexes = this.host.store.missingTicketIndexes();
    this.snapshot = null;
  }

  /** Items for the next slice: as many as fit the time budget at the cost seen so far. */
  private sliceItems(): number {
    const budget = this.host.isBusy() ? this.options.busySliceMs : this.options.quietSliceMs;
    return Math.max(1, Math.min(this.options.maxSliceItems, Math.floor(budget / this.costPerItem)));
  }

  private learn(elapsedMs: number, items: number): void {
    if (items < 10) return;
    this.costPerItem = 0.7 * this.costPerItem + 0.3 * (elapsedMs / items);
  }

  private release(): void {
    if (this.waiters.length === 0 || this.queuedItems > this.options.highWater / 2) return;
    this.waiters.splice(0).forEach((resolve) => resolve());
  }

  /** Status events at most every 200 ms while storing, and once when done. */
  private notify(isDone: boolean): void {
    const now = performance.now();
    if (!isDone && now - this.lastChangedAt < 200) return;
    this.lastChangedAt = now;
    this.host.changed();
  }

  private clear(): void {
    this.steps.length = 0;
    this.queuedItems = 0;
    this.snapshot = null;
    this.waiters.splice(0).forEach((resolve) => resolve());
  }
}
