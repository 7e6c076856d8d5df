/**
 * The admission rules: a pure function of (ticket state, scan history, gate settings, now). No I/O,
 * no clock, no database: the engine gathers the facts, this decides. Reason codes are pinned in
 * shared/scans.ts; messages are what a door person reads at a glance.
 */
import { notValidMessage } from '../../shared/messages.js';
import type { DecisionReason, Direction, ScanRecord } from '../../shared/scans.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';

export interface RuleSettings {
  events: readonly string[];
  ticketTypes: readonly string[];
  mode: 'entry' | 'exit';
  reentry: 'never' | 'after_exit';
}

export interface RuleInput {
  barcode: string;
  /** Explicit direction of the scan; when absent the gate's mode decides. */
  direction?: Direction;
  ticket: TicketState | null;
  /** The ticket's event, when known (for wrong-event messages). */
  event: EventInfo | null;
  /** Every record of this barcode known to this gate, from any gate, in any order. */
  history: readonly ScanRecord[];
  settings: RuleSettings;
  now: Date;
  /** IANA zone for the times in messages; the gate machine's own zone when absent. */
  timeZone?: string;
}

export interface Decision {
  result: 'admit' | 'deny';
  reason: DecisionReason;
  message: string;
  direction: Direction;
  /** The barcode as it will be recorded (trimmed). */
  barcode: string;
  previous?: { gate: string; at: string };
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

/** Admissions and exits that count, in time order: denials, annulments and annulled records left out. */
export function effectiveMovements(history: readonly ScanRecord[]): ScanRecord[] {
  const annulled = new Set(
    history.flatMap((scan) => (scan.kind === 'annul' && scan.annuls ? [scan.annuls] : [])),
  );
  return history
    .filter((scan) => scan.result === 'admit' && scan.kind !== 'annul' && !annulled.has(scan.id))
    .sort((a, b) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at < b.at ? -1 : 1));
}

/** Where the ticket holder is, from the history at any gate. */
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

function eventLabel(ticket: TicketState, event: EventInfo | null, timeZone?: string): string {
  const name = event?.name ?? `event ${ticket.eventId}`;
  return event?.startDate ? `${name} on ${formatDate(event.startDate, timeZone)}` : name;
}

function typeIsAllowed(ticket: TicketState, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.some(
    (type) =>
      type === ticket.ticketTypeId || (ticket.ticketTypeName !== null && type === ticket.ticketTypeName),
  );
}

function alreadyAdmitted(
  base: Omit<Decision, 'result' | 'reason' | 'message'>,
  admission: ScanRecord,
  timeZone: string | undefined,
  suffix = '',
): Decision {
  return {
    ...base,
    result: 'deny',
    reason: 'already_admitted',
    message: `Already admitted at ${admission.gate} at ${formatTime(admission.at, timeZone)}${suffix}`,
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
  const { ticket, settings, timeZone } = input;

  if (!isPlausibleBarcode(barcode)) return deny('malformed', 'Not a ticket barcode; scan again');
  if (settings.events.length === 0) return deny('no_event_selected', 'No event selected for this gate');
  if (!ticket) return deny('unknown_barcode', 'Unknown ticket: not in the list for this gate');
  const presence = presenceOf(input.history);

  switch (direction) {
    case 'out':
      // Letting someone out never depends on the ticket still being valid.
      return presence.state === 'inside'
        ? { ...base, result: 'admit', reason: 'exited', message: 'Exit recorded' }
        : deny('not_inside', 'Ticket is not inside: no admission to exit from');
    case 'in':
      break;
    default: {
      const impossible: never = direction;
      throw new Error(`unknown direction ${String(impossible)}`);
    }
  }
  if (!settings.events.includes(ticket.eventId)) {
    return deny('wrong_event', `Ticket is for ${eventLabel(ticket, input.event, timeZone)}`);
  }
  if (!ticket.valid) {
    return deny('not_valid', notValidMessage(ticket.cause, ticket.changedAt, timeZone));
  }
  if (!typeIsAllowed(ticket, settings.ticketTypes)) {
    return deny(
      'wrong_ticket_type',
      `Ticket type ${ticket.ticketTypeName ?? ticket.ticketTypeId ?? '(none)'} is not admitted at this gate`,
    );
  }
  switch (presence.state) {
    case 'never':
      return { ...base, result: 'admit', reason: 'admitted', message: 'Admitted' };
    case 'inside':
      return alreadyAdmitted(base, presence.since, timeZone);
    case 'outside':
      return settings.reentry === 'after_exit'
        ? { ...base, result: 'admit', reason: 'readmitted', message: 'Re-admitted after exit' }
        : alreadyAdmitted(base, presence.lastAdmission, timeZone, ' (no re-entry)');
    default: {
      const impossible: never = presence;
      throw new Error(`unknown presence ${JSON.stringify(impossible)}`);
    }
  }
}
