/** Turns a scan result into what the door person sees: colour, words and an icon, never colour alone. */
import type { ScanResult } from '../../../shared/gate-api.js';
import type { ScanReason } from '../../../shared/scans.js';

export type Verdict = 'admit' | 'deny' | 'attention';

export const REASON_WORDS: Record<ScanReason, string> = {
  admitted: 'Admitted',
  readmitted: 'Re-entry',
  exited: 'Exit recorded',
  unknown_barcode: 'Unknown ticket',
  not_valid: 'Ticket not valid',
  wrong_event: 'Wrong event',
  wrong_ticket_type: 'Ticket type not allowed here',
  already_admitted: 'Already admitted',
  not_inside: 'Not inside — no entry on record',
  no_event_selected: 'No event selected — open Settings',
  malformed: 'Unreadable barcode',
  too_early: 'Too early — not open yet for this event',
  too_late: 'Too late — this event is over',
  capacity_reached: 'Venue full — no entry until someone leaves',
  event_cancelled: 'Event cancelled',
  manual_admit: 'Manual admit',
  annulled: 'Admission annulled',
  reviewed: 'Conflict reviewed',
};

/** Words for a reason code; a code this build does not know yet is shown as it is. */
export function reasonWords(reason: string): string {
  return (REASON_WORDS as Record<string, string>)[reason] ?? reason.replaceAll('_', ' ');
}

/**
 * The big line of a decision. A ticket no longer valid says why in the engine's own words
 * ("Ticket refunded (order changed 21:04)", "Replaced by a newer ticket — ask for the new one").
 */
export function headline(result: ScanResult): string {
  return result.reason === 'not_valid' ? result.message : REASON_WORDS[result.reason];
}

export const VERDICT_LABEL: Record<Verdict, { title: string; icon: string }> = {
  admit: { title: 'ADMIT', icon: '✔' },
  deny: { title: 'DENY', icon: '✖' },
  attention: { title: 'CHECK', icon: '⚠' },
};

export function verdictOf(result: ScanResult): Verdict {
  if (result.result === 'deny') return 'deny';
  if (result.attention || result.reason === 'readmitted') return 'attention';
  return 'admit';
}

/** "19:42:10" in the gate's local time; the raw text when it is not a date. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

export function dateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${clockTime(iso)}`;
}
