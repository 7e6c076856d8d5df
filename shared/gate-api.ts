/**
 * The gate API contract: every method the UI (or any client) can call on a gate engine, with its
 * input and output schemas. Electron IPC handlers, the preload's named functions, the headless HTTP
 * routes (`POST /api/<method>`) and the renderer's client are all derived from GATE_API.
 * Nothing else names a method or a channel.
 */
import { z } from 'zod';
import { issueProblem, pathText } from './messages.js';
import { decisionReasonSchema, directionSchema, scanRecordSchema } from './scans.js';
import { relayRoleSchema } from './protocol.js';
import { reportSchema } from './report.js';
import { eventInfoSchema } from './tickets.js';
import { turnstileResultSchema, turnstileSettingsSchema, turnstileStatusSchema } from './turnstile.js';

/** `rejected`: the relay refused the gate token (wrong or revoked); the gate stops retrying. */
export const connectionStateSchema = z.enum(['connecting', 'online', 'offline', 'rejected']);
export type ConnectionState = z.infer<typeof connectionStateSchema>;
export const rejectedReasonSchema = z.enum(['bad_token', 'revoked']);
export type RejectedReason = z.infer<typeof rejectedReasonSchema>;

const pin = z.string().max(64).optional();

export const ticketSummarySchema = z.object({
  barcode: z.string(),
  eventId: z.string(),
  eventName: z.string(),
  ticketType: z.string().nullable(),
  holderName: z.string().nullable(),
  orderId: z.string(),
});
export type TicketSummary = z.infer<typeof ticketSummarySchema>;

export const scanResultSchema = z.object({
  result: z.enum(['admit', 'deny']),
  reason: decisionReasonSchema,
  message: z.string(),
  scanId: z.string(),
  ticket: ticketSummarySchema.optional(),
  previous: z.object({ gate: z.string(), at: z.string() }).optional(),
  /** Extra words for staff when the decision needs attention (e.g. "open the gate by hand"). */
  attention: z.string().optional(),
});
export type ScanResult = z.infer<typeof scanResultSchema>;

export const statusSchema = z.object({
  connection: connectionStateSchema,
  cursor: z.number(),
  tickets: z.number(),
  pendingScans: z.number(),
  conflicts: z.number(),
  lastSyncAt: z.string().nullable(),
  gate: z.string(),
  /** Newest relay seq known minus the applied cursor, when known. */
  lag: z.number().nullable(),
  /** Why the gate is not online, when it knows (e.g. "gate token revoked"). */
  lastError: z.string().nullable(),
  /** Set while the connection is `rejected`: which refusal staff must act on. */
  rejectedReason: rejectedReasonSchema.nullable(),
  /** This gate's scans the relay refused (kept locally, never retried; see the activity list). */
  refusedScans: z.number(),
  snapshot: z.object({ received: z.number(), total: z.number() }).nullable(),
  turnstile: turnstileStatusSchema,
  /** Log entries and snapshot items the gate could not apply: recorded, skipped, never fatal to others. */
  applyErrors: z.number(),
  /** This PC's clock minus the relay's, in ms; null before the first contact. */
  clockSkewMs: z.number().nullable(),
  /** Deliveries the relay holds in quarantine (it could not read them); null before the first contact. */
  relayQuarantined: z.number().nullable(),
  /** The serial barcode scanner: `none` when none is set; `absent` when its path has never existed. */
  scanner: z.object({
    state: z.enum(['connected', 'disconnected', 'absent', 'none']),
    path: z.string().nullable(),
  }),
});
export type GateStatus = z.infer<typeof statusSchema>;

export const ticketDetailSchema = ticketSummarySchema.extend({
  valid: z.boolean(),
  cause: z.string(),
  changedAt: z.string(),
  customerName: z.string().nullable(),
  email: z.string().nullable(),
  eventStartDate: z.string().nullable(),
  inside: z.boolean(),
  history: z.array(scanRecordSchema),
});
export type TicketDetail = z.infer<typeof ticketDetailSchema>;

export const conflictSchema = z.object({
  id: z.string(),
  barcode: z.string(),
  eventId: z.string().nullable(),
  /** The admissions that clash: at least two, at different gates. */
  scans: z.array(scanRecordSchema),
  detectedAt: z.string(),
  /** The ticket's holder (null when unknown or names are hidden) and type. */
  holderName: z.string().nullable(),
  ticketType: z.string().nullable(),
  /** The staff review that closed it, at any gate; reviewed conflicts are not counted on the badge. */
  review: z.object({ at: z.string(), gate: z.string(), note: z.string().nullable() }).nullable(),
});
export type Conflict = z.infer<typeof conflictSchema>;

export const statsSchema = z.object({
  admittedTonight: z.array(
    z.object({
      eventId: z.string(),
      eventName: z.string(),
      count: z.number(),
      /** Of those admitted for this event, how many are inside now. */
      inside: z.number(),
    }),
  ),
  insideNow: z.number(),
  scansPerMinute: z.number(),
  conflicts: z.number(),
  pendingUploads: z.number(),
  capacity: z.number().nullable(),
});
export type GateStats = z.infer<typeof statsSchema>;

export const gateNameSchema = z.string().trim().min(1).max(100);

/** Hours before an event's start and after its end during which its tickets are admissible. */
export const dateWindowSchema = z.object({
  beforeHours: z.number().min(0).max(720),
  afterHours: z.number().min(0).max(720),
});
export type DateWindow = z.infer<typeof dateWindowSchema>;

/** A ticket whose type name or tags (or its event's tags) contain `match` is admitted with `text`. */
export const attentionRuleSchema = z.object({
  match: z.string().trim().min(1).max(100),
  text: z.string().trim().min(1).max(200),
});
export type AttentionRule = z.infer<typeof attentionRuleSchema>;

/** Where a selected event's admission window stands on the gate's clock (for the idle screen). */
export const eventWindowSchema = z.object({
  eventId: z.string(),
  name: z.string(),
  startDate: z.string().nullable(),
  opensAt: z.string().nullable(),
  closesAt: z.string().nullable(),
  /** `not_today` and `over` are warned about; `unknown` = no date or the window is off. */
  state: z.enum(['open', 'later_today', 'not_today', 'over', 'unknown']),
  message: z.string(),
});
export type EventWindow = z.infer<typeof eventWindowSchema>;

/** Which field of a ticket a lookup matched, for "matched: buyer email". */
export const lookupMatchSchema = z.enum(['barcode', 'order', 'holder_name', 'buyer_name', 'buyer_email']);
export type LookupMatch = z.infer<typeof lookupMatchSchema>;

export const lookupResultSchema = ticketDetailSchema.extend({ match: lookupMatchSchema });
export type LookupResult = z.infer<typeof lookupResultSchema>;

/** An order among the lookup results: how many of its tickets the gate would admit now. */
export const lookupOrderSchema = z.object({
  orderId: z.string(),
  buyerName: z.string().nullable(),
  tickets: z.number().int(),
  admissible: z.number().int(),
});
export type LookupOrder = z.infer<typeof lookupOrderSchema>;

const ticketLine = z.object({
  barcode: z.string(),
  holderName: z.string().nullable(),
  ticketType: z.string().nullable(),
});

/** What a whole-order check-in did: each admitted ticket is its own admission. */
export const orderAdmissionSchema = z.object({
  admitted: z.array(ticketLine.extend({ scanId: z.string() })),
  refused: z.array(ticketLine.extend({ reason: decisionReasonSchema, message: z.string() })),
});
export type OrderAdmission = z.infer<typeof orderAdmissionSchema>;

/** A scan record with the ticket's holder and type, for the Activity list. */
export const activityRowSchema = scanRecordSchema.extend({
  holderName: z.string().nullable(),
  ticketType: z.string().nullable(),
});
export type ActivityRow = z.infer<typeof activityRowSchema>;

/** What testing a relay URL and token found, before they are saved. */
export const relayTestSchema = z.object({
  isReachable: z.boolean(),
  isTokenAccepted: z.boolean(),
  /** The gate name the relay knows this token by. */
  gate: z.string().nullable(),
  events: z.array(eventInfoSchema),
  /** What went wrong, in words for a person; null when all is well. */
  problem: z.string().nullable(),
});
export type RelayTest = z.infer<typeof relayTestSchema>;

/** A relay announcing itself on this PC's network (mDNS `_gatehouse._tcp`), to fill the relay URL. */
export const foundRelaySchema = z.object({
  /** The name it announces (`relay serve --advertise-name`). */
  name: z.string(),
  url: z.string(),
  /** `venue`: the venue's own relay (it has an upstream); `relay`: any other. */
  role: relayRoleSchema,
  /** The wire protocol version it announces. */
  protocol: z.number().int(),
});
export type FoundRelay = z.infer<typeof foundRelaySchema>;

/** Where the relay token is kept on this PC, so the UI can say so truthfully. */
export const tokenStorageSchema = z.enum(['file', 'keychain', 'obfuscated']);
export type TokenStorage = z.infer<typeof tokenStorageSchema>;

const relayUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => /^(wss?|https?):\/\/[A-Za-z0-9.\-[\]:]+(\/[^\s]*)?$/.test(value), {
    message: 'must be a ws://, wss://, http:// or https:// URL',
  });

/** Settings a person can change. The token is write-only and never returned. */
export const editableSettingsSchema = z.object({
  relayUrl: relayUrlSchema.nullable(),
  /**
   * Several relays (replicas of one relay) to fail over between, in order of preference. Empty or
   * absent: `relayUrl` alone.
   */
  relayUrls: z.array(relayUrlSchema).max(16).optional(),
  token: z.string().min(8).max(512),
  gateName: gateNameSchema,
  events: z.array(z.string().min(1).max(64)).max(100),
  ticketTypes: z.array(z.string().min(1).max(200)).max(200),
  mode: z.enum(['entry', 'exit']),
  reentry: z.enum(['never', 'after_exit']),
  sounds: z.boolean(),
  capacity: z.number().int().positive().nullable(),
  /** Admission window around each event's dates; null = off (dates are not checked). */
  dateWindow: dateWindowSchema.nullable(),
  /** When the day starts (gate-local HH:MM): multi-day tickets are admitted once per day. */
  dayStarts: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 00:00 to 23:59'),
  attention: z.array(attentionRuleSchema).max(50),
  /** Staff PIN: 4–12 digits, or null to remove it. Stored hashed. */
  pin: z
    .string()
    .regex(/^\d{4,12}$/, 'must be 4 to 12 digits')
    .nullable(),
  kiosk: z.boolean(),
  /** Electron app: start with the PC's session (login item / XDG autostart). Headless ignores it. */
  openAtLogin: z.boolean(),
  turnstile: turnstileSettingsSchema,
  /** Holder and buyer names and emails are neither shown nor sent to the UI; no lookup by name. */
  hideNames: z.boolean(),
  /** Minutes a staff PIN, once entered, is not asked again on this screen (0 = ask every time). */
  pinUnlockMinutes: z.number().int().min(0).max(240),
});
export type EditableSettings = z.infer<typeof editableSettingsSchema>;

export const settingsViewSchema = editableSettingsSchema.omit({ token: true, pin: true }).extend({
  hasToken: z.boolean(),
  hasPin: z.boolean(),
  tokenStorage: tokenStorageSchema,
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const GATE_API = {
  scan: method(
    z.object({ barcode: z.string().max(1000), direction: directionSchema.optional() }),
    scanResultSchema,
  ),
  status: method(z.object({}), statusSchema),
  stats: method(z.object({}), statsSchema),
  lookup: method(
    z.object({ query: z.string().trim().min(3).max(200) }),
    z.object({
      results: z.array(lookupResultSchema),
      /** The orders of the results, with how many of their tickets are admissible now. */
      orders: z.array(lookupOrderSchema),
      /** True when more tickets match than the results hold. */
      isTruncated: z.boolean(),
    }),
  ),
  ticket: method(z.object({ barcode: z.string().trim().min(1).max(256) }), ticketDetailSchema),
  manualAdmit: method(
    z.object({ barcode: z.string().trim().min(1).max(256), note: z.string().trim().min(1).max(500), pin }),
    scanResultSchema,
  ),
  annul: method(
    z.object({ scanId: z.uuid(), note: z.string().trim().min(1).max(500), pin }),
    z.object({ scanId: z.string() }),
  ),
  /** Every admissible ticket of an order admitted at once, each its own admission; the rest listed. */
  admitOrder: method(z.object({ orderId: z.string().trim().min(1).max(64), pin }), orderAdmissionSchema),
  activity: method(
    z.object({
      limit: z.number().int().min(1).max(1000).optional(),
      result: z.enum(['admit', 'deny']).optional(),
      /** Part of a gate's name, any case. */
      gate: z.string().max(100).optional(),
    }),
    z.object({ scans: z.array(activityRowSchema) }),
  ),
  conflicts: method(z.object({}), z.object({ conflicts: z.array(conflictSchema) })),
  /** Marks a conflict reviewed, with a note; shared with the other gates through the relay. */
  reviewConflict: method(
    z.object({ conflictId: z.string().min(1).max(100), note: z.string().trim().min(1).max(500), pin }),
    z.object({ scanId: z.string() }),
  ),
  /** The night report (all events this gate admits for, or one). */
  report: method(z.object({ eventId: z.string().min(1).max(64).optional() }), reportSchema),
  /**
   * Tries a relay URL and token without saving them. Without a token it tries the stored one, which
   * then needs the staff PIN (the stored token must not be sent to just any URL).
   */
  testRelay: method(
    z.object({ relayUrl: relayUrlSchema, token: z.string().min(8).max(512).optional(), pin }),
    relayTestSchema,
  ),
  /**
   * Relays found on this PC's network by mDNS, venue relays first. No PIN, like getSettings: what the
   * relays announce to the whole network is no secret. The first call starts looking.
   */
  findRelays: method(z.object({}), z.object({ relays: z.array(foundRelaySchema) })),
  events: method(z.object({}), z.object({ events: z.array(eventInfoSchema) })),
  eventWindows: method(z.object({}), z.object({ events: z.array(eventWindowSchema) })),
  checkPin: method(z.object({ pin: z.string().max(64) }), z.object({ isValid: z.boolean() })),
  getSettings: method(z.object({}), settingsViewSchema),
  updateSettings: method(z.object({ changes: editableSettingsSchema.partial(), pin }), settingsViewSchema),
  turnstileTest: method(z.object({ direction: directionSchema, pin }), turnstileResultSchema),
  /** Versions, status, settings (no secrets) and the newest logs, as one JSON text to save as a file. */
  diagnostics: method(z.object({ pin }), z.object({ fileName: z.string(), text: z.string() })),
} as const;

export type GateApiContract = typeof GATE_API;
export type GateMethod = keyof GateApiContract;
export const GATE_METHODS = Object.keys(GATE_API) as GateMethod[];
export type MethodInput<M extends GateMethod> = z.input<GateApiContract[M]['input']>;
export type MethodOutput<M extends GateMethod> = z.infer<GateApiContract[M]['output']>;

/**
 * A gate served beyond loopback requires the staff PIN on every request: in the `X-Gatehouse-Pin`
 * header, or — for the `/api/events` websocket, where browsers cannot set headers — as the
 * websocket subprotocol `gatehouse-pin.<PIN>`.
 */
export const PIN_HEADER = 'X-Gatehouse-Pin';
export const PIN_SUBPROTOCOL_PREFIX = 'gatehouse-pin.';

export const API_ERROR_CODES = [
  'bad_request',
  'not_found',
  'pin_required',
  /** Too many wrong PINs: no PIN is checked until `retryAfterSeconds` have passed. */
  'pin_locked',
  'unauthorized',
  /** A request from another origin or for another host (a web page, DNS rebinding). */
  'forbidden',
  'unavailable',
  'internal',
] as const;
export const apiErrorSchema = z.object({
  code: z.enum(API_ERROR_CODES),
  message: z.string(),
  /** With `pin_locked`: seconds until a PIN is checked again. */
  retryAfterSeconds: z.number().int().nonnegative().optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** The interface the renderer talks to; preload (IPC) and the HTTP client both implement it. */
export type GateApi = { [M in GateMethod]: (input: MethodInput<M>) => Promise<ApiResult<MethodOutput<M>>> };

/** Live events pushed to the UI (IPC in Electron, websocket `/api/events` headless). */
export const gateEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('decision'), decision: scanResultSchema, scan: scanRecordSchema }),
  z.object({ type: z.literal('status'), status: statusSchema }),
  z.object({
    type: z.literal('turnstile'),
    turnstile: turnstileStatusSchema,
    result: turnstileResultSchema.optional(),
  }),
]);
export type GateEvent = z.infer<typeof gateEventSchema>;

/** Validates a method's input; a failure names the field. */
export function parseInput<M extends GateMethod>(
  name: M,
  input: unknown,
): { ok: true; value: z.infer<GateApiContract[M]['input']> } | { ok: false; error: ApiError } {
  const result = GATE_API[name].input.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data as z.infer<GateApiContract[M]['input']> };
  const issue = result.error.issues[0];
  const field = issue && issue.path.length ? pathText(issue.path) : '(input)';
  const problem = issue ? issueProblem(issue) : 'is not valid';
  return { ok: false, error: { code: 'bad_request', message: `${field}: ${problem}` } };
}

export function isGateMethod(name: string): name is GateMethod {
  return Object.hasOwn(GATE_API, name);
}
