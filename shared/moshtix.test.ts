import { describe, expect, it } from 'vitest';
import { describeZodError, moshtixOrderSchema, parseDelivery, WEBHOOK_BODY_TEMPLATE } from './moshtix.js';

// The seed document's ORDER_SAVED example, verbatim (shared/ tests read no files).
const seedText =
  '{"eventType":"order-saved-prepare-full-message","contextId":37228036,"data":{"id":37228036,"createdDate":"2021-11-02T07:47:57.000Z","channel":"ONLINE","refCode":"","offerCode":"","customer":{"id":6702175,"email":"test@moshtix.com","firstName":"Fred","lastName":"Durst","telephone":"0433567777"},"event":{"id":132218,"name":"Test API Event","startDate":"2023-12-31T22:30:00.000Z","endDate":"2023-12-31T23:30:00.000Z","client":null,"tags":{"items":[]}},"tickets":{"items":[{"id":29734124,"firstName":null,"lastName":null,"valid":true,"barcode":"F2D705C60392480385CD7BEF6C0A70DF","unitCost":0,"bookingFee":0,"totalCost":0,"discount":0,"ticketType":{"id":360875,"name":"free","tags":{"items":[]}}}]},"transactions":{"items":[{"id":12894177,"type":"PURCHASE","status":"SUCCESS","ipAddress":"2001:8004:1140:7f9e:64bc:1ec4:94a7:de87"}]}}}';
const seed = () =>
  JSON.parse(seedText) as { eventType: string; contextId: number; data: Record<string, unknown> };

/** Renders a body the way Moshtix fills the subscription's template. */
function render(eventType: string, contextId: number, data: unknown): string {
  return WEBHOOK_BODY_TEMPLATE.replace('@eventType', eventType)
    .replace('@contextId', String(contextId))
    .replace('@data', JSON.stringify(data));
}

describe('parseDelivery', () => {
  it('parses the seed ORDER_SAVED example as an order', () => {
    const parsed = parseDelivery(seedText);
    expect('kind' in parsed && parsed.kind).toBe('order');
    if (!('kind' in parsed) || parsed.kind !== 'order') return;
    expect(parsed.order.tickets.items[0]?.barcode).toBe('F2D705C60392480385CD7BEF6C0A70DF');
    expect(parsed.order.transactions?.items[0]?.id).toBe(12894177);
  });

  it('parses a body rendered from the documented template', () => {
    const parsed = parseDelivery(render('order-saved-prepare-full-message', 37228036, seed().data));
    expect('kind' in parsed && parsed.kind).toBe('order');
  });

  it('keeps unknown fields and unknown enum values instead of failing', () => {
    const delivery = seed();
    delivery.data.channel = 'CARRIER_PIGEON';
    delivery.data.brandNewField = { nested: true };
    (delivery.data.transactions as { items: Record<string, unknown>[] }).items[0]!.type = 'PARTIAL_REFUND_V2';
    const parsed = parseDelivery(JSON.stringify(delivery));
    if (!('kind' in parsed) || parsed.kind !== 'order') throw new Error('should parse');
    expect(parsed.order.channel).toBe('CARRIER_PIGEON');
    expect((parsed.order as Record<string, unknown>).brandNewField).toEqual({ nested: true });
    expect(parsed.order.transactions?.items[0]?.type).toBe('PARTIAL_REFUND_V2');
  });

  it('accepts nulls where Moshtix shows null (names, client, customer fields)', () => {
    const delivery = seed();
    delivery.data.customer = null;
    delivery.data.refCode = null;
    expect('kind' in parseDelivery(JSON.stringify(delivery))).toBe(true);
  });

  it('parses EVENT_SAVED data as an event, keeping extra fields', () => {
    const parsed = parseDelivery(
      render('event-saved-prepare-full-message', 132218, {
        id: 132218,
        name: 'Test API Event',
        venue: { name: 'Hall' },
        somethingNew: 1,
      }),
    );
    if (!('kind' in parsed) || parsed.kind !== 'event') throw new Error('should be an event');
    expect(parsed.event.name).toBe('Test API Event');
    expect((parsed.event as Record<string, unknown>).somethingNew).toBe(1);
  });

  it('accepts an unknown eventType, judging by the shape of its data', () => {
    const parsed = parseDelivery(render('ticket-saved', 1, { id: 1, valid: true }));
    expect('kind' in parsed && parsed.kind).toBe('unknown');
    const orderShaped = parseDelivery(render('mystery', 37228036, seed().data));
    expect('kind' in orderShaped && orderShaped.kind).toBe('order');
  });

  it('names the failing path for bodies that are not deliveries', () => {
    expect(parseDelivery('not json')).toEqual({ error: expect.stringMatching(/^\(body\): not JSON/) });
    expect(parseDelivery('{"contextId":1,"data":{}}')).toEqual({
      error: expect.stringMatching(/^eventType: /),
    });
    const missingBarcode = seed();
    delete (missingBarcode.data.tickets as { items: Record<string, unknown>[] }).items[0]!.barcode;
    expect(parseDelivery(JSON.stringify(missingBarcode))).toEqual({
      error: expect.stringMatching(/^data\.tickets\.items\.0\.barcode: /),
    });
  });
});

describe('describeZodError', () => {
  it('formats the first issue as "<path>: <problem>"', () => {
    const result = moshtixOrderSchema.safeParse({
      id: 1,
      event: { id: 2 },
      tickets: { items: [{ barcode: '', valid: true }] },
    });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeZodError(result.error)).toMatch(/^tickets\.items\.0\.barcode: /);
  });
});
