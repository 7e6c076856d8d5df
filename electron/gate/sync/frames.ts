/**
 * Reads relay frames item by item. A frame's envelope must parse; inside an `entries` or
 * `snapshot-chunk` frame, each log entry, ticket, scan and event is parsed on its own, and one that its
 * schema refuses is set aside (named, with its seq when readable) instead of costing its neighbours.
 * Every other frame is parsed whole with the protocol schema.
 */
import { z } from 'zod';
import {
  indexEntrySchema,
  logEntrySchema,
  relayFrameSchema,
  type LogEntry,
  type RelayFrame,
} from '../../../shared/protocol.js';
import { scanRecordSchema } from '../../../shared/scans.js';
import { eventInfoSchema, ticketStateSchema } from '../../../shared/tickets.js';
import type { SnapshotChunk } from '../apply.js';
import type { ApplyError } from '../store/apply-errors.js';

export type ReadFrame =
  | Exclude<RelayFrame, { type: 'entries' } | { type: 'snapshot-chunk' }>
  | { type: 'entries'; entries: LogEntry[]; unreadable: ApplyError[] }
  | ({ type: 'snapshot-chunk'; unreadable: ApplyError[] } & SnapshotChunk);

export type FrameReading =
  | { ok: true; frame: ReadFrame }
  /** `isUnknownType`: well-formed JSON of a frame type this build does not know (a newer relay). */
  | { ok: false; error: string; isUnknownType: boolean };

const KNOWN_TYPES = new Set<string>(relayFrameSchema.options.map((option) => option.shape.type.value));

const typed = z.object({ type: z.string() });
const entriesEnvelope = z.object({ type: z.literal('entries'), entries: z.array(z.unknown()) });
const chunkEnvelope = z.object({
  type: z.literal('snapshot-chunk'),
  events: z.array(z.unknown()),
  tickets: z.array(z.unknown()),
  scans: z.array(z.unknown()),
  index: z.array(z.unknown()).optional(),
});
const seqOnly = z.object({ seq: z.number().int().positive() });
const snapshotScanSchema = z.object({ seq: z.number().int().positive(), scan: scanRecordSchema });

function describe(error: z.ZodError, prefix: string[] = []): string {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue?.path.map(String) ?? [])];
  return `${path.length ? path.join('.') : '(frame)'}: ${issue?.message ?? 'invalid'}`;
}

/** Parses each item; the ones that fail become records naming them. */
function each<T>(
  items: readonly unknown[],
  schema: z.ZodType<T>,
  what: (index: number, seq: number | null) => string,
): { good: T[]; unreadable: ApplyError[] } {
  const good: T[] = [];
  const unreadable: ApplyError[] = [];
  items.forEach((item, index) => {
    const result = schema.safeParse(item);
    if (result.success) {
      good.push(result.data);
      return;
    }
    const seqResult = seqOnly.safeParse(item);
    const seq = seqResult.success ? seqResult.data.seq : null;
    unreadable.push({
      seq,
      what: what(index, seq),
      error: describe(result.error),
      item: JSON.stringify(item),
    });
  });
  return { good, unreadable };
}

export function readRelayFrame(text: string): FrameReading {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: '(frame): not JSON', isUnknownType: false };
  }
  const type = typed.safeParse(json);
  if (type.success && !KNOWN_TYPES.has(type.data.type)) {
    return { ok: false, error: `type: unknown frame type ${type.data.type}`, isUnknownType: true };
  }
  if (type.success && type.data.type === 'entries') {
    const envelope = entriesEnvelope.safeParse(json);
    if (!envelope.success) return { ok: false, error: describe(envelope.error), isUnknownType: false };
    const entries = each(envelope.data.entries, logEntrySchema, (index, seq) =>
      seq === null ? `log entry #${index} of a frame` : `log entry ${seq}`,
    );
    return { ok: true, frame: { type: 'entries', entries: entries.good, unreadable: entries.unreadable } };
  }
  if (type.success && type.data.type === 'snapshot-chunk') {
    const envelope = chunkEnvelope.safeParse(json);
    if (!envelope.success) return { ok: false, error: describe(envelope.error), isUnknownType: false };
    const events = each(envelope.data.events, eventInfoSchema, (index) => `snapshot event ${index}`);
    const tickets = each(envelope.data.tickets, ticketStateSchema, (index) => `snapshot ticket ${index}`);
    const scans = each(envelope.data.scans, snapshotScanSchema, (index) => `snapshot scan ${index}`);
    const index = each(envelope.data.index ?? [], indexEntrySchema, (at) => `snapshot index entry ${at}`);
    return {
      ok: true,
      frame: {
        type: 'snapshot-chunk',
        events: events.good,
        tickets: tickets.good,
        scans: scans.good,
        index: index.good,
        // A snapshot scan's seq is not a cursor position: the snapshot's end sets the cursor.
        unreadable: [
          ...events.unreadable,
          ...tickets.unreadable,
          ...scans.unreadable,
          ...index.unreadable,
        ].map((problem) => ({
          ...problem,
          seq: null,
        })),
      },
    };
  }
  const whole = relayFrameSchema.safeParse(json);
  if (!whole.success) return { ok: false, error: describe(whole.error), isUnknownType: false };
  const frame = whole.data;
  // Unreachable for these two types (read above), but the compiler cannot know.
  if (frame.type === 'entries' || frame.type === 'snapshot-chunk')
    return { ok: true, frame: { ...frame, unreadable: [] } };
  return { ok: true, frame };
}
