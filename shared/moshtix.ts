/**
 * Moshtix webhook payloads as zod schemas: the envelope `{eventType, contextId, data}` rendered from
 * the subscription's body template, ORDER_SAVED `data` exactly as the seed shows it, and EVENT_SAVED
 * `data` as an event object. Every object is loose (unknown fields are kept), every enum-like string
 * is an open set, and fields the seed shows as null may be null.
 */
import { z } from 'zod';

const id = z.union([z.number().int(), z.string().min(1)]);
const nullableString = z.string().nullish();
const tags = z.looseObject({ items: z.array(z.unknown()).nullish() }).nullish();

export const webhookEnvelopeSchema = z.looseObject({
  eventType: z.string().min(1),
  contextId: id,
  data: z.unknown(),
});
export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;

export const moshtixCustomerSchema = z.looseObject({
  id: id.nullish(),
  email: nullableString,
  firstName: nullableString,
  lastName: nullableString,
  telephone: nullableString,
});

export const moshtixTicketTypeSchema = z.looseObject({
  id,
  name: nullableString,
  tags,
});

export const moshtixEventRefSchema = z.looseObject({
  id,
  name: nullableString,
  startDate: nullableString,
  endDate: nullableString,
  client: z.unknown().nullish(),
  tags,
});

export const moshtixTicketSchema = z.looseObject({
  id: id.nullish(),
  firstName: nullableString,
  lastName: nullableString,
  valid: z.boolean(),
  barcode: z.string().min(1),
  unitCost: z.number().nullish(),
  bookingFee: z.number().nullish(),
  totalCost: z.number().nullish(),
  discount: z.number().nullish(),
  ticketType: moshtixTicketTypeSchema.nullish(),
});

export const moshtixTransactionSchema = z.looseObject({
  id: z.number().int(),
  /** Open set: PURCHASE, REFUND, … — unknown values are kept. */
  type: nullableString,
  /** Open set: SUCCESS, … */
  status: nullableString,
  ipAddress: nullableString,
});

export const moshtixOrderSchema = z.looseObject({
  id,
  createdDate: nullableString,
  /** Open set: ONLINE, … */
  channel: nullableString,
  refCode: nullableString,
  offerCode: nullableString,
  customer: moshtixCustomerSchema.nullish(),
  event: moshtixEventRefSchema,
  tickets: z.looseObject({ items: z.array(moshtixTicketSchema) }),
  transactions: z.looseObject({ items: z.array(moshtixTransactionSchema) }).nullish(),
});
export type MoshtixOrder = z.infer<typeof moshtixOrderSchema>;

export const moshtixEventSchema = z.looseObject({
  id,
  name: z.string(),
  startDate: nullableString,
  endDate: nullableString,
  venue: z.looseObject({ name: nullableString }).nullish(),
  ticketTypes: z
    .looseObject({ items: z.array(z.looseObject({ id, name: nullableString, tags })).nullish() })
    .nullish(),
  tags,
  /** Cancellation marks, read loosely (see event-marks.ts): `cancelled: true` or a status with CANCEL. */
  cancelled: z.unknown().optional(),
  status: z.unknown().optional(),
});
export type MoshtixEvent = z.infer<typeof moshtixEventSchema>;

/** What a delivery is about. `unknown` deliveries are stored and accepted but change no state. */
export type DeliveryKind = 'order' | 'event' | 'unknown';

export type ParsedDelivery =
  | { kind: 'order'; envelope: WebhookEnvelope; order: MoshtixOrder }
  | { kind: 'event'; envelope: WebhookEnvelope; event: MoshtixEvent }
  | { kind: 'unknown'; envelope: WebhookEnvelope };

export type ParseFailure = { error: string };

/** Formats the first zod issue as `<path>: <problem>`, the form quarantine answers use. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${path}: ${issue.message}`;
}

function kindOf(envelope: WebhookEnvelope): DeliveryKind {
  const type = envelope.eventType.toLowerCase();
  if (type.startsWith('order')) return 'order';
  if (type.startsWith('event')) return 'event';
  // Open set: an eventType we have never seen is judged by the shape of its data.
  const data = envelope.data;
  if (typeof data === 'object' && data !== null) {
    if ('tickets' in data) return 'order';
    if ('name' in data && 'id' in data) return 'event';
  }
  return 'unknown';
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
    const order = moshtixOrderSchema.safeParse(envelope.data.data);
    if (!order.success) return { error: `data.${describeZodError(order.error)}` };
    return { kind, envelope: envelope.data, order: order.data };
  }
  if (kind === 'event') {
    const event = moshtixEventSchema.safeParse(envelope.data.data);
    if (!event.success) return { error: `data.${describeZodError(event.error)}` };
    return { kind, envelope: envelope.data, event: event.data };
  }
  return { kind, envelope: envelope.data };
}

/** The body template Moshtix renders, verbatim from the docs: keep exactly this. */
export const WEBHOOK_BODY_TEMPLATE = '{ "eventType": "@eventType", "contextId": @contextId, "data": @data}';
export const WEBHOOK_SECRET_HEADER = 'X-Gatehouse-Secret';
export const MOSHTIX_GRAPHQL_ENDPOINT = 'https://api.moshtix.com/v1/graphql';
