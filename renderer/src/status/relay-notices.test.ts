import { describe, expect, it } from 'vitest';
import { skewWords } from './relay-notices.js';

describe('clock skew in words', () => {
  it('says whole minutes, then hours, whichever way the clock is off', () => {
    expect(skewWords(10 * 60_000 + 4_000)).toBe('10 minutes');
    expect(skewWords(-10 * 60_000)).toBe('10 minutes');
    expect(skewWords(61_000)).toBe('1 minute');
    expect(skewWords(3 * 3_600_000 + 60_000)).toBe('3 hours');
  });
});
