/**
 * Webhook acceptance in a burst, on the serving thread (issue 14). At a trickle every webhook goes to
 * the writer worker, which accepts and applies it in one transaction (one fsync from webhook to
 * gates). In a burst (at least BURST_BATCH webhooks in one turn of the event loop or waiting for the
 * worker's answer, and the turns for BURST_HOLD_MS after that) the deliveries of each turn are
 * stored as pending here, on this thread's own connection, in one synchronous=FULL transaction, and
 * answered once it committed: the floor prototype's design. A message hop to the worker and back on
 * every acknowledgement cost about a third of the rate. The worker learns of them (`noteAccepted`)
 * and applies them: after the burst when the batches are big, at once when they are small.
 *
 * Only bodies `readsAsOrder` vouches for are stored here; any other (an EVENT_SAVED, an odd or broken
 * body) goes to the worker, which parses it in full and quarantines it if it must. Once the worker
 * says its backlog of unapplied deliveries is full, every webhook goes to it again: it then applies
 * between acceptances, so the gates never trail further behind (see writer.ts, BACKLOG_LIMIT).
 *
 * Both threads write to one database: SQLite's write lock orders them, and a delivery id is taken
 * inside the transaction that stores it, so ids stay dense and unique whichever thread stores it.
 */
import type Database from 'better-sqlite3';
import { readsAsOrder } from '../../shared/moshtix.js';
import type { Queries } from './queries.js';
import type { AcceptResult, DeliveryInput } from './types.js';
import type { WriteTurns } from './write-turns.js';
import { parseJsonOrUndefined } from '../../shared/json.js';

/** A turn with at least this many webhooks starts a burst (the writer's BURST_BATCH). */
export const BURST_BATCH = 8;
/** A burst lasts this long after its last big turn (also the writer's default maxApplyDeferMs). */
export const BURST_HOLD_MS = 50;

export interface BurstWorker {
  /** Accepts (and at a trickle applies) one delivery on the writer worker. */
  accept(input: DeliveryInput): Promise<AcceptResult>;
  /** After a commit here: `count` more deliveries are pending. */
  noteAccepted(count: number): void;
  /** Whether the worker wants every webhook again (its backlog is full). */
  readonly isBacklogFull: boolean;
}

interface Waiting {
  input: DeliveryInput;
  resolve(result: AcceptResult): void;
  reject(error: unknown): void;
}

export class BurstAcceptor {
  private turn: Waiting[] = [];
  private lastBurstAt = Number.NEGATIVE_INFINITY;
  /** Webhooks handed to the worker and not answered yet. */
  private atWorker = 0;
  private readonly commit: Database.Transaction<(inputs: readonly DeliveryInput[]) => number>;

  constructor(
    db: Database.Database,
    queries: Queries,
    private readonly worker: BurstWorker,
    /** Shared with the writer worker, whose apply slices then wait for this thread's commits. */
    private readonly turns: WriteTurns | null = null,
  ) {
    /** Stores the inputs under the next free delivery ids; returns the first. */
    this.commit = db.transaction((inputs: readonly DeliveryInput[]) => {
      const first = (queries.deliveries.last.get()?.id ?? 0) + 1;
      inputs.forEach((input, index) =>
        queries.pending.insert.run(first + index, input.receivedAt, input.origin, input.body),
      );
      return first;
    });
  }

  accept(input: DeliveryInput): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      if (this.turn.length === 0) setImmediate(() => this.flush());
      this.turn.push({ input, resolve, reject });
    });
  }

  /** Settles every webhook of this turn: stored here in a burst, else handed to the worker. */
  flush(): void {
    const turn = this.turn;
    this.turn = [];
    if (turn.length === 0) return;
    const now = performance.now();
    // Many at once: in this turn, or still waiting for the worker (whose round trips would otherwise
    // keep each turn small).
    if (turn.length + this.atWorker >= BURST_BATCH) this.lastBurstAt = now;
    const isBurst = now - this.lastBurstAt < BURST_HOLD_MS && !this.worker.isBacklogFull;
    const mine: Waiting[] = [];
    for (const waiting of turn) {
      if (isBurst && readsAsOrder(parseJsonOrUndefined(waiting.input.body))) mine.push(waiting);
      else this.handToWorker(waiting);
    }
    if (mine.length === 0) return;
    let first: number;
    this.turns?.enterServing();
    try {
      first = this.commit.immediate(mine.map((waiting) => waiting.input));
    } catch (error) {
      // Nothing was stored: none is acknowledged (503), and Moshtix retries.
      for (const waiting of mine) waiting.reject(error);
      return;
    } finally {
      this.turns?.leaveServing();
    }
    this.worker.noteAccepted(mine.length);
    mine.forEach((waiting, index) => waiting.resolve({ status: 'accepted', deliveryId: first + index }));
  }

  private handToWorker(waiting: Waiting): void {
    this.atWorker += 1;
    const settled = () => {
      this.atWorker -= 1;
    };
    this.worker.accept(waiting.input).then(
      (result) => {
        settled();
        waiting.resolve(result);
      },
      (error: unknown) => {
        settled();
        waiting.reject(error);
      },
    );
  }
}
