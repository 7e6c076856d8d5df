/**
 * The smallest ORDER_SAVED delivery the relay stores accept: one event, one transaction, and by
 * default one valid ticket with barcode `B<orderId>`. The store tests' shared fixture (the seed-shaped
 * body is orderDelivery in support.ts).
 */
import type { DeliveryInput } from '../../relay/store/types.js';

export interface SmallOrder {
  barcodes?: readonly string[];
  eventId?: number;
  /** As sent: the merge tests also send values that are not booleans. */
  valid?: unknown;
  tx?: number;
  origin?: string;
}

export function smallOrder(orderId: number, options: SmallOrder = {}): DeliveryInput {
  const barcodes = options.barcodes ?? [`B${orderId}`];
  return {
    body: JSON.stringify({
      eventType: 'order-saved',
      contextId: orderId,
      data: {
        id: orderId,
        event: { id: options.eventId ?? 1, name: 'Show' },
        tickets: { items: barcodes.map((barcode) => ({ barcode, valid: options.valid ?? true })) },
        transactions: { items: [{ id: options.tx ?? orderId }] },
      },
    }),
    receivedAt: '2026-01-01T00:00:00.000Z',
    origin: options.origin ?? 'webhook',
  };
}
