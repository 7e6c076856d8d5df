/**
 * Appends log entries inside the current PostgreSQL write batch. As in the SQLite store, every entry
 * is checked against the wire schema before it is written. Rows are kept here and inserted in one
 * statement when the batch commits (nothing in a write reads the log back), which saves a round trip
 * per entry. The batch holds the `log_head` row lock, so the seqs handed out here are the next ones.
 */
import type { LogEntry } from '../../../shared/protocol.js';
import { sequencedEntry, type Unsequenced } from '../log-appender.js';
import type { StoredEntry } from '../types.js';
import type { Tx } from './connection.js';

export interface PgBatchHead {
  /** Highest log seq. */
  value: number;
  /** Highest delivery id. */
  lastDelivery: number;
}

interface PendingRow {
  entry: StoredEntry;
  createdAt: string;
}

export class PgLogAppender {
  private readonly rows: PendingRow[] = [];

  constructor(private readonly batchHead: PgBatchHead) {}

  get written(): readonly StoredEntry[] {
    return this.rows.map((row) => row.entry);
  }

  get count(): number {
    return this.rows.length;
  }

  head(): number {
    return this.batchHead.value;
  }

  nextDeliveryId(): number {
    this.batchHead.lastDelivery += 1;
    return this.batchHead.lastDelivery;
  }

  /** Appends the entry under `eventId`; null (and a warning) when the wire schema refuses it. */
  append(entry: Unsequenced<LogEntry>, eventId: string | null, now: string): StoredEntry | null {
    const seq = this.batchHead.value + 1;
    const sequenced = sequencedEntry(entry, seq, eventId);
    if (!sequenced) return null;
    this.batchHead.value = seq;
    const stored: StoredEntry = { seq, kind: entry.kind, eventId, json: JSON.stringify(sequenced) };
    this.rows.push({ entry: stored, createdAt: now });
    return stored;
  }

  /** Inserts the collected rows (one statement) and moves the head row; call before COMMIT. */
  async flush(tx: Tx): Promise<void> {
    if (this.rows.length > 0) {
      await tx.run(
        `INSERT INTO log (seq, kind, event_id, payload, created_at)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])`,
        [
          this.rows.map((row) => row.entry.seq),
          this.rows.map((row) => row.entry.kind),
          this.rows.map((row) => row.entry.eventId),
          this.rows.map((row) => row.entry.json),
          this.rows.map((row) => row.createdAt),
        ],
      );
    }
    await tx.run('UPDATE log_head SET seq = $1, last_delivery = $2 WHERE id = 1', [
      this.batchHead.value,
      this.batchHead.lastDelivery,
    ]);
  }
}
