/**
 * Moshtix webhook payloads: the envelope `{eventType, contextId, data}` rendered from the
 * subscription's body template, ORDER_SAVED `data` as the seed shows it, and EVENT_SAVED `data` as an
 * event object. Every object is loose (unknown fields are kept) and every enum-like string in `data`
 * is an open set; the eventType is not (see kindOf).
 *
 * Fail safe on doubt, and one odd ticket never costs its siblings: a delivery is refused (and
 * quarantined by the relay) only when it cannot be tied to an order or an event at all: not JSON, no
 * order or event id, or an eventType that names neither an order nor an event. Inside a
 * readable order each ticket is read on its own: one without a usable barcode is skipped and reported,
 * anything but a literal `true` in `valid` means not valid, ids may be numbers or numeric strings, and
 * a missing or null ticket list means the order holds no tickets.
 */
import { z } from 'zod';

/** Longest barcode a gate accepts (see electron/gate/rules.ts); longer ones cannot be scanned. */
export const MAX_BARCODE_LENGTH = 256;

const id = z.union([z.number().int(), z.string().trim().min(1)]);
/** An optional id: unreadable values read as absent rather than failing the delivery. */
const optionalId = id.nullish().catch(null);
/** An optional string: anything that is not a string reads as absent. */
const optionalString = z.string().nullish().catch(null);
const optionalObject = <T extends z.ZodType>(schema: T) => schema.nullish().catch(null);
const tags = optionalObject(z.looseObject({ items: z.array(z.unknown()).nullish().catch(null) }));

export const webhookEnvelopeSchema = z.looseObject({
  eventType: z.string().min(1),
  /** Only reported to operators: the order or event id inside `data` is what counts. */
  contextId: optionalId,
  data: z.unknown(),
});
export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;

export const moshtixCustomerSchema = z.looseObject({
  id: optionalId,
  email: optionalString,
  firstName: optionalString,
  lastName: optionalString,
  telephone: optionalString,
});

export const moshtixTicketTypeSchema = z.looseObject({ id: optionalId, name: optionalString, tags });

export const moshtixEventRefSchema = z.looseObject({
  id,
  name: optionalString,
  startDate: optionalString,
  endDate: optionalString,
  client: z.unknown().nullish(),
  tags,
});

/** One ticket as delivered, before its barcode is checked. */
const rawTicketSchema = z.looseObject({
  id: optionalId,
  firstName: optionalString,
  lastName: optionalString,
  valid: z.unknown().optional(),
  barcode: z.unknown().optional(),
  ticketType: optionalObject(moshtixTicketTypeSchema),
});

type RawTicket = z.infer<typeof rawTicketSchema>;

/** A readable ticket: its barcode trimmed, 1–256 characters; `valid` true only for literal `true`. */
export interface MoshtixTicket {
  id?: RawTicket['id'];
  firstName?: RawTicket['firstName'];
  lastName?: RawTicket['lastName'];
  ticketType?: RawTicket['ticketType'];
  valid: boolean;
  barcode: string;
  [field: string]: unknown;
}

/** Transaction ids order the versions of an order: integers, or strings of digits. */
const transactionId = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .trim()
    .regex(/^\d{1,15}$/)
    .transform(Number),
]);

export const moshtixTransactionSchema = z.looseObject({
  id: transactionId,
  /** Open set: PURCHASE, REFUND, … — unknown values are kept. */
  type: optionalString,
  /** Open set: SUCCESS, … */
  status: optionalString,
  ipAddress: optionalString,
});
export type MoshtixTransaction = z.infer<typeof moshtixTransactionSchema>;

const itemList = optionalObject(z.looseObject({ items: z.array(z.unknown()).nullish().catch(null) }));

const rawOrderSchema = z.looseObject({
  id,
  createdDate: optionalString,
  /** Open set: ONLINE, … */
  channel: optionalString,
  refCode: optionalString,
  offerCode: optionalString,
  customer: optionalObject(moshtixCustomerSchema),
  event: moshtixEventRefSchema,
  tickets: itemList,
  transactions: itemList,
});

type RawOrder = z.infer<typeof rawOrderSchema>;

/** An order whose tickets and transactions have been read one by one (unreadable ones left out). */
export interface MoshtixOrder {
  id: RawOrder['id'];
  createdDate?: RawOrder['createdDate'];
  channel?: RawOrder['channel'];
  refCode?: RawOrder['refCode'];
  offerCode?: RawOrder['offerCode'];
  customer?: RawOrder['customer'];
  event: RawOrder['event'];
  tickets: { items: MoshtixTicket[] };
  transactions: { items: MoshtixTransaction[] };
  [field: string]: unknown;
}

/** Kept for the order schema's callers (tests, tools): reads an order the way a delivery is read. */
export const moshtixOrderSchema = rawOrderSchema;

/** A ticket left out of a readable order, kept with the delivery for operators. */
export interface SkippedTicket {
  /** Position in the delivered ticket list. */
  index: number;
  reason: string;
  /** The ticket as delivered (JSON). */
  raw: string;
}

const eventTicketTypeSchema = z.looseObject({ id, name: optionalString, tags: z.unknown().optional() });

export const moshtixEventSchema = z.looseObject({
  id,
  /** Null or absent: the relay keeps the name it knew (EVENT_SAVED may carry nulls). */
  name: optionalString,
  startDate: optionalString,
  endDate: optionalString,
  venue: optionalObject(z.looseObject({ name: optionalString })),
  ticketTypes: optionalObject(z.looseObject({ items: z.array(z.unknown()).nullish().catch(null) })),
  /** Read loosely by event-marks.ts: any shape, never a reason to refuse a delivery. */
  tags: z.unknown().optional(),
  /** Cancellation marks, read loosely (see event-marks.ts): `cancelled: true` or a status with CANCEL. */
  cancelled: z.unknown().optional(),
  status: z.unknown().optional(),
});
export type MoshtixEvent = z.infer<typeof moshtixEventSchema>;

/** The readable ticket types of an event (unreadable ones left out). */
export function eventTicketTypes(
  event: MoshtixEvent,
): { id: string | number; name: string | null; tags: unknown }[] | null {
  const items = event.ticketTypes?.items;
  if (!items) return null;
  return items.flatMap((item) => {
    const parsed = eventTicketTypeSchema.safeParse(item);
    return parsed.success
      ? [{ id: parsed.data.id, name: parsed.data.name ?? null, tags: parsed.data.tags }]
      : [];
  });
}

/** What a delivery is about. */
export type DeliveryKind = 'order' | 'event';

export type ParsedDelivery =
  | { kind: 'order'; envelope: WebhookEnvelope; order: MoshtixOrder; skipped: SkippedTicket[] }
  | { kind: 'event'; envelope: WebhookEnvelope; event: MoshtixEvent };

export type ParseFailure = { error: string };

/** Formats the first zod issue as `<path>: <problem>`, the form quarantine answers use. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${path}: ${issue.message}`;
}

/**
 * Known eventTypes start with `order` or `event`, in any case: the subscription's
 * `order-saved-prepare-full-message`, Moshtix's `ORDER_SAVED` and `EVENT_SAVED`, and the relay's own
 * `order-backfill` and `order-api-fetch`. Any other is quarantined whatever its data looks like: a
 * delivery the relay cannot tie to a kind it knows is not guessed at from its shape.
 */
function kindOf(envelope: WebhookEnvelope): DeliveryKind | null {
  const type = envelope.eventType.toLowerCase();
  if (type.startsWith('order')) return 'order';
  if (type.startsWith('event')) return 'event';
  return null;
}

type TicketRead = { ticket: MoshtixTicket } | { reason: string };

function readTicket(raw: unknown): TicketRead {
  const parsed = rawTicketSchema.safeParse(raw);
  if (!parsed.success) return { reason: 'not an object' };
  const { barcode, valid, ...rest } = parsed.data;
  if (typeof barcode !== 'string')
    return { reason: barcode == null ? 'barcode is missing' : 'barcode is not text' };
  const trimmed = barcode.trim();
  if (trimmed === '') return { reason: 'barcode is blank' };
  if (trimmed.length > MAX_BARCODE_LENGTH)
    return { reason: `barcode is longer than ${MAX_BARCODE_LENGTH} characters` };
  return { ticket: { ...rest, barcode: trimmed, valid: valid === true } };
}

function previewOf(raw: unknown): string {
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
}

/** Reads each ticket and transaction of a readable order on its own. */
export function readOrder(data: unknown): { order: MoshtixOrder; skipped: SkippedTicket[] } | ParseFailure {
  const parsed = rawOrderSchema.safeParse(data);
  if (!parsed.success) return { error: `data.${describeZodError(parsed.error)}` };
  const skipped: SkippedTicket[] = [];
  const tickets: MoshtixTicket[] = [];
  (parsed.data.tickets?.items ?? []).forEach((raw, index) => {
    const read = readTicket(raw);
    if ('ticket' in read) tickets.push(read.ticket);
    else skipped.push({ index, reason: read.reason, raw: previewOf(raw) });
  });
  const transactions = (parsed.data.transactions?.items ?? []).flatMap((raw) => {
    // A transaction without a readable id cannot order anything: the others still do.
    const transaction = moshtixTransactionSchema.safeParse(raw);
    return transaction.success ? [transaction.data] : [];
  });
  return {
    order: { ...parsed.data, tickets: { items: tickets }, transactions: { items: transactions } },
    skipped,
  };
}

/** Parses a raw webhook body (text). Never throws: a failure names the failing path. */
export function parseDelivery(body: string): ParsedDelivery | ParseFailure {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { error: `(body): not JSON (${(error as Error).message})` };
  }
  const envelope = webhookEnvelopeSchema.safeParse(json);
  if (!envelope.success) return { error: describeZodError(envelope.error) };
  const kind = kindOf(envelope.data);
  if (kind === 'order') {
    const read = readOrder(envelope.data.data);
    if ('error' in read) return read;
    return { kind, envelope: envelope.data, ...read };
  }
  if (kind === 'event') {
    const event = moshtixEventSchema.safeParse(envelope.data.data);
    if (!event.success) return { error: `data.${describeZodError(event.error)}` };
    return { kind, envelope: envelope.data, event: event.data };
  }
  return { error: `eventType: "${envelope.data.eventType}" is unknown` };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): boolean =>
  (typeof value === 'number' && Number.isSafeInteger(value)) ||
  (typeof value === 'string' && value.trim().length > 0);

/**
 * True when parseDelivery would certainly read this JSON value as an order, checked without the
 * schemas: in an order, every field but the order's id and its event's id reads as absent when
 * unreadable, and tickets and transactions are read one by one, so these few checks are all its
 * schemas can fail on. False is no verdict (an event, an odd shape): ask parseDelivery. The relay
 * answers a webhook on this check and parses the body through the schemas once, at its apply.
 * Keep it in step with webhookEnvelopeSchema, rawOrderSchema and moshtixEventRefSchema (the test
 * holds generated and mutated deliveries against parseDelivery).
 */
export function readsAsOrder(json: unknown): boolean {
  if (!isRecord(json)) return false;
  const { eventType, data } = json;
  if (typeof eventType !== 'string' || !eventType.toLowerCase().startsWith('order')) return false;
  return isRecord(data) && isId(data.id) && isRecord(data.event) && isId(data.event.id);
}

/** The body template Moshtix renders, verbatim from the docs: keep exactly this. */
export const WEBHOOK_BODY_TEMPLATE = '{ "eventType": "@eventType", "contextId": @contextId, "data": @data}';
export const WEBHOOK_SECRET_HEADER = 'X-Gatehouse-Secret';
export const MOSHTIX_GRAPHQL_ENDPOINT = 'https://api.moshtix.com/v1/graphql';
