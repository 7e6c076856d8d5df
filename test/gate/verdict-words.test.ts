/**
 * The words of a not_valid denial, by the cause the relay recorded for the ticket: refunded and
 * cancelled say which and when the order changed (HH:MM), a reissued barcode tells staff to ask for
 * the new ticket, and any other cause keeps the generic sentence.
 */
import { describe, expect, it } from 'vitest';
import { decide, type RuleInput } from '../../electron/gate/rules.js';
import { ticketState } from './fixtures.js';

const CHANGED_AT = '2026-11-27T10:04:30.000Z';

function deny(cause: string, timeZone = 'UTC') {
  const input: RuleInput = {
    barcode: 'ABC123',
    ticket: ticketState('ABC123', { valid: false, cause, changedAt: CHANGED_AT }),
    event: null,
    history: [],
    settings: { events: ['E1'], ticketTypes: [], mode: 'entry', reentry: 'never' },
    now: new Date('2026-11-27T11:00:00.000Z'),
    timeZone,
  };
  return decide(input);
}

describe('not_valid verdict words by cause', () => {
  it('a refunded ticket says refunded and when its order changed', () => {
    expect(deny('refunded')).toMatchObject({
      result: 'deny',
      reason: 'not_valid',
      message: 'Ticket refunded (order changed 10:04)',
    });
  });

  it('a cancelled ticket says cancelled, in the gate’s zone', () => {
    expect(deny('cancelled', 'Australia/Sydney').message).toBe('Ticket cancelled (order changed 21:04)');
  });

  it('a reissued barcode tells staff to ask for the new ticket', () => {
    expect(deny('reissued')).toMatchObject({
      reason: 'not_valid',
      message: 'Replaced by a newer ticket — ask for the new one',
    });
  });

  it('a ticket taken out of its order says so', () => {
    expect(deny('removed_from_order').message).toBe('Ticket removed from its order (order changed 10:04)');
  });

  it('a ticket marked not valid in an imported list says so', () => {
    expect(deny('csv').message).toBe('Ticket not valid in the imported list');
  });

  it('not_valid and unknown causes keep the generic words', () => {
    expect(deny('not_valid').message).toBe('Ticket no longer valid (order changed 10:04:30)');
    expect(deny('something_new').message).toBe('Ticket no longer valid (order changed 10:04:30)');
  });
});
