/**
 * What a commit tells the other replicas on the log channel: the new head and, when they fit in a
 * NOTIFY payload (PostgreSQL allows under 8,000 bytes), the entries themselves. A replica whose last
 * announced entry is just before them announces them at once, without reading the log back (one
 * round trip less on the way to its gates, and no read per commit per replica). Anything else (a gap,
 * a big batch, a payload it cannot read) means a catch-up read from its last entry, as before.
 */
import { z } from 'zod';
import { logEntrySchema } from '../../../shared/protocol.js';
import type { StoredEntry } from '../types.js';
import { parseJsonOrUndefined } from '../../../shared/json.js';

/** Under PostgreSQL's 8,000-byte limit on a NOTIFY payload, with room to spare. */
export const NOTICE_LIMIT_BYTES = 7_900;

const noticeSchema = z.object({
  head: z.number().int().nonnegative(),
  entries: z.array(
    z.object({
      seq: z.number().int().positive(),
      kind: z.string(),
      eventId: z.string().nullable(),
      json: z.string(),
    }),
  ),
});

export interface LogNotice {
  head: number;
  /** The commit's entries in seq order, or empty when they did not fit (read them back). */
  entries: readonly StoredEntry[];
}

/** The payload for a commit of `entries` that moved the head to `head`. */
export function encodeLogNotice(head: number, entries: readonly StoredEntry[]): string {
  const full = JSON.stringify({ head, entries });
  return Buffer.byteLength(full) <= NOTICE_LIMIT_BYTES ? full : JSON.stringify({ head, entries: [] });
}

/**
 * Reads a payload: null when it is not one (the channel is open to any role that can NOTIFY). A bare
 * number is a head alone (a replica of an earlier build).
 */
export function decodeLogNotice(payload: string): LogNotice | null {
  if (/^\d+$/.test(payload)) return { head: Number(payload), entries: [] };
  const notice = noticeSchema.safeParse(parseJsonOrUndefined(payload));
  if (!notice.success) return null;
  const { head, entries } = notice.data;
  // In order and contiguous, ending at the head, each one an entry the gates accept under its own seq
  // and kind; else only the head is believed (and the entries are read from the log).
  const isRun = entries.every(
    (entry, index) => index === 0 || entry.seq === (entries[index - 1]?.seq ?? 0) + 1,
  );
  const isAtHead = entries.length === 0 || entries[entries.length - 1]?.seq === head;
  const isWire = entries.every((entry) => {
    const wire = logEntrySchema.safeParse(parseJsonOrUndefined(entry.json));
    return wire.success && wire.data.seq === entry.seq && wire.data.kind === entry.kind;
  });
  return { head, entries: isRun && isAtHead && isWire ? (entries as StoredEntry[]) : [] };
}
