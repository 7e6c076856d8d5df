/**
 * Reading stored JSON rows back (serving thread and reader worker alike): every row goes through the wire schema the gates
 * parse with, and one the schema refuses is skipped and logged, so one bad row never stops a
 * snapshot or a catch-up (a gate would refuse it anyway).
 */
import type { z } from 'zod';
import { createLogger } from '../../shared/logger.js';
import { logEntrySchema, type LogEntry } from '../../shared/protocol.js';
import type { GateRow, QuarantineRow, StoredEntry } from './types.js';

const log = createLogger('relay.store');

export function readRow<T>(schema: z.ZodType<T>, text: string, what: string): T | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    log.warn('stored row is not JSON: skipped', { what });
    return null;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  log.warn('stored row refused by the wire schema: skipped', {
    what,
    error: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
  });
  return null;
}

export const present = <T>(value: T | null): value is T => value !== null;

/** A log row as selected. */
export interface LogRow {
  seq: number;
  kind: string;
  event_id: string | null;
  payload: string;
}

export const toStored = (row: LogRow): StoredEntry => ({
  seq: row.seq,
  kind: row.kind as LogEntry['kind'],
  eventId: row.event_id,
  json: row.payload,
});

export const toGate = (row: {
  name: string;
  created_at: string;
  revoked_at: string | null;
  is_venue: number;
}): GateRow => ({
  name: row.name,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
  isVenue: row.is_venue === 1,
});

/**
 * Entries after `after`, up to `limit`, skipping rows the wire schema refuses. A skipped row must not
 * shorten the page: a short page means "end of the log" to the reader.
 */
export async function readEntryPage(
  after: number,
  limit: number,
  fetch: (from: number, wanted: number) => LogRow[] | Promise<LogRow[]>,
): Promise<StoredEntry[]> {
  const entries: StoredEntry[] = [];
  let from = after;
  while (entries.length < limit) {
    const wanted = limit - entries.length;
    const rows = await fetch(from, wanted);
    for (const row of rows) {
      if (readRow(logEntrySchema, row.payload, `log entry ${row.seq}`)) entries.push(toStored(row));
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < wanted) break;
    from = last.seq;
  }
  return entries;
}

/** A quarantine row as selected (both stores select these columns). */
export interface QuarantineRecord {
  id: number;
  received_at: string;
  error: string;
  bytes: number;
  preview: string;
  reprocessed_at: string | null;
  delivery_id: number | null;
}

export const toQuarantine = (row: QuarantineRecord): QuarantineRow => ({
  id: row.id,
  receivedAt: row.received_at,
  error: row.error,
  bytes: row.bytes,
  preview: row.preview,
  reprocessedAt: row.reprocessed_at,
  deliveryId: row.delivery_id,
});
