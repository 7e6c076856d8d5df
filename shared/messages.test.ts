import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GATE_API, parseInput } from './gate-api.js';
import { causeWords, errorSentence, issueSentence, notValidMessage } from './messages.js';

function firstIssue(schema: z.ZodType, value: unknown) {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a failure');
  const issue = result.error.issues[0];
  if (!issue) throw new Error('no issue');
  return issue;
}

describe('contract validation issues in words', () => {
  it('an empty note is required, not "Too small: expected string to have >=1 characters"', () => {
    const answer = parseInput('manualAdmit', { barcode: 'ABC', note: '  ' });
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.error.message).toBe('note: is required');
    expect(errorSentence(answer.error.message)).toBe('Note is required');
  });

  it('a short pulse says the minimum with its unit', () => {
    const answer = parseInput('updateSettings', {
      changes: { turnstile: { spec: 'none', exitSpec: null, pulseMs: 10, passageTimeoutMs: null } },
    });
    expect(answer.ok || errorSentence(answer.error.message)).toBe('Pulse must be at least 50 ms');
  });

  it('names every kind of problem without schema jargon', () => {
    const settings = GATE_API.updateSettings.input;
    const cases: [unknown, string][] = [
      [{ changes: { pin: '12' } }, 'New PIN must be 4 to 12 digits'],
      [{ changes: { relayUrl: 'ftp://x' } }, 'Relay URL must be a ws://, wss://, http:// or https:// URL'],
      [{ changes: { mode: 'sideways' } }, 'Mode must be one of: entry, exit'],
      [{ changes: { capacity: 0 } }, 'Capacity must be more than 0'],
      [{ changes: { capacity: 2.5 } }, 'Capacity must be a whole number'],
      [{ changes: { sounds: 'yes' } }, 'Sounds must be yes or no'],
      [{ changes: { gateName: 'x'.repeat(101) } }, 'Gate name must be at most 100 characters'],
      [{ changes: { token: 'short' } }, 'Gate token must be at least 8 characters'],
      [{}, 'The list of changes is required'],
    ];
    for (const [input, words] of cases) expect(issueSentence(firstIssue(settings, input))).toBe(words);
    expect(issueSentence(firstIssue(GATE_API.annul.input, { scanId: 'nope', note: 'x' }))).toBe(
      'Scan is not a valid id',
    );
    expect(issueSentence(firstIssue(GATE_API.lookup.input, { query: 'ab' }))).toBe(
      'Search must be at least 3 characters',
    );
  });

  it('turns an API error message into a sentence, whatever its source', () => {
    expect(errorSentence('pin: wrong staff PIN')).toBe('Wrong staff PIN');
    expect(errorSentence('pin: the staff PIN is required')).toBe('The staff PIN is required');
    expect(errorSentence('changes.turnstile.spec: unknown driver "bogus"')).toBe('Unknown driver "bogus"');
    expect(errorSentence('cannot reach the gate: TypeError: Failed to fetch')).toBe(
      'Cannot reach the gate: TypeError: Failed to fetch',
    );
  });

  it('never lets zod’s own wording through', () => {
    const schema = z.object({ a: z.string().regex(/^x$/), b: z.object({ c: z.string() }) });
    expect(issueSentence(firstIssue(schema, { a: 'y', b: { c: 'x' } }))).toBe('A is not in the right form');
    expect(issueSentence(firstIssue(schema, { a: 'x', b: { c: 1 } }))).toBe('B c must be text');
  });
});

describe('why a ticket is not valid, in words', () => {
  const at = '2026-11-27T10:04:30.000Z';
  it('says refunded or cancelled with the time of the change, to the minute', () => {
    expect(notValidMessage('refunded', at, 'UTC')).toBe('Ticket refunded (order changed 10:04)');
    expect(notValidMessage('cancelled', at, 'UTC')).toBe('Ticket cancelled (order changed 10:04)');
    expect(notValidMessage('reissued', at, 'UTC')).toBe('Replaced by a newer ticket — ask for the new one');
  });
  it('keeps the generic words for causes it does not know', () => {
    expect(notValidMessage('mystery', at, 'UTC')).toBe('Ticket no longer valid (order changed 10:04:30)');
  });
  it('names causes for a ticket’s detail', () => {
    expect(causeWords('removed_from_order')).toBe('removed from its order');
    expect(causeWords('reissued')).toBe('replaced by a newer ticket');
    expect(causeWords('mystery_cause')).toBe('no longer valid');
  });
});
