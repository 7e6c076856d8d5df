/**
 * The admission rules: a pure function of (ticket state, scan history, gate settings, now). No I/O,
 * no clock, no database: the engine gathers the facts, this decides. Reason codes are pinned in
 * shared/scans.ts; messages are what a door person reads at a glance. The order of the checks is the
 * order of what matters at a door: whose ticket it is, whether the night is on, whether the ticket
 * still counts, whether it is the right day, whether the holder is already inside, room in the venue.
 */
import type { AttentionRule, DateWindow } from '../../shared/gate-api.js';
import { notValidMessage } from '../../shared/messages.js';
import type { DecisionReason, Direction, ScanRecord } from '../../shared/scans.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';
import {
  admissionWindow,
  dayStartOf,
  DEFAULT_DAY_STARTS,
  formatDayDateTime,
  isMultiDay,
} from './door-time.js';

export interface RuleSettings {
  events: readonly string[];
  ticketTypes: readonly string[];
  mode: 'entry' | 'exit';
  reentry: 'never' | 'after_exit';
  /** Admission window around the event's dates; absent or null: dates are not checked. */
  dateWindow?: DateWindow | null;
  /** Gate-local HH:MM when the day starts, for multi-day events (06:00 when absent). */
  dayStarts?: string;
  /** Entry is refused once `insideCount` reaches it; absent or null: no limit. */
  capacity?: number | null;
  attention?: readonly AttentionRule[];
}

/** Another event's ticket, known only from the relay's keyed-hash index (no ticket state). */
export interface OtherEventHit {
  eventId: string;
  event: EventInfo | null;
}

export interface RuleInput {
  barcode: string;
  /** Explicit direction of the scan; when absent the gate's mode decides. */
  direction?: Direction;
  ticket: TicketState | null;
  /** The ticket's event, when known (for wrong-event messages). */
  event: EventInfo | null;
  /**
   * Every record of this barcode known to this gate, from any gate, in the order they happened: the
   * store's sequence order (relay seq, then this gate's unsent decisions as made), never wall clock.
   */
  history: readonly ScanRecord[];
  settings: RuleSettings;
  now: Date;
  /** IANA zone for day starts and the times in messages; the gate machine's own zone when absent. */
  timeZone?: string;
  /** When the barcode is not in the list: the event the index names for it, if any. */
  otherEvent?: OtherEventHit | null;
  /** People inside now, from the admissions and exits of every gate (for capacity). */
  insideCount?: number;
}

export interface Decision {
  result: 'admit' | 'deny';
  reason: DecisionReason;
  message: string;
  direction: Direction;
  /** The barcode as it will be recorded (trimmed). */
  barcode: string;
  previous?: { gate: string; at: string };
  /** Words for staff on an admission that needs a look (attention flags: ID check, wristband …). */
  attention?: string;
}

export const MAX_BARCODE_LENGTH = 256;
// Control characters and line breaks never occur in a real barcode; a stray keystroke sequence does.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function isPlausibleBarcode(barcode: string): boolean {
  return barcode.length > 0 && barcode.length <= MAX_BARCODE_LENGTH && !CONTROL.test(barcode);
}

export function formatTime(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString('en-GB', {
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone,
  });
}

export function formatDate(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // Assembled from parts: ICU versions disagree on the punctuation between them.
  const parts = new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone,
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}`;
}

export type Presence =
  | { state: 'never' }
  | { state: 'inside'; since: ScanRecord }
  | { state: 'outside'; lastAdmission: ScanRecord };

/**
 * Admissions and exits that count, in the history's order: denials, annulments and annulled records
 * left out. The order is kept, never re-sorted by the wall-clock `at`: clocks jump (a PC set back an
 * hour would otherwise let a ticket that went in and out back in again and again).
 */
export function effectiveMovements(history: readonly ScanRecord[]): ScanRecord[] {
  const annulled = new Set(
    history.flatMap((scan) => (scan.kind === 'annul' && scan.annuls ? [scan.annuls] : [])),
  );
  return history.filter((scan) => scan.result === 'admit' && scan.kind !== 'annul' && !annulled.has(scan.id));
}

/** Where the ticket holder is, from the history at any gate (in the store's order). */
export function presenceOf(history: readonly ScanRecord[]): Presence {
  let presence: Presence = { state: 'never' };
  for (const scan of effectiveMovements(history)) {
    switch (scan.direction) {
      case 'in':
        // A second admission while inside keeps the first: that is the one the door person needs.
        if (presence.state !== 'inside') presence = { state: 'inside', since: scan };
        break;
      case 'out':
        if (presence.state === 'inside') presence = { state: 'outside', lastAdmission: presence.since };
        break;
      default: {
        const impossible: never = scan.direction;
        throw new Error(`unknown direction ${String(impossible)}`);
      }
    }
  }
  return presence;
}

function eventLabel(eventId: string, event: EventInfo | null, timeZone?: string): string {
  const name = event?.name ?? `event ${eventId}`;
  return event?.startDate ? `${name} on ${formatDayDateTime(event.startDate, timeZone)}` : name;
}

function typeIsAllowed(ticket: TicketState, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.some(
    (type) =>
      type === ticket.ticketTypeId || (ticket.ticketTypeName !== null && type === ticket.ticketTypeName),
  );
}

/** Every matching rule's text, in the rules' order: ticket type name and tags, the event's tags. */
export function attentionFor(
  ticket: TicketState,
  event: EventInfo | null,
  rules: readonly AttentionRule[] | undefined,
): string | undefined {
  if (!rules || rules.length === 0) return undefined;
  const typeTags = event?.ticketTypes.find((type) => type.id === ticket.ticketTypeId)?.tags ?? [];
  const words = [
    ticket.ticketTypeName ?? '',
    ...(ticket.ticketTypeTags ?? []),
    ...typeTags,
    ...(event?.tags ?? []),
  ].map((word) => word.toLowerCase());
  const texts = rules
    .filter((rule) => words.some((word) => word.includes(rule.match.toLowerCase())))
    .map((rule) => rule.text);
  return texts.length > 0 ? [...new Set(texts)].join(' · ') : undefined;
}

/** A multi-day ticket counts only today's movements: everyone inside when the day starts has left. */
function countingHistory(input: RuleInput): { history: readonly ScanRecord[]; isDaily: boolean } {
  if (!input.event || !isMultiDay(input.event)) return { history: input.history, isDaily: false };
  const dayStart = dayStartOf(input.now, input.settings.dayStarts ?? DEFAULT_DAY_STARTS, input.timeZone);
  const since = dayStart.getTime();
  return { history: input.history.filter((scan) => Date.parse(scan.at) >= since), isDaily: true };
}

function alreadyAdmitted(
  base: Omit<Decision, 'result' | 'reason' | 'message'>,
  admission: ScanRecord,
  timeZone: string | undefined,
  detail: { isDaily: boolean; suffix?: string },
): Decision {
  const when = detail.isDaily ? ' today' : '';
  return {
    ...base,
    result: 'deny',
    reason: 'already_admitted',
    message: `Already admitted${when} at ${admission.gate} at ${formatTime(admission.at, timeZone)}${detail.suffix ?? ''}`,
    previous: { gate: admission.gate, at: admission.at },
  };
}

export function decide(input: RuleInput): Decision {
  const barcode = input.barcode.trim();
  const direction: Direction = input.direction ?? (input.settings.mode === 'exit' ? 'out' : 'in');
  const base = { barcode, direction };
  const deny = (reason: DecisionReason, message: string): Decision => ({
    ...base,
    result: 'deny',
    reason,
    message,
  });
  const { ticket, event, settings, timeZone } = input;

  if (!isPlausibleBarcode(barcode)) return deny('malformed', 'Not a ticket barcode; scan again');
  if (settings.events.length === 0) return deny('no_event_selected', 'No event selected for this gate');
  if (!ticket) {
    // The index only ever names another night; it never admits, and never speaks for our own events.
    const other = input.otherEvent;
    if (other && !settings.events.includes(other.eventId)) {
      return deny('wrong_event', `Ticket is for ${eventLabel(other.eventId, other.event, timeZone)}`);
    }
    return deny('unknown_barcode', 'Unknown ticket: not in the list for this gate');
  }

  switch (direction) {
    case 'out':
      // Letting someone out never depends on the ticket, the date, or what this gate saw come in.
      return { ...base, result: 'admit', reason: 'exited', message: 'Exit recorded' };
    case 'in':
      break;
    default: {
      const impossible: never = direction;
      throw new Error(`unknown direction ${String(impossible)}`);
    }
  }
  const label = eventLabel(ticket.eventId, event, timeZone);
  if (!settings.events.includes(ticket.eventId)) return deny('wrong_event', `Ticket is for ${label}`);
  if (event?.isCancelled) return deny('event_cancelled', `Event cancelled: ${label}`);
  if (!ticket.valid) {
    return deny('not_valid', notValidMessage(ticket.cause, ticket.changedAt, timeZone));
  }
  if (!typeIsAllowed(ticket, settings.ticketTypes)) {
    return deny(
      'wrong_ticket_type',
      `Ticket type ${ticket.ticketTypeName ?? ticket.ticketTypeId ?? '(none)'} is not admitted at this gate`,
    );
  }
  const window = event ? admissionWindow(event, settings.dateWindow) : null;
  if (window && input.now < window.opensAt) {
    return deny(
      'too_early',
      `Too early for ${label}: entry opens ${formatDayDateTime(window.opensAt, timeZone)}`,
    );
  }
  if (window && input.now > window.closesAt) {
    return deny(
      'too_late',
      `Too late for ${label}: entry closed ${formatDayDateTime(window.closesAt, timeZone)}`,
    );
  }

  const { history, isDaily } = countingHistory(input);
  const presence = presenceOf(history);
  let admission: Decision;
  switch (presence.state) {
    case 'never':
      admission = { ...base, result: 'admit', reason: 'admitted', message: 'Admitted' };
      break;
    case 'inside':
      return alreadyAdmitted(base, presence.since, timeZone, { isDaily });
    case 'outside':
      if (settings.reentry !== 'after_exit')
        return alreadyAdmitted(base, presence.lastAdmission, timeZone, { isDaily, suffix: ' (no re-entry)' });
      admission = { ...base, result: 'admit', reason: 'readmitted', message: 'Re-admitted after exit' };
      break;
    default: {
      const impossible: never = presence;
      throw new Error(`unknown presence ${JSON.stringify(impossible)}`);
    }
  }
  const capacity = settings.capacity ?? null;
  const inside = input.insideCount ?? 0;
  if (capacity !== null && inside >= capacity) {
    return deny('capacity_reached', `Venue full: ${inside} inside, capacity ${capacity}`);
  }
  const attention = attentionFor(ticket, event, settings.attention);
  return attention === undefined ? admission : { ...admission, attention };
}
