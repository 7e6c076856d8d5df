/**
 * The relay ↔ gate wire protocol (websocket `/gate`, JSON text frames). Both sides parse every frame
 * they receive with these schemas. Bump PROTOCOL_VERSION on any incompatible change.
 *
 * Gate → relay: hello (once, first), scan (uploads), ack (applied cursor, for lag), ping/pong.
 * Relay → gate: welcome, snapshot-begin / snapshot-chunk / snapshot-end (when the cursor is 0 or
 * older than retention), entries (ordered by seq, live after catch-up), scan-ack, ping/pong, error.
 * The welcome and the relay's pings carry the relay's wall clock and its quarantine backlog, so a gate
 * can show staff a clock that is off and webhooks the relay could not read.
 */
import { z } from 'zod';
import { eventInfoSchema, ticketStateSchema } from './tickets.js';
import { scanRecordSchema } from './scans.js';

export const PROTOCOL_VERSION = 2;

/**
 * The DNS-SD service type a relay announces on the LAN (`relay serve --advertise`): `_gatehouse._tcp`,
 * TXT `protocol` (PROTOCOL_VERSION) and `role` (`venue` for a relay with an upstream, else `relay`).
 */
export const RELAY_SERVICE_TYPE = 'gatehouse';
export const relayRoleSchema = z.enum(['venue', 'relay']);
export type RelayRole = z.infer<typeof relayRoleSchema>;

/** Close codes the relay uses; a gate shows them to staff and stops retrying on auth failures. */
export const CLOSE_CODES = {
  badToken: 4001,
  protocolMismatch: 4002,
  revoked: 4003,
  badFrame: 4004,
  heartbeatTimeout: 4008,
  shuttingDown: 1001,
} as const;

/** Seconds between pings; a peer silent for HEARTBEAT_TIMEOUT_MS is dropped. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const HEARTBEAT_TIMEOUT_MS = 15_000;

/**
 * The index of other events' tickets, so a gate can say "wrong night" without holding anyone's
 * details: per ticket, HMAC-SHA256(relay key, the barcode as UTF-8) truncated to INDEX_HASH_BYTES,
 * sent as base64, and the event id. No names, emails, order ids or raw barcodes. The key comes in
 * the welcome (`indexKey`, base64); `isPresent: false` removes an entry (refund, move, window).
 */
export const INDEX_HASH_BYTES = 16;
const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
export const indexEntrySchema = z.object({
  hash: z.string().regex(/^[A-Za-z0-9+/]{21}[AQgw]==$/, 'must be base64 of 16 bytes'),
  eventId: z.string().min(1).max(64),
  isPresent: z.boolean(),
});
export type IndexEntry = z.infer<typeof indexEntrySchema>;

export const logEntrySchema = z.discriminatedUnion('kind', [
  z.object({ seq: z.number().int().positive(), kind: z.literal('ticket'), ticket: ticketStateSchema }),
  z.object({ seq: z.number().int().positive(), kind: z.literal('event'), event: eventInfoSchema }),
  z.object({ seq: z.number().int().positive(), kind: z.literal('scan'), scan: scanRecordSchema }),
  z.object({ seq: z.number().int().positive(), kind: z.literal('index'), index: indexEntrySchema }),
]);
export type LogEntry = z.infer<typeof logEntrySchema>;

const eventIds = z.array(z.string().min(1).max(64)).max(100);

export const gateFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    protocol: z.number().int(),
    cursor: z.number().int().nonnegative(),
    events: eventIds,
  }),
  z.object({ type: z.literal('scan'), scan: scanRecordSchema }),
  z.object({ type: z.literal('ack'), cursor: z.number().int().nonnegative() }),
  /** `t` is opaque to the relay, which echoes it in its pong (the gate sends its monotonic time). */
  z.object({ type: z.literal('ping'), t: z.number() }),
  z.object({ type: z.literal('pong'), t: z.number() }),
]);
export type GateFrame = z.infer<typeof gateFrameSchema>;

export const relayFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    protocol: z.number().int(),
    gate: z.string(),
    head: z.number().int().nonnegative(),
    /** Every event the relay knows (for the gate's event picker), not only the gate's. */
    events: z.array(eventInfoSchema),
    /** The relay's wall clock (epoch ms) when it sent this: gates report how far theirs is off. */
    time: z.number(),
    /** Deliveries the relay holds in quarantine (could not read); shown at the gate. */
    quarantined: z.number().int().nonnegative(),
    /** Base64 of the relay's HMAC key for the other-events index (absent: no index). */
    indexKey: z.string().min(22).max(200).regex(base64, 'must be base64').optional(),
  }),
  z.object({
    type: z.literal('snapshot-begin'),
    /** Number of tickets the snapshot will carry, for a progress bar. */
    tickets: z.number().int().nonnegative(),
    scans: z.number().int().nonnegative(),
    /** The snapshot is the state as of this seq; entries after it follow. */
    cursor: z.number().int().nonnegative(),
  }),
  z.object({
    type: z.literal('snapshot-chunk'),
    events: z.array(eventInfoSchema),
    tickets: z.array(ticketStateSchema),
    scans: z.array(z.object({ seq: z.number().int().positive(), scan: scanRecordSchema })),
    /** Index entries of other events' tickets (present ones), as of the snapshot's cursor. */
    index: z.array(indexEntrySchema).optional(),
  }),
  z.object({ type: z.literal('snapshot-end'), cursor: z.number().int().nonnegative() }),
  z.object({ type: z.literal('entries'), entries: z.array(logEntrySchema) }),
  z.object({ type: z.literal('scan-ack'), id: z.uuid(), seq: z.number().int().positive() }),
  /** `t` is the relay's wall clock (epoch ms); `quarantined` its current quarantine backlog. */
  z.object({
    type: z.literal('ping'),
    t: z.number(),
    quarantined: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal('pong'), t: z.number() }),
  z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    /** Set when the error refuses one uploaded scan (code `scan_refused`): the gate stops retrying it. */
    scanId: z.uuid().optional(),
  }),
]);
export type RelayFrame = z.infer<typeof relayFrameSchema>;

export type FrameParse<T> = { ok: true; frame: T } | { ok: false; error: string };

function parseFrame<T>(schema: z.ZodType<T>, text: string): FrameParse<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: '(frame): not JSON' };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const path = issue && issue.path.length ? issue.path.map(String).join('.') : '(frame)';
  return { ok: false, error: `${path}: ${issue?.message ?? 'invalid'}` };
}

export const parseGateFrame = (text: string): FrameParse<GateFrame> => parseFrame(gateFrameSchema, text);
export const parseRelayFrame = (text: string): FrameParse<RelayFrame> => parseFrame(relayFrameSchema, text);
