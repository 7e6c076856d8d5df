/**
 * Group commit for the PostgreSQL store. Writes that arrive while a batch is in flight run together in
 * the next one: one transaction, one commit (one WAL flush) for many deliveries.
 *
 * Every batch first locks the single `log_head` row, so batches from every replica and every admin
 * command are serialised: seqs are handed out and committed in order, and a gate that has read seq N
 * can never later miss an entry below N. Inside the batch the writes await the database (there is no
 * synchronous PostgreSQL client); the lock is held only for the batch's statements, never for network
 * calls elsewhere. The commit NOTIFYs the other replicas with the new head.
 *
 * The whole batch runs without savepoints (the common case, two round trips per write cheaper); when
 * one write fails the batch is rolled back and its writes rerun one per transaction, so the bad write
 * fails alone.
 */
import type pg from 'pg';
import type { StoredEntry } from '../types.js';
import type { WriteOp } from '../write-ops.js';
import { PgLogAppender, type PgBatchHead } from './appender.js';
import { executePgWrite } from './apply.js';
import { DeliveryBatch } from './delivery-batch.js';
import { encodeLogNotice } from './log-notice.js';
import { Tx } from './connection.js';

export const LOG_CHANNEL = 'gatehouse_log';
export const GATES_CHANNEL = 'gatehouse_gates';
/** Writes per batch at most: bounds how long one transaction holds the head lock. */
const MAX_BATCH = 256;

interface PendingWrite {
  op: WriteOp;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { value: unknown } | { error: unknown };

export class PgWriter {
  private pending: PendingWrite[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly onCommitted: (entries: StoredEntry[]) => void,
  ) {}

  write(op: WriteOp): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      // A write queued after the loop's last look (by a caller answered in this very drain).
      if (this.pending.length > 0) this.kick();
    });
  }

  /** Resolves when every write queued so far has been answered. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let the writes of this event-loop turn join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      let outcomes: Map<PendingWrite, Outcome>;
      try {
        outcomes = await this.commit(batch);
      } catch (error) {
        if (batch.length === 1) {
          batch[0]?.reject(error);
          continue;
        }
        // One write failed (or the connection did): find out which, each in its own transaction.
        outcomes = new Map();
        for (const write of batch) {
          try {
            const single = await this.commit([write]);
            for (const [key, value] of single) outcomes.set(key, value);
          } catch (singleError) {
            outcomes.set(write, { error: singleError });
          }
        }
      }
      for (const [write, outcome] of outcomes) {
        if ('value' in outcome) write.resolve(outcome.value);
        else write.reject(outcome.error);
      }
    }
  }

  /** One transaction for the batch; throws (rolled back) if any write throws. */
  private async commit(batch: readonly PendingWrite[]): Promise<Map<PendingWrite, Outcome>> {
    const client = await this.pool.connect();
    const tx = new Tx(client);
    let isBroken = false;
    try {
      await tx.run('BEGIN');
      const head = await tx.one<{ seq: number; last_delivery: number }>(
        'SELECT seq, last_delivery FROM log_head WHERE id = 1 FOR UPDATE',
      );
      if (!head) throw new Error('log_head row missing: the database was not migrated');
      const batchHead: PgBatchHead = { value: head.seq, lastDelivery: head.last_delivery };
      const appender = new PgLogAppender(batchHead);
      const now = new Date().toISOString();
      const outcomes = new Map<PendingWrite, Outcome>();
      let isGatesChanged = false;
      // The deliveries read what they need at once; any other write ends that (it may change it).
      const inputs = batch.flatMap((write) => (write.op.kind === 'delivery' ? [write.op.input] : []));
      let deliveries: DeliveryBatch | null = inputs.length > 0 ? await DeliveryBatch.load(tx, inputs) : null;
      for (const write of batch) {
        if (write.op.kind !== 'delivery' && deliveries) {
          await deliveries.flush(tx);
          deliveries = null;
        }
        outcomes.set(write, { value: await executePgWrite(tx, appender, write.op, now, deliveries) });
        if (write.op.kind === 'revoke-gate' || write.op.kind === 'add-gate') isGatesChanged = true;
      }
      await deliveries?.flush(tx);
      await appender.flush(tx);
      if (appender.count > 0)
        await tx.run('SELECT pg_notify($1, $2)', [
          LOG_CHANNEL,
          encodeLogNotice(batchHead.value, appender.written),
        ]);
      if (isGatesChanged) await tx.run('SELECT pg_notify($1, $2)', [GATES_CHANNEL, '']);
      await tx.run('COMMIT');
      this.onCommitted([...appender.written]);
      return outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        isBroken = true;
      });
      throw error;
    } finally {
      client.release(isBroken);
    }
  }
}
