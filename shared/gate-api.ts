/**
 * The gate API contract: every method the UI (or any client) can call on a gate engine, with its
 * input and output schemas. Electron IPC handlers, the preload's named functions, the headless HTTP
 * routes (`POST /api/<method>`) and the renderer's client are all derived from GATE_API.
 * Nothing else names a method or a channel.
 */
import { z } from 'zod';
import { decisionReasonSchema, directionSchema, scanRecordSchema } from './scans.js';
import { eventInfoSchema } from './tickets.js';
import { turnstileResultSchema, turnstileSettingsSchema, turnstileStatusSchema } from './turnstile.js';

export const connectionStateSchema = z.enum(['connecting', 'online', 'offline']);
export type ConnectionState = z.infer<typeof connectionStateSchema>;

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
  snapshot: z.object({ received: z.number(), total: z.number() }).nullable(),
  turnstile: turnstileStatusSchema,
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
});
export type Conflict = z.infer<typeof conflictSchema>;

export const statsSchema = z.object({
  admittedTonight: z.array(z.object({ eventId: z.string(), eventName: z.string(), count: z.number() })),
  insideNow: z.number(),
  scansPerMinute: z.number(),
  conflicts: z.number(),
  pendingUploads: z.number(),
  capacity: z.number().nullable(),
});
export type GateStats = z.infer<typeof statsSchema>;

export const gateNameSchema = z.string().trim().min(1).max(100);

/** Settings a person can change. The token is write-only and never returned. */
export const editableSettingsSchema = z.object({
  relayUrl: z
    .string()
    .trim()
    .max(2000)
    .refine((value) => /^(wss?|https?):\/\/[A-Za-z0-9.\-[\]:]+(\/[^\s]*)?$/.test(value), {
      message: 'must be a ws://, wss://, http:// or https:// URL',
    })
    .nullable(),
  token: z.string().min(8).max(512),
  gateName: gateNameSchema,
  events: z.array(z.string().min(1).max(64)).max(100),
  ticketTypes: z.array(z.string().min(1).max(200)).max(200),
  mode: z.enum(['entry', 'exit']),
  reentry: z.enum(['never', 'after_exit']),
  sounds: z.boolean(),
  capacity: z.number().int().positive().nullable(),
  /** Staff PIN: 4–12 digits, or null to remove it. Stored hashed. */
  pin: z
    .string()
    .regex(/^\d{4,12}$/, 'must be 4 to 12 digits')
    .nullable(),
  kiosk: z.boolean(),
  /** Electron app: start with the PC's session (login item / XDG autostart). Headless ignores it. */
  openAtLogin: z.boolean(),
  turnstile: turnstileSettingsSchema,
});
export type EditableSettings = z.infer<typeof editableSettingsSchema>;

export const settingsViewSchema = editableSettingsSchema.omit({ token: true, pin: true }).extend({
  hasToken: z.boolean(),
  hasPin: z.boolean(),
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
    z.object({ results: z.array(ticketDetailSchema) }),
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
  activity: method(
    z.object({
      limit: z.number().int().min(1).max(1000).optional(),
      result: z.enum(['admit', 'deny']).optional(),
      gate: z.string().max(100).optional(),
    }),
    z.object({ scans: z.array(scanRecordSchema) }),
  ),
  conflicts: method(z.object({}), z.object({ conflicts: z.array(conflictSchema) })),
  events: method(z.object({}), z.object({ events: z.array(eventInfoSchema) })),
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
  'unauthorized',
  'unavailable',
  'internal',
] as const;
export const apiErrorSchema = z.object({ code: z.enum(API_ERROR_CODES), message: z.string() });
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
  const field = issue && issue.path.length ? issue.path.map(String).join('.') : '(input)';
  return { ok: false, error: { code: 'bad_request', message: `${field}: ${issue?.message ?? 'invalid'}` } };
}

export function isGateMethod(name: string): name is GateMethod {
  return Object.hasOwn(GATE_API, name);
}
