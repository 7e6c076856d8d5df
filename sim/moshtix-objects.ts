/**
 * Moshtix objects as the simulator builds them, and their rendering into webhook bodies in exactly
 * the seed's shape: the ORDER_SAVED `data` mirrors the seed example field for field, and the body is
 * the subscription's template (WEBHOOK_BODY_TEMPLATE) with `@eventType`, `@contextId` and `@data`
 * filled in the way Moshtix fills them.
 */
import { WEBHOOK_BODY_TEMPLATE } from '../shared/moshtix.js';

export const ORDER_EVENT_TYPE = 'order-saved-prepare-full-message';
export const EVENT_EVENT_TYPE = 'event-saved-prepare-full-message';

export interface SimTicketType {
  id: number;
  name: string;
  price: number;
}

export interface SimEvent {
  id: number;
  name: string;
  startDate: string;
  endDate: string;
  venue: { id: number; name: string };
  ticketTypes: SimTicketType[];
}

export interface SimTicket {
  id: number;
  barcode: string;
  valid: boolean;
  firstName: string | null;
  lastName: string | null;
  ticketType: SimTicketType;
}

export interface SimTransaction {
  id: number;
  /** Open set at Moshtix: PURCHASE, REFUND, and the sim's REISSUE and CANCEL. */
  type: string;
  status: string;
  ipAddress: string;
}

export interface SimCustomer {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  telephone: string;
}

/** One version of an order: what a single ORDER_SAVED delivery carries. */
export interface SimOrder {
  id: number;
  createdDate: string;
  channel: string;
  customer: SimCustomer;
  tickets: SimTicket[];
  transactions: SimTransaction[];
}

const noTags = () => ({ items: [] as unknown[] });

export function eventData(event: SimEvent): Record<string, unknown> {
  return {
    id: event.id,
    name: event.name,
    startDate: event.startDate,
    endDate: event.endDate,
    client: null,
    tags: noTags(),
    venue: { id: event.venue.id, name: event.venue.name },
    ticketTypes: {
      items: event.ticketTypes.map((type) => ({ id: type.id, name: type.name, tags: noTags() })),
    },
  };
}

export function orderData(event: SimEvent, order: SimOrder): Record<string, unknown> {
  return {
    id: order.id,
    createdDate: order.createdDate,
    channel: order.channel,
    refCode: '',
    offerCode: '',
    customer: { ...order.customer },
    event: {
      id: event.id,
      name: event.name,
      startDate: event.startDate,
      endDate: event.endDate,
      client: null,
      tags: noTags(),
    },
    tickets: {
      items: order.tickets.map((ticket) => ({
        id: ticket.id,
        firstName: ticket.firstName,
        lastName: ticket.lastName,
        valid: ticket.valid,
        barcode: ticket.barcode,
        unitCost: ticket.ticketType.price,
        bookingFee: ticket.ticketType.price > 0 ? 1.5 : 0,
        totalCost: ticket.ticketType.price > 0 ? ticket.ticketType.price + 1.5 : 0,
        discount: 0,
        ticketType: { id: ticket.ticketType.id, name: ticket.ticketType.name, tags: noTags() },
      })),
    },
    transactions: { items: order.transactions.map((transaction) => ({ ...transaction })) },
  };
}

/** Fills the subscription's body template the way Moshtix does: eventType quoted, the rest bare. */
export function renderBody(eventType: string, contextId: number, data: unknown): string {
  const values: Record<string, string> = {
    eventType,
    contextId: String(contextId),
    data: JSON.stringify(data),
  };
  // One pass over the template only, so that an "@data" inside the data is never substituted.
  return WEBHOOK_BODY_TEMPLATE.replace(
    /@(eventType|contextId|data)/g,
    (_match, name: string) => values[name] ?? '',
  );
}

export const renderEventBody = (event: SimEvent): string =>
  renderBody(EVENT_EVENT_TYPE, event.id, eventData(event));
export const renderOrderBody = (event: SimEvent, order: SimOrder): string =>
  renderBody(ORDER_EVENT_TYPE, order.id, orderData(event, order));
