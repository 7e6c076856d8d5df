/**
 * A night as door staff meet it: an EVENT_SAVED delivery (venue, date, ticket types) and orders with
 * 32-character barcodes, a group booking of three tickets all in one buyer's name, a refunded
 * ticket in a two-ticket order, and a ticket whose holder is not the buyer.
 */
import { tonight } from '../relay/support.js';
import { EVENT_ID } from './support.js';

/** Tonight's show (it started an hour before this test process): the gates' date window admits it. */
export const EVENT_START = tonight().startDate;

export const VENUE = 'The Corner Hotel';
export const EVENT_NAME = 'Test API Event';
export const GENERAL = { id: 360875, name: 'General Admission' };
export const VIP = { id: 360876, name: 'VIP' };

export interface DoorTicket {
  barcode: string;
  firstName?: string;
  lastName?: string;
  valid?: boolean;
  type?: { id: number; name: string };
}

export interface DoorOrder {
  orderId: number;
  buyer: { firstName: string; lastName: string; email: string };
  tickets: DoorTicket[];
  /** Transaction ids; the highest is the order's version. */
  transactions?: number[];
}

/** 32 hex characters, like Moshtix barcodes, ending in a readable tag. */
export function longBarcode(tag: string): string {
  return `F2D705C60392480385CD7BEF${tag}`.padEnd(32, '0').slice(0, 32);
}

export const ISLA_ORDER: DoorOrder = {
  orderId: 610_001,
  buyer: { firstName: 'Isla', lastName: 'Smith', email: 'isla.smith@example.com' },
  tickets: [
    { barcode: longBarcode('ISLA0001') },
    { barcode: longBarcode('ISLA0002') },
    { barcode: longBarcode('ISLA0003'), type: VIP },
  ],
};

export const BROWN_ORDER: DoorOrder = {
  orderId: 610_002,
  buyer: { firstName: 'Noah', lastName: 'Brown', email: 'noah@example.com' },
  tickets: [{ barcode: longBarcode('NOAH0001') }, { barcode: longBarcode('NOAH0002'), valid: false }],
};

export const CHEN_ORDER: DoorOrder = {
  orderId: 610_003,
  buyer: { firstName: 'Oliver', lastName: 'Chen', email: 'oliver.chen@example.com' },
  tickets: [{ barcode: longBarcode('MIA00001'), firstName: 'Mia', lastName: 'Chen' }],
};

export const SOLO_ORDERS: DoorOrder[] = Array.from({ length: 6 }, (_, index) => ({
  orderId: 610_100 + index,
  buyer: { firstName: `Guest${index}`, lastName: 'Walker', email: `guest${index}@example.com` },
  tickets: [{ barcode: longBarcode(`SOLO000${index}`) }],
}));

export const DOOR_ORDERS: DoorOrder[] = [ISLA_ORDER, BROWN_ORDER, CHEN_ORDER, ...SOLO_ORDERS];

export function ticketCount(orders: readonly DoorOrder[]): number {
  return orders.reduce((sum, order) => sum + order.tickets.length, 0);
}

export function eventDelivery(startDate = EVENT_START): Record<string, unknown> {
  return {
    eventType: 'event-saved-prepare-full-message',
    contextId: EVENT_ID,
    data: {
      id: EVENT_ID,
      name: EVENT_NAME,
      startDate,
      endDate: null,
      venue: { name: VENUE },
      ticketTypes: { items: [GENERAL, VIP] },
    },
  };
}

export function doorOrderDelivery(order: DoorOrder): Record<string, unknown> {
  return {
    eventType: 'order-saved-prepare-full-message',
    contextId: order.orderId,
    data: {
      id: order.orderId,
      createdDate: '2026-11-01T09:00:00.000Z',
      channel: 'WEB',
      customer: { id: order.orderId, telephone: null, ...order.buyer },
      event: { id: EVENT_ID, name: EVENT_NAME, startDate: EVENT_START },
      tickets: {
        items: order.tickets.map((ticket, index) => ({
          id: order.orderId * 100 + index,
          firstName: ticket.firstName ?? null,
          lastName: ticket.lastName ?? null,
          valid: ticket.valid ?? true,
          barcode: ticket.barcode,
          ticketType: { ...(ticket.type ?? GENERAL), tags: { items: [] } },
        })),
      },
      transactions: {
        items: (order.transactions ?? [order.orderId]).map((id) => ({
          id,
          type: 'PURCHASE',
          status: 'SUCCESS',
          ipAddress: null,
        })),
      },
    },
  };
}
