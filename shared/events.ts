/**
 * Event info as gates know it, and how deliveries update it: a full EVENT_SAVED object updates what
 * is known, fields it leaves null keep their earlier values (EVENT_SAVED may carry nulls), and the
 * partial event reference inside an order only fills in an event never seen in full. Pure.
 */
import { isCancelledMark, tagNames } from './event-marks.js';
import { eventTicketTypes, type MoshtixEvent, type MoshtixOrder } from './moshtix.js';
import type { EventInfo } from './tickets.js';

/** What one delivery says about an event; null = not said (keep what is known). */
export interface EventUpdate {
  id: string;
  name: string | null;
  startDate: string | null;
  endDate: string | null;
  venueName: string | null;
  ticketTypes: EventInfo['ticketTypes'] | null;
  /** The event's tags; null when the delivery carries none (keep what is known). */
  tags: string[] | null;
  /**
   * A full EVENT_SAVED says whether the event is cancelled (a later one without the mark lifts it);
   * an order's event reference says nothing (null).
   */
  isCancelled: boolean | null;
}

export interface KnownEvent {
  info: EventInfo;
  /** Whether a full EVENT_SAVED object was ever seen (not only an order's event reference). */
  isFull: boolean;
}

export function eventUpdateOf(event: MoshtixEvent | MoshtixOrder['event'], isFull = false): EventUpdate {
  const full = event as Partial<MoshtixEvent>;
  const types = 'ticketTypes' in full ? eventTicketTypes(full as MoshtixEvent) : null;
  return {
    id: String(event.id).trim(),
    name: event.name ?? null,
    startDate: event.startDate ?? null,
    endDate: event.endDate ?? null,
    venueName: full.venue?.name ?? null,
    ticketTypes:
      types?.map((type) => {
        const typeTags = tagNames(type.tags);
        return { id: String(type.id), name: type.name, ...(typeTags.length ? { tags: typeTags } : {}) };
      }) ?? null,
    tags: event.tags === null || event.tags === undefined ? null : tagNames(event.tags),
    isCancelled: isFull ? isCancelledMark(event) : null,
  };
}

function eventInfoOf(update: EventUpdate, before: EventInfo | undefined): EventInfo {
  // Tags and the cancelled mark only appear when present, so unmarked events keep their old shape.
  const tags = update.tags ?? before?.tags ?? [];
  const isCancelled = update.isCancelled ?? before?.isCancelled ?? false;
  return {
    id: update.id,
    name: update.name ?? before?.name ?? `Event ${update.id}`,
    startDate: update.startDate ?? before?.startDate ?? null,
    endDate: update.endDate ?? before?.endDate ?? null,
    venueName: update.venueName ?? before?.venueName ?? null,
    ticketTypes: update.ticketTypes ?? before?.ticketTypes ?? [],
    ...(tags.length ? { tags } : {}),
    ...(isCancelled ? { isCancelled: true } : {}),
  };
}

/**
 * Merges what a delivery says about an event into what is known; null when nothing changes. Fields
 * the delivery leaves null keep their earlier values (EVENT_SAVED may carry nulls); an order's partial
 * event reference never overrides a full EVENT_SAVED.
 */
export function mergeEvent(
  known: KnownEvent | null,
  update: EventUpdate,
  isFull: boolean,
): KnownEvent | null {
  if (known?.isFull && !isFull) return null;
  const merged = { info: eventInfoOf(update, known?.info), isFull: isFull || (known?.isFull ?? false) };
  const isSame =
    known !== null &&
    known.isFull === merged.isFull &&
    JSON.stringify(known.info) === JSON.stringify(merged.info);
  return isSame ? null : merged;
}

/** An event as a delivery describes it, with defaults for what it leaves out. */
export function normaliseEvent(event: MoshtixEvent | MoshtixOrder['event'], isFull = false): EventInfo {
  return eventInfoOf(eventUpdateOf(event, isFull), undefined);
}
