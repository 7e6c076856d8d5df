/**
 * Appends log entries inside the current write transaction. Every entry is checked against the wire
 * schema the gates parse with before it is written: the relay never stores an entry its own protocol
 * would refuse (one such entry used to cost a gate a whole frame, or every new gate its snapshot).
 */
import { createLogger } from '../../shared/logger.js';
import { logEntrySchema, type LogEntry } from '../../shared/protocol.js';
import type { Queries } from './queries.js';
import type { StoredEntry } from './types.js';

const log = createLogger('relay.store');

export type Unsequenced<T> = T extends LogEntry ? Omit<T, 'seq'> : never;

/**
 * The entry with its seq, if the wire schema the gates parse with accepts it; else null, logged. Both
 * stores' appenders check every entry here before writing it.
 */
export function sequencedEntry(
  entry: Unsequenced<LogEntry>,
  seq: number,
  eventId: string | null,
): LogEntry | null {
  const sequenced = { seq, ...entry };
  const checked = logEntrySchema.safeParse(sequenced);
  if (checked.success) return sequenced as LogEntry;
  const issue = checked.error.issues[0];
  log.warn('log entry refused by the wire schema: not written', {
    kind: entry.kind,
    eventId,
    error: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
  });
  return null;
}

/**
 * Counters known inside the current write batch: one writer at a time holds the database's write
 * lock, so the next free ids can be handed out without asking SQLite for each one.
 */
export interface BatchHead {
  /** Highest log seq. */
  value: number;
  /** Highest delivery id. */
  lastDelivery: number;
}

/** Appends log entries with the next seq; the caller announces `written` after commit. */
export class LogAppender {
  readonly written: StoredEntry[] = [];
  constructor(
    private readonly queries: Queries,
    private readonly batchHead: BatchHead,
  ) {}

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
    const json = JSON.stringify(sequenced);
    this.queries.log.insert.run(seq, entry.kind, eventId, json, now);
    this.batchHead.value = seq;
    const stored: StoredEntry = { seq, kind: entry.kind, eventId, json };
    this.written.push(stored);
    return stored;
  }
}
