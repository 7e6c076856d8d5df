/** The admission rules, exhaustively: every reason code, every setting, annulments, other gates. */
import { describe, expect, it } from 'vitest';
import { DECISION_REASONS, type DecisionReason, type ScanRecord } from '../../shared/scans.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';
import { ticketState } from './fixtures.js';
import {
  decide,
  isPlausibleBarcode,
  presenceOf,
  type RuleInput,
  type RuleSettings,
} from '../../electron/gate/rules.js';

const EVENT: EventInfo = {
  id: 'E1',
  name: 'Test API Event',
  startDate: '2023-12-31T22:30:00.000Z',
  endDate: null,
  venueName: null,
  ticketTypes: [],
};
const OTHER_EVENT: EventInfo = {
  id: 'E2',
  name: 'Another Show',
  startDate: '2024-01-05T09:00:00.000Z',
  endDate: null,
  venueName: null,
  ticketTypes: [],
};
const NOW = new Date('2024-01-01T09:00:00.000Z');
let counter = 0;

/** The shared fixture, with the time and version the rule messages below expect. */
function ticket(overrides: Partial<TicketState> = {}): TicketState {
  return ticketState('ABC123', {
    ticketId: '1',
    changedAt: '2024-01-01T08:15:30.000Z',
    version: { source: 'webhook', txId: 1, seq: 1 },
    ...overrides,
  });
}

function scan(overrides: Partial<ScanRecord>): ScanRecord {
  counter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    barcode: 'ABC123',
    eventId: 'E1',
    gate: 'Gate 2',
    at: '2024-01-01T08:42:10.000Z',
    direction: 'in',
    result: 'admit',
    reason: 'admitted',
    kind: 'scan',
    note: null,
    annuls: null,
    ...overrides,
  };
}

const SETTINGS: RuleSettings = { events: ['E1'], ticketTypes: [], mode: 'entry', reentry: 'never' };

function run(overrides: Partial<RuleInput> = {}) {
  return decide({
    barcode: 'ABC123',
    ticket: ticket(),
    event: EVENT,
    history: [],
    settings: SETTINGS,
    now: NOW,
    timeZone: 'UTC',
    ...overrides,
  });
}

describe('admission rules', () => {
  it('admits a valid ticket for a selected event that has never been in', () => {
    expect(run()).toMatchObject({ result: 'admit', reason: 'admitted', direction: 'in', barcode: 'ABC123' });
  });

  it('trims the scanned text before deciding and records the trimmed barcode', () => {
    expect(run({ barcode: '  ABC123\t' })).toMatchObject({ result: 'admit', barcode: 'ABC123' });
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['a control character', 'ABC\u0007123'],
    ['a line break inside', 'ABC\n123'],
    ['an absurd length', 'A'.repeat(257)],
  ])('calls a scan with %s malformed', (_label, barcode) => {
    expect(run({ barcode, ticket: null })).toMatchObject({ result: 'deny', reason: 'malformed' });
  });

  it('accepts the longest plausible barcode', () => {
    expect(isPlausibleBarcode('A'.repeat(256))).toBe(true);
  });

  it('denies everything when the gate has no event selected', () => {
    expect(run({ settings: { ...SETTINGS, events: [] } })).toMatchObject({
      result: 'deny',
      reason: 'no_event_selected',
    });
  });

  it('denies an unknown barcode', () => {
    expect(run({ ticket: null, event: null })).toMatchObject({ result: 'deny', reason: 'unknown_barcode' });
  });

  it('names the event and its date for a ticket of another event', () => {
    const decision = run({ ticket: ticket({ eventId: 'E2' }), event: OTHER_EVENT });
    expect(decision).toMatchObject({
      result: 'deny',
      reason: 'wrong_event',
      message: 'Ticket is for Another Show on Fri 5 Jan 2024, 09:00',
    });
  });

  it('names an event of unknown date without a date', () => {
    const decision = run({ ticket: ticket({ eventId: 'E2' }), event: { ...OTHER_EVENT, startDate: null } });
    expect(decision.message).toBe('Ticket is for Another Show');
  });

  it('says when the order changed for a ticket no longer valid', () => {
    const decision = run({
      ticket: ticket({ valid: false, cause: 'not_valid', changedAt: '2024-01-01T08:15:30.000Z' }),
    });
    expect(decision).toMatchObject({
      result: 'deny',
      reason: 'not_valid',
      message: 'Ticket no longer valid (order changed 08:15:30)',
    });
  });

  it('shows times in the given zone (the gate machine’s local time)', () => {
    const decision = run({ ticket: ticket({ valid: false }), timeZone: 'Australia/Sydney' });
    expect(decision.message).toBe('Ticket no longer valid (order changed 19:15:30)');
  });

  it('denies a ticket type the gate does not admit, by id or by name', () => {
    expect(run({ settings: { ...SETTINGS, ticketTypes: ['VIP'] } })).toMatchObject({
      result: 'deny',
      reason: 'wrong_ticket_type',
    });
    expect(run({ settings: { ...SETTINGS, ticketTypes: ['T1'] } }).result).toBe('admit');
    expect(run({ settings: { ...SETTINGS, ticketTypes: ['General'] } }).result).toBe('admit');
  });

  it('says where and when a ticket already inside was admitted, from any gate', () => {
    const decision = run({ history: [scan({ gate: 'Gate 2', at: '2024-01-01T08:42:10.000Z' })] });
    expect(decision).toMatchObject({
      result: 'deny',
      reason: 'already_admitted',
      message: 'Already admitted at Gate 2 at 08:42:10',
      previous: { gate: 'Gate 2', at: '2024-01-01T08:42:10.000Z' },
    });
  });

  it('ignores denials in the history', () => {
    expect(run({ history: [scan({ result: 'deny', reason: 'not_valid' })] }).reason).toBe('admitted');
  });

  it('does not count an annulled admission', () => {
    const admission = scan({});
    const annulment = scan({
      kind: 'annul',
      reason: 'annulled',
      result: 'deny',
      annuls: admission.id,
      note: 'no passage within window',
    });
    expect(run({ history: [admission, annulment] }).reason).toBe('admitted');
  });

  it('counts a manual admission', () => {
    expect(run({ history: [scan({ kind: 'manual', reason: 'manual_admit', gate: 'Office' })] }).reason).toBe(
      'already_admitted',
    );
  });

  it('refuses re-entry after exit when re-entry is never allowed, naming the last admission', () => {
    const history = [
      scan({ at: '2024-01-01T08:00:00.000Z' }),
      scan({ direction: 'out', reason: 'exited', at: '2024-01-01T08:30:00.000Z' }),
    ];
    const decision = run({ history });
    expect(decision).toMatchObject({
      result: 'deny',
      reason: 'already_admitted',
      message: 'Already admitted at Gate 2 at 08:00:00 (no re-entry)',
    });
  });

  it('re-admits after an exit when re-entry after exit is allowed', () => {
    const history = [
      scan({ at: '2024-01-01T08:00:00.000Z' }),
      scan({ direction: 'out', reason: 'exited', at: '2024-01-01T08:30:00.000Z' }),
    ];
    expect(run({ history, settings: { ...SETTINGS, reentry: 'after_exit' } })).toMatchObject({
      result: 'admit',
      reason: 'readmitted',
    });
  });

  it('still refuses a ticket inside when re-entry after exit is allowed', () => {
    expect(run({ history: [scan({})], settings: { ...SETTINGS, reentry: 'after_exit' } }).reason).toBe(
      'already_admitted',
    );
  });

  it('judges by the order of the history (the store’s sequence), never by the wall-clock times in it', () => {
    // In, out, and in again after the gate's clock went back an hour: the holder is inside.
    const history = [
      scan({ at: '2024-01-01T08:00:00.000Z' }),
      scan({ direction: 'out', reason: 'exited', at: '2024-01-01T08:30:00.000Z' }),
      scan({ reason: 'readmitted', at: '2024-01-01T07:31:00.000Z' }),
    ];
    expect(presenceOf(history).state).toBe('inside');
    expect(run({ history, settings: { ...SETTINGS, reentry: 'after_exit' } }).reason).toBe(
      'already_admitted',
    );
  });

  it('records an exit of a ticket inside at an exit gate', () => {
    const decision = run({ history: [scan({})], settings: { ...SETTINGS, mode: 'exit' } });
    expect(decision).toMatchObject({ result: 'admit', reason: 'exited', direction: 'out' });
  });

  it('lets a ticket out even when it was refunded while inside', () => {
    expect(run({ ticket: ticket({ valid: false }), history: [scan({})], direction: 'out' }).reason).toBe(
      'exited',
    );
  });

  it('records an exit scan of a ticket that is not inside (exits always pass)', () => {
    expect(run({ direction: 'out' })).toMatchObject({ result: 'admit', reason: 'exited' });
    const left = [scan({}), scan({ direction: 'out', reason: 'exited', at: '2024-01-01T08:50:00.000Z' })];
    expect(run({ direction: 'out', history: left }).reason).toBe('exited');
  });

  it('lets an explicit direction override the gate mode', () => {
    expect(run({ direction: 'in', settings: { ...SETTINGS, mode: 'exit' } }).reason).toBe('admitted');
  });

  it('checks the event before validity: the door person learns where the ticket belongs', () => {
    expect(run({ ticket: ticket({ eventId: 'E2', valid: false }), event: OTHER_EVENT }).reason).toBe(
      'wrong_event',
    );
  });

  it('can produce every pinned reason code but the retired not_inside', () => {
    const seen = new Set<DecisionReason>([
      run({ barcode: '' }).reason,
      run({ settings: { ...SETTINGS, events: [] } }).reason,
      run({ ticket: null }).reason,
      run({ ticket: ticket({ eventId: 'E2' }), event: OTHER_EVENT }).reason,
      run({ ticket: ticket({ valid: false }) }).reason,
      run({ settings: { ...SETTINGS, ticketTypes: ['VIP'] } }).reason,
      run().reason,
      run({ history: [scan({})] }).reason,
      run({
        history: [scan({}), scan({ direction: 'out', at: '2024-01-01T08:50:00.000Z' })],
        settings: { ...SETTINGS, reentry: 'after_exit' },
      }).reason,
      run({ history: [scan({})], direction: 'out' }).reason,
      run({ settings: { ...SETTINGS, dateWindow: { beforeHours: 1, afterHours: 1 } } }).reason,
      run({
        settings: { ...SETTINGS, dateWindow: { beforeHours: 1, afterHours: 1 } },
        now: new Date('2023-12-30T00:00:00.000Z'),
      }).reason,
      run({ settings: { ...SETTINGS, capacity: 1 }, insideCount: 1 }).reason,
      run({ event: { ...EVENT, isCancelled: true } }).reason,
    ]);
    expect([...seen].sort()).toEqual(DECISION_REASONS.filter((reason) => reason !== 'not_inside').sort());
  });
});
