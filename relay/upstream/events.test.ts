// Which events a venue relay follows upstream: the given ones, or the newest the hello can name,
// chosen the same way whatever order the events were learnt in.
import { describe, expect, it } from 'vitest';
import type { EventInfo } from '../../shared/tickets.js';
import { eventsToFollow, MAX_FOLLOWED_EVENTS } from './events.js';

const event = (id: string, startDate: string | null): EventInfo => ({
  id,
  name: `Event ${id}`,
  startDate,
  endDate: null,
  venueName: null,
  ticketTypes: [],
});

describe('eventsToFollow', () => {
  it('follows the given events, whatever the upstream knows', () => {
    expect(eventsToFollow(['9', '3', '9'], [event('1', null)])).toEqual(['3', '9']);
  });

  it('follows the newest events the hello can name, the same choice in any order', () => {
    const known = Array.from({ length: 160 }, (_, index) =>
      event(String(index), index % 3 === 0 ? null : `2026-01-${String((index % 28) + 1).padStart(2, '0')}`),
    );
    const chosen = eventsToFollow([], known);
    expect(chosen).toHaveLength(MAX_FOLLOWED_EVENTS);
    expect(eventsToFollow([], [...known].reverse())).toEqual(chosen);
    // Undated events come last.
    expect(chosen.every((id) => Number(id) % 3 !== 0)).toBe(true);
  });
});
