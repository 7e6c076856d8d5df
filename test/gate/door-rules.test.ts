/**
 * The door rules of issue 12 as pure functions: the event's date window, multi-day passes, exits that
 * always pass, capacity, attention flags, cancelled events, another night's ticket named from the
 * index — and how they combine.
 */
import { describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../shared/scans.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';
import { decide, type RuleInput, type RuleSettings } from '../../electron/gate/rules.js';
import { ticketState } from './fixtures.js';

/** A one-night show: 20:00 to 23:30 UTC on Sat 5 Dec 2026. */
const SHOW: EventInfo = {
  id: 'E1',
  name: 'Friday Show',
  startDate: '2026-12-05T20:00:00.000Z',
  endDate: '2026-12-05T23:30:00.000Z',
  venueName: null,
  ticketTypes: [{ id: 'T1', name: 'General' }],
};
/** A three-day festival: Fri 4 Dec 12:00 UTC to Sun 6 Dec 23:00 UTC. */
const FESTIVAL: EventInfo = {
  id: 'F1',
  name: 'Three Day Fest',
  startDate: '2026-12-04T12:00:00.000Z',
  endDate: '2026-12-06T23:00:00.000Z',
  venueName: null,
  ticketTypes: [{ id: 'P1', name: '3-Day Pass' }],
};
const OTHER: EventInfo = {
  id: 'E2',
  name: 'Saturday Show',
  startDate: '2026-12-06T20:00:00.000Z',
  endDate: null,
  venueName: null,
  ticketTypes: [],
};
const SETTINGS: RuleSettings = {
  events: ['E1', 'F1'],
  ticketTypes: [],
  mode: 'entry',
  reentry: 'never',
  dateWindow: { beforeHours: 12, afterHours: 6 },
  dayStarts: '06:00',
  capacity: null,
  attention: [],
};
let counter = 0;

function scan(overrides: Partial<ScanRecord>): ScanRecord {
  counter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    barcode: 'ABC123',
    eventId: 'E1',
    gate: 'Gate 2',
    at: '2026-12-05T20:10:00.000Z',
    direction: 'in',
    result: 'admit',
    reason: 'admitted',
    kind: 'scan',
    note: null,
    annuls: null,
    ...overrides,
  };
}

function run(overrides: Partial<RuleInput> & { at?: string; ticket?: TicketState | null } = {}) {
  const { at, ...rest } = overrides;
  return decide({
    barcode: 'ABC123',
    ticket: ticketState('ABC123'),
    event: SHOW,
    history: [],
    settings: SETTINGS,
    now: new Date(at ?? '2026-12-05T21:00:00.000Z'),
    timeZone: 'UTC',
    ...rest,
  });
}

const festivalTicket = () =>
  ticketState('ABC123', { eventId: 'F1', ticketTypeId: 'P1', ticketTypeName: '3-Day Pass' });

describe('the event date window', () => {
  it('admits from startDate minus BEFORE hours, to the millisecond', () => {
    expect(run({ at: '2026-12-05T08:00:00.000Z' }).reason).toBe('admitted');
    expect(run({ at: '2026-12-05T07:59:59.999Z' })).toMatchObject({
      result: 'deny',
      reason: 'too_early',
      message: 'Too early for Friday Show on Sat 5 Dec 2026, 20:00: entry opens Sat 5 Dec 2026, 08:00',
    });
  });

  it('admits until endDate plus AFTER hours, to the millisecond', () => {
    expect(run({ at: '2026-12-06T05:30:00.000Z' }).reason).toBe('admitted');
    expect(run({ at: '2026-12-06T05:30:00.001Z' })).toMatchObject({
      result: 'deny',
      reason: 'too_late',
      message: 'Too late for Friday Show on Sat 5 Dec 2026, 20:00: entry closed Sun 6 Dec 2026, 05:30',
    });
  });

  it('denies a ticket for a selected event next week, and one for an event that ended last night', () => {
    expect(run({ at: '2026-11-28T21:00:00.000Z' }).reason).toBe('too_early');
    expect(run({ at: '2026-12-06T21:00:00.000Z' }).reason).toBe('too_late');
  });

  it('measures from the start when the event has no end date', () => {
    const event = { ...SHOW, endDate: null };
    expect(run({ event, at: '2026-12-06T02:00:00.000Z' }).reason).toBe('admitted');
    expect(run({ event, at: '2026-12-06T02:00:00.001Z' }).reason).toBe('too_late');
  });

  it('uses the configured hours, and none when the window is off', () => {
    const narrow = { ...SETTINGS, dateWindow: { beforeHours: 1, afterHours: 0 } };
    expect(run({ settings: narrow, at: '2026-12-05T18:59:00.000Z' }).reason).toBe('too_early');
    expect(run({ settings: narrow, at: '2026-12-05T23:31:00.000Z' }).reason).toBe('too_late');
    const off = { ...SETTINGS, dateWindow: null };
    expect(run({ settings: off, at: '2026-11-01T12:00:00.000Z' }).reason).toBe('admitted');
    expect(run({ settings: off, at: '2027-02-01T12:00:00.000Z' }).reason).toBe('admitted');
  });

  it('admits when the event has no date at all (nothing to judge by)', () => {
    expect(
      run({ event: { ...SHOW, startDate: null, endDate: null }, at: '2027-06-01T00:00:00Z' }).reason,
    ).toBe('admitted');
  });

  it('names times in the gate’s zone', () => {
    expect(run({ at: '2026-12-05T07:00:00.000Z', timeZone: 'Australia/Sydney' }).message).toBe(
      'Too early for Friday Show on Sun 6 Dec 2026, 07:00: entry opens Sat 5 Dec 2026, 19:00',
    );
  });

  it('lets a ticket out whatever the date', () => {
    expect(run({ direction: 'out', at: '2027-01-10T00:00:00.000Z' })).toMatchObject({
      result: 'admit',
      reason: 'exited',
    });
  });

  it('checks validity and ticket type before the date', () => {
    expect(run({ ticket: ticketState('ABC123', { valid: false }), at: '2026-11-01T00:00:00Z' }).reason).toBe(
      'not_valid',
    );
    const vipOnly = { ...SETTINGS, ticketTypes: ['VIP'] };
    expect(run({ settings: vipOnly, at: '2026-11-01T00:00:00Z' }).reason).toBe('wrong_ticket_type');
  });
});

describe('multi-day events', () => {
  const day1 = scan({ eventId: 'F1', at: '2026-12-04T20:00:00.000Z', gate: 'Gate 1' });

  it('admits a pass holder again the next day without an exit on day 1', () => {
    const decision = run({
      ticket: festivalTicket(),
      event: FESTIVAL,
      history: [day1],
      at: '2026-12-05T14:00:00.000Z',
    });
    expect(decision).toMatchObject({ result: 'admit', reason: 'admitted' });
  });

  it('keeps yesterday’s admission until the day starts (06:00 by default)', () => {
    const decision = run({
      ticket: festivalTicket(),
      event: FESTIVAL,
      history: [day1],
      at: '2026-12-05T05:59:59.000Z',
    });
    expect(decision).toMatchObject({
      reason: 'already_admitted',
      message: 'Already admitted today at Gate 1 at 20:00:00',
    });
    expect(
      run({ ticket: festivalTicket(), event: FESTIVAL, history: [day1], at: '2026-12-05T06:00:00.000Z' })
        .reason,
    ).toBe('admitted');
  });

  it('names today’s admission only', () => {
    const day2 = scan({ eventId: 'F1', at: '2026-12-05T13:15:00.000Z', gate: 'Gate 3' });
    const decision = run({
      ticket: festivalTicket(),
      event: FESTIVAL,
      history: [day1, day2],
      at: '2026-12-05T15:00:00.000Z',
    });
    expect(decision).toMatchObject({
      reason: 'already_admitted',
      message: 'Already admitted today at Gate 3 at 13:15:00',
      previous: { gate: 'Gate 3', at: '2026-12-05T13:15:00.000Z' },
    });
  });

  it('allows one entry per day without re-entry, even after an exit on day 1', () => {
    const out = scan({ eventId: 'F1', direction: 'out', reason: 'exited', at: '2026-12-04T23:00:00.000Z' });
    const history = [day1, out];
    expect(
      run({ ticket: festivalTicket(), event: FESTIVAL, history, at: '2026-12-04T23:30:00Z' }),
    ).toMatchObject({
      reason: 'already_admitted',
      message: 'Already admitted today at Gate 1 at 20:00:00 (no re-entry)',
    });
    expect(
      run({ ticket: festivalTicket(), event: FESTIVAL, history, at: '2026-12-05T10:00:00Z' }).reason,
    ).toBe('admitted');
  });

  it('starts the day at --day-starts in the gate’s time zone', () => {
    // Sydney is UTC+11 in December: 06:00 local is 19:00 UTC the day before.
    const settings = { ...SETTINGS, dayStarts: '06:00' };
    // Admitted at 21:00 Friday, Sydney time.
    const friday = scan({ eventId: 'F1', at: '2026-12-04T10:00:00.000Z' });
    const base = {
      ticket: festivalTicket(),
      event: FESTIVAL,
      history: [friday],
      settings,
      timeZone: 'Australia/Sydney',
    };
    expect(run({ ...base, at: '2026-12-04T18:59:00.000Z' }).reason).toBe('already_admitted');
    expect(run({ ...base, at: '2026-12-04T19:00:00.000Z' }).reason).toBe('admitted');
    const noon = { ...base, history: [day1], settings: { ...SETTINGS, dayStarts: '12:00' }, timeZone: 'UTC' };
    expect(run({ ...noon, at: '2026-12-05T11:59:00.000Z' }).reason).toBe('already_admitted');
    expect(run({ ...noon, at: '2026-12-05T12:00:00.000Z' }).reason).toBe('admitted');
  });

  it('treats an event of exactly 24 hours as one night, not multi-day', () => {
    const event = { ...FESTIVAL, endDate: '2026-12-05T12:00:00.000Z' };
    expect(run({ ticket: festivalTicket(), event, history: [day1], at: '2026-12-05T10:00:00Z' }).reason).toBe(
      'already_admitted',
    );
  });
});

describe('exits', () => {
  it('records an exit of a ticket this gate never saw come in', () => {
    expect(run({ direction: 'out' })).toMatchObject({
      result: 'admit',
      reason: 'exited',
      message: 'Exit recorded',
    });
    expect(run({ settings: { ...SETTINGS, mode: 'exit' } })).toMatchObject({
      result: 'admit',
      reason: 'exited',
    });
  });

  it('records an exit of a ticket already outside, refunded, cancelled or of another event', () => {
    const left = [scan({}), scan({ direction: 'out', reason: 'exited', at: '2026-12-05T20:30:00.000Z' })];
    expect(run({ direction: 'out', history: left }).reason).toBe('exited');
    expect(run({ direction: 'out', ticket: ticketState('ABC123', { valid: false }) }).reason).toBe('exited');
    expect(run({ direction: 'out', event: { ...SHOW, isCancelled: true } }).reason).toBe('exited');
    expect(
      run({ direction: 'out', ticket: ticketState('ABC123', { eventId: 'E2' }), event: OTHER }).reason,
    ).toBe('exited');
  });

  it('re-admits after an exit made at a gate that never saw the entry, once it is shared', () => {
    const history = [
      scan({ gate: 'Gate A', at: '2026-12-05T20:10:00.000Z' }),
      scan({ gate: 'Exit', direction: 'out', reason: 'exited', at: '2026-12-05T20:40:00.000Z' }),
    ];
    expect(run({ history, settings: { ...SETTINGS, reentry: 'after_exit' } }).reason).toBe('readmitted');
  });

  it('never produces not_inside', () => {
    const histories = [[], [scan({})], [scan({}), scan({ direction: 'out', at: '2026-12-05T20:30:00Z' })]];
    for (const history of histories)
      for (const mode of ['entry', 'exit'] as const)
        for (const direction of [undefined, 'in', 'out'] as const)
          expect(run({ history, direction, settings: { ...SETTINGS, mode } }).reason).not.toBe('not_inside');
  });
});

describe('capacity', () => {
  const full = { ...SETTINGS, capacity: 100 };

  it('admits below capacity and denies entry when the venue is full', () => {
    expect(run({ settings: full, insideCount: 99 }).reason).toBe('admitted');
    expect(run({ settings: full, insideCount: 100 })).toMatchObject({
      result: 'deny',
      reason: 'capacity_reached',
      message: 'Venue full: 100 inside, capacity 100',
    });
  });

  it('still lets people out when full, and in again once an exit brings the count down', () => {
    expect(run({ settings: full, insideCount: 100, direction: 'out' }).reason).toBe('exited');
    expect(run({ settings: full, insideCount: 99 }).reason).toBe('admitted');
  });

  it('tells a ticket already inside that it is inside, not that the venue is full', () => {
    expect(run({ settings: full, insideCount: 100, history: [scan({})] }).reason).toBe('already_admitted');
  });

  it('counts a re-entry against capacity', () => {
    const history = [scan({}), scan({ direction: 'out', reason: 'exited', at: '2026-12-05T20:30:00Z' })];
    const settings = { ...full, reentry: 'after_exit' as const };
    expect(run({ settings, history, insideCount: 99 }).reason).toBe('readmitted');
    expect(run({ settings, history, insideCount: 100 }).reason).toBe('capacity_reached');
  });

  it('ignores the count when no capacity is set', () => {
    expect(run({ insideCount: 1_000_000 }).reason).toBe('admitted');
  });
});

describe('attention flags', () => {
  const attention = [
    { match: '18+', text: 'Check ID: 18+' },
    { match: 'vip', text: 'VIP wristband' },
    { match: 'access', text: 'Accessible entrance' },
  ];
  const settings = { ...SETTINGS, attention };

  it('admits with the text when the ticket type name contains the match, case-insensitive', () => {
    expect(run({ settings, ticket: ticketState('ABC123', { ticketTypeName: 'Vip Lounge' }) })).toMatchObject({
      result: 'admit',
      reason: 'admitted',
      attention: 'VIP wristband',
    });
  });

  it('matches ticket type tags, the event’s tags and the event’s tags of that ticket type', () => {
    expect(
      run({ settings, ticket: ticketState('ABC123', { ticketTypeTags: ['Over 18+ only'] }) }).attention,
    ).toBe('Check ID: 18+');
    expect(run({ settings, event: { ...SHOW, tags: ['ACCESSIBILITY'] } }).attention).toBe(
      'Accessible entrance',
    );
    const typed = { ...SHOW, ticketTypes: [{ id: 'T1', name: 'General', tags: ['18+'] }] };
    expect(run({ settings, event: typed }).attention).toBe('Check ID: 18+');
  });

  it('joins every matching text, and says nothing when none match', () => {
    const ticket = ticketState('ABC123', { ticketTypeName: 'VIP 18+' });
    expect(run({ settings, ticket }).attention).toBe('Check ID: 18+ · VIP wristband');
    expect(run({ settings }).attention).toBeUndefined();
  });

  it('flags a re-entry too', () => {
    const history = [scan({}), scan({ direction: 'out', reason: 'exited', at: '2026-12-05T20:30:00Z' })];
    const decision = run({
      settings: { ...settings, reentry: 'after_exit' },
      history,
      ticket: ticketState('ABC123', { ticketTypeName: 'VIP' }),
    });
    expect(decision).toMatchObject({ result: 'admit', reason: 'readmitted', attention: 'VIP wristband' });
  });

  it('adds nothing to a denial or an exit', () => {
    const ticket = ticketState('ABC123', { ticketTypeName: 'VIP' });
    expect(run({ settings, ticket, history: [scan({})] }).attention).toBeUndefined();
    expect(run({ settings, ticket, direction: 'out' }).attention).toBeUndefined();
  });
});

describe('cancelled events', () => {
  it('denies the tickets of a cancelled event, naming it', () => {
    expect(run({ event: { ...SHOW, isCancelled: true } })).toMatchObject({
      result: 'deny',
      reason: 'event_cancelled',
      message: 'Event cancelled: Friday Show on Sat 5 Dec 2026, 20:00',
    });
  });

  it('admits again once the mark is lifted', () => {
    expect(run({ event: { ...SHOW, isCancelled: false } }).reason).toBe('admitted');
  });
});

describe('another night’s ticket, from the index', () => {
  it('names the event and its day, date and time', () => {
    expect(run({ ticket: null, event: null, otherEvent: { eventId: 'E2', event: OTHER } })).toMatchObject({
      result: 'deny',
      reason: 'wrong_event',
      message: 'Ticket is for Saturday Show on Sun 6 Dec 2026, 20:00',
    });
  });

  it('names an event it knows only by id', () => {
    expect(run({ ticket: null, event: null, otherEvent: { eventId: 'E9', event: null } }).message).toBe(
      'Ticket is for event E9',
    );
  });

  it('never admits from the index, not even for a selected event', () => {
    for (const direction of ['in', 'out'] as const) {
      const decision = run({
        ticket: null,
        event: null,
        direction,
        otherEvent: { eventId: 'E1', event: SHOW },
      });
      expect(decision).toMatchObject({ result: 'deny', reason: 'unknown_barcode' });
    }
    expect(
      run({ ticket: null, event: null, direction: 'out', otherEvent: { eventId: 'E2', event: OTHER } })
        .result,
    ).toBe('deny');
  });
});

describe('the rules together', () => {
  it('orders the denials: event, cancelled, validity, type, date, presence, capacity', () => {
    const cancelled = { ...SHOW, isCancelled: true };
    const settings = { ...SETTINGS, capacity: 1, ticketTypes: ['VIP'] };
    expect(run({ event: cancelled, ticket: ticketState('ABC123', { eventId: 'E2' }) }).reason).toBe(
      'wrong_event',
    );
    expect(run({ event: cancelled, ticket: ticketState('ABC123', { valid: false }) }).reason).toBe(
      'event_cancelled',
    );
    expect(run({ settings, at: '2026-11-01T00:00:00Z' }).reason).toBe('wrong_ticket_type');
    const typeOk = { ...settings, ticketTypes: [] };
    expect(
      run({ settings: typeOk, insideCount: 5, history: [scan({})], at: '2026-11-01T00:00:00Z' }).reason,
    ).toBe('too_early');
    expect(run({ settings: typeOk, insideCount: 5, history: [scan({})] }).reason).toBe('already_admitted');
    expect(run({ settings: typeOk, insideCount: 5 }).reason).toBe('capacity_reached');
  });

  it('admits a multi-day pass on day 2 with its attention flag while below capacity', () => {
    const decision = run({
      ticket: festivalTicket(),
      event: { ...FESTIVAL, tags: ['18+'] },
      history: [scan({ eventId: 'F1', at: '2026-12-04T20:00:00.000Z' })],
      settings: { ...SETTINGS, capacity: 10, attention: [{ match: '18+', text: 'Check ID' }] },
      insideCount: 9,
      at: '2026-12-05T14:00:00.000Z',
    });
    expect(decision).toMatchObject({ result: 'admit', reason: 'admitted', attention: 'Check ID' });
  });
});
