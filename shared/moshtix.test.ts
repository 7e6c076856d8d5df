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

  it('knows an eventType only by its order or event prefix, any case, and refuses any other', () => {
    const order = seed().data;
    for (const eventType of ['order-saved-prepare-full-message', 'ORDER_SAVED', 'order-backfill']) {
      const parsed = parseDelivery(render(eventType, 37228036, order));
      expect('kind' in parsed && parsed.kind).toBe('order');
    }
    for (const eventType of ['event-saved-prepare-full-message', 'EVENT_SAVED']) {
      const parsed = parseDelivery(render(eventType, 132218, { id: 132218, name: 'Test API Event' }));
      expect('kind' in parsed && parsed.kind).toBe('event');
    }
    // Data that reads as an order or an event does not make an unknown eventType known.
    expect(parseDelivery(render('mystery', 37228036, order))).toEqual({
      error: 'eventType: "mystery" is unknown',
    });
    expect(parseDelivery(render('venue-saved', 1, { id: 1, name: 'Hall' }))).toEqual({
      error: 'eventType: "venue-saved" is unknown',
    });
    expect(parseDelivery(render('ticket-saved', 1, { id: 1, valid: true }))).toEqual({
      error: 'eventType: "ticket-saved" is unknown',
    });
  });

  it('refuses only what cannot be tied to an order or an event, naming the failing path', () => {
    expect(parseDelivery('not json')).toEqual({ error: expect.stringMatching(/^\(body\): not JSON/) });
    expect(parseDelivery('{"contextId":1,"data":{}}')).toEqual({
      error: expect.stringMatching(/^eventType: /),
    });
    const noOrderId = seed();
    delete noOrderId.data.id;
    expect(parseDelivery(JSON.stringify(noOrderId))).toEqual({ error: expect.stringMatching(/^data\.id: /) });
    const noEvent = seed();
    noEvent.data.event = { name: 'no id' };
    expect(parseDelivery(JSON.stringify(noEvent))).toEqual({
      error: expect.stringMatching(/^data\.event\.id: /),
    });
    expect(parseDelivery(render('event-saved', 5, { name: 'no id' }))).toEqual({
      error: expect.stringMatching(/^data\.id: /),
    });
  });

  it('reads each ticket on its own: one without a usable barcode is skipped and reported, its siblings kept', () => {
    const delivery = seed();
    const template = (delivery.data.tickets as { items: Record<string, unknown>[] }).items[0]!;
    delivery.data.tickets = {
      items: [
        { ...template, barcode: '  GOOD-1 ' },
        { ...template, barcode: null },
        { ...template, barcode: '   ' },
        { ...template, barcode: 'X'.repeat(257) },
        { ...template, barcode: 42 },
        'not a ticket',
        { ...template, barcode: 'GOOD-2', valid: null },
        { ...template, barcode: 'GOOD-3', valid: 'true' },
        { id: 5, barcode: 'GOOD-5' },
        { ...template, barcode: 'GOOD-4', id: '99', ticketType: 'weird', firstName: 7 },
      ],
    };
    const parsed = parseDelivery(JSON.stringify(delivery));
    if (!('kind' in parsed) || parsed.kind !== 'order') throw new Error('should parse as an order');
    expect(parsed.order.tickets.items.map((ticket) => [ticket.barcode, ticket.valid])).toEqual([
      ['GOOD-1', true],
      ['GOOD-2', false],
      ['GOOD-3', false],
      ['GOOD-5', false],
      ['GOOD-4', true],
    ]);
    expect(parsed.order.tickets.items[4]).toMatchObject({ id: '99', ticketType: null, firstName: null });
    expect(parsed.skipped.map(({ index, reason }) => ({ index, reason }))).toEqual([
      { index: 1, reason: 'barcode is missing' },
      { index: 2, reason: 'barcode is blank' },
      { index: 3, reason: 'barcode is longer than 256 characters' },
      { index: 4, reason: 'barcode is not text' },
      { index: 5, reason: 'not an object' },
    ]);
    expect(parsed.skipped[0]?.raw).toContain('"barcode":null');
  });

  it('reads numeric strings as ids, transaction ids included; an unreadable transaction is left out', () => {
    const delivery = seed();
    delivery.data.id = '37228036';
    (delivery.data.event as Record<string, unknown>).id = ' 132218 ';
    delivery.data.transactions = {
      items: [{ id: '12894177', type: 'PURCHASE' }, { id: 'R-1', type: 'REFUND' }, { id: 12894178 }],
    };
    const parsed = parseDelivery(JSON.stringify(delivery));
    if (!('kind' in parsed) || parsed.kind !== 'order') throw new Error('should parse as an order');
    expect(parsed.order.transactions.items.map((transaction) => transaction.id)).toEqual([
      12894177, 12894178,
    ]);
    expect(parsed.order.event.id).toBe('132218');
  });

  it('reads tickets: null, or no ticket list at all, as an order holding no tickets', () => {
    for (const tickets of [null, undefined, { items: null }]) {
      const delivery = seed();
      delivery.data.tickets = tickets;
      const parsed = parseDelivery(JSON.stringify(delivery));
      if (!('kind' in parsed) || parsed.kind !== 'order') throw new Error('should parse as an order');
      expect(parsed.order.tickets.items).toEqual([]);
    }
  });

  it('reads an EVENT_SAVED with null fields (the relay keeps the earlier values)', () => {
    const parsed = parseDelivery(render('event-saved', 5, { id: 5, name: null, startDate: null, venue: 3 }));
    if (!('kind' in parsed) || parsed.kind !== 'event') throw new Error('should parse as an event');
    expect(parsed.event).toMatchObject({ id: 5, name: null, startDate: null, venue: null });
  });
});

describe('describeZodError', () => {
  it('formats the first issue as "<path>: <problem>"', () => {
    const result = moshtixOrderSchema.safeParse({ id: 1, event: { name: 'x' }, tickets: { items: [] } });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeZodError(result.error)).toMatch(/^event\.id: /);
  });
});
