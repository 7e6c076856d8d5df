/**
 * Which events a venue relay follows upstream: the ones given (--upstream-event), or else every event
 * the upstream relay knows, newest first, as many as a hello may name.
 */
import type { EventInfo } from '../../shared/tickets.js';

/** A hello names at most this many events (shared/protocol.ts). */
export const MAX_FOLLOWED_EVENTS = 100;

export function eventsToFollow(configured: readonly string[], known: Iterable<EventInfo>): string[] {
  if (configured.length > 0) return [...new Set(configured)].sort();
  // Ties broken by id: the same events always give the same choice, or every link would resync.
  const newestFirst = [...known].sort(
    (a, b) => (b.startDate ?? '').localeCompare(a.startDate ?? '') || a.id.localeCompare(b.id),
  );
  return newestFirst
    .slice(0, MAX_FOLLOWED_EVENTS)
    .map((event) => event.id)
    .sort();
}

export const sameEvents = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((id, index) => id === b[index]);
