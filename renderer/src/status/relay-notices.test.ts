import { describe, expect, it } from 'vitest';
import { isClockOff, skewWords } from './relay-notices.js';

describe('clock skew in words', () => {
  it('says whole minutes, then hours, whichever way the clock is off', () => {
    expect(skewWords(10 * 60_000 + 4_000)).toBe('10 minutes');
    expect(skewWords(-10 * 60_000)).toBe('10 minutes');
    expect(skewWords(61_000)).toBe('1 minute');
    expect(skewWords(3 * 3_600_000 + 60_000)).toBe('3 hours');
  });
});

describe('when the clock warning shows', () => {
  it('only beyond 2 minutes, whichever way the clock is off, and never before the first reading', () => {
    expect(isClockOff(null)).toBe(false);
    expect(isClockOff(0)).toBe(false);
    expect(isClockOff(60_000)).toBe(false);
    expect(isClockOff(119_000)).toBe(false);
    expect(isClockOff(120_000)).toBe(false);
    expect(isClockOff(-119_000)).toBe(false);
    expect(isClockOff(121_000)).toBe(true);
    expect(isClockOff(-121_000)).toBe(true);
    expect(isClockOff(-180_000)).toBe(true);
  });
});
