import { describe, expect, it } from 'vitest';
import { isCancelledMark, tagNames } from './event-marks.js';
import { parseDelivery } from './moshtix.js';
import { normaliseEvent } from './events.js';
import { normaliseOrder } from './tickets.js';
import { parseRelayFrame } from './protocol.js';

const event = { id: 132218, name: 'Test API Event', startDate: '2026-12-05T20:00:00.000Z', endDate: null };

function eventDelivery(data: Record<string, unknown>): string {
  return JSON.stringify({ eventType: 'event-saved-prepare-full-message', contextId: 132218, data });
}

describe('tags, read loosely', () => {
  it('reads strings and named objects from {items} or a bare list, once each', () => {
    expect(tagNames({ items: ['18+', { name: 'VIP' }, { tag: 'Accessible' }, { value: ' Late ' }] })).toEqual(
      ['18+', 'VIP', 'Accessible', 'Late'],
    );
    expect(tagNames(['a', 'a', { label: 'b' }, { title: 'c' }])).toEqual(['a', 'b', 'c']);
  });

  it('ignores anything else without failing', () => {
    expect(tagNames(null)).toEqual([]);
    expect(tagNames({ items: null })).toEqual([]);
    expect(tagNames({ items: [3, null, {}, { name: 7 }, ''] })).toEqual([]);
    expect(tagNames('18+')).toEqual([]);
  });
});

describe('the cancelled mark', () => {
  it.each([
    [{ cancelled: true }],
    [{ cancelled: 'true' }],
    [{ canceled: true }],
    [{ isCancelled: true }],
    [{ status: 'CANCELLED' }],
    [{ status: 'Event canceled by promoter' }],
    [{ eventStatus: 'cancelled' }],
    [{ status: { name: 'CANCELLED' } }],
  ])('reads %j as cancelled', (mark) => {
    expect(isCancelledMark({ ...event, ...mark })).toBe(true);
  });

  it.each([[{}], [{ cancelled: false }], [{ cancelled: 'no' }], [{ status: 'ON_SALE' }], [{ status: 3 }]])(
    'reads %j as not cancelled',
    (mark) => {
      expect(isCancelledMark({ ...event, ...mark })).toBe(false);
    },
  );
});

describe('EVENT_SAVED and ORDER_SAVED carry marks and tags to gates', () => {
  it('normalises a cancelled, tagged event; an unmarked one keeps its old shape', () => {
    const parsed = parseDelivery(
      eventDelivery({
        ...event,
        status: 'CANCELLED',
        tags: { items: [{ name: '18+' }] },
        ticketTypes: {
          items: [
            { id: 1, name: 'GA', tags: { items: ['Wristband'] } },
            { id: 2, name: 'VIP' },
          ],
        },
      }),
    );
    if (!('kind' in parsed) || parsed.kind !== 'event') throw new Error('not an event');
    expect(normaliseEvent(parsed.event, true)).toEqual({
      id: '132218',
      name: 'Test API Event',
      startDate: '2026-12-05T20:00:00.000Z',
      endDate: null,
      venueName: null,
      ticketTypes: [
        { id: '1', name: 'GA', tags: ['Wristband'] },
        { id: '2', name: 'VIP' },
      ],
      tags: ['18+'],
      isCancelled: true,
    });
    const plain = parseDelivery(eventDelivery(event));
    if (!('kind' in plain) || plain.kind !== 'event') throw new Error('not an event');
    expect(Object.keys(normaliseEvent(plain.event, true)).sort()).toEqual(
      ['endDate', 'id', 'name', 'startDate', 'ticketTypes', 'venueName'].sort(),
    );
  });

  it('keeps a delivery whose status is not a string (open set), rather than quarantining it', () => {
    expect('kind' in parseDelivery(eventDelivery({ ...event, status: 42, cancelled: null }))).toBe(true);
  });

  it('gives a ticket its ticket type’s tags, and none when there are none', () => {
    const parsed = parseDelivery(
      JSON.stringify({
        eventType: 'order-saved-prepare-full-message',
        contextId: 1,
        data: {
          id: 1,
          event,
          tickets: {
            items: [
              {
                barcode: 'A',
                valid: true,
                ticketType: { id: 5, name: 'Late', tags: { items: [{ name: '18+' }] } },
              },
              { barcode: 'B', valid: true, ticketType: { id: 6, name: 'GA', tags: { items: [] } } },
            ],
          },
        },
      }),
    );
    if (!('kind' in parsed) || parsed.kind !== 'order') throw new Error('not an order');
    const [tagged, plain] = normaliseOrder(parsed.order, 1, '2026-12-05T10:00:00.000Z').tickets;
    expect(tagged?.ticketTypeTags).toEqual(['18+']);
    expect(plain && 'ticketTypeTags' in plain).toBe(false);
  });
});

describe('the index on the wire', () => {
  const hash = 'rtg8HKh0fbP4XYha7azpWg==';

  it('parses index entries, the welcome key and snapshot index', () => {
    const frames = [
      {
        type: 'welcome',
        protocol: 1,
        gate: 'G',
        head: 3,
        events: [],
        time: 1_764_000_000_000,
        quarantined: 0,
        indexKey: 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=',
      },
      {
        type: 'entries',
        entries: [{ seq: 4, kind: 'index', index: { hash, eventId: '9', isPresent: false } }],
      },
      {
        type: 'snapshot-chunk',
        events: [],
        tickets: [],
        scans: [],
        index: [{ hash, eventId: '9', isPresent: true }],
      },
    ];
    for (const frame of frames) expect(parseRelayFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
  });

  it.each([
    ['a raw barcode', 'F2D705C60392480385CD7BEF6C0A70DF'],
    ['a hash of 32 bytes', 'rtg8HKh0fbP4XYha7azpWq7YPByodH2z+F2IWu2s6Vo='],
    ['not base64', 'rtg8HKh0fbP4XYha7azp!g=='],
  ])('refuses %s as an index hash', (_label, bad) => {
    const frame = {
      type: 'entries',
      entries: [{ seq: 4, kind: 'index', index: { hash: bad, eventId: '9', isPresent: true } }],
    };
    expect(parseRelayFrame(JSON.stringify(frame))).toMatchObject({
      ok: false,
      error: 'entries.0.index.hash: must be base64 of 16 bytes',
    });
  });
});
