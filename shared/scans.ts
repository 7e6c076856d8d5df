/**
 * Scan records and decision reasons. A scan record is written at the gate (with a UUID) before the
 * turnstile opens, uploaded to the relay, deduplicated there by id, and fanned out to other gates.
 */
import { z } from 'zod';

/** Pinned reason codes of an admission decision. */
export const DECISION_REASONS = [
  'admitted',
  'readmitted',
  'exited',
  'unknown_barcode',
  'not_valid',
  'wrong_event',
  'wrong_ticket_type',
  'already_admitted',
  /** Kept so old records still parse: exits always pass now, so no gate produces it. */
  'not_inside',
  'no_event_selected',
  'malformed',
  'too_early',
  'too_late',
  'capacity_reached',
  'event_cancelled',
] as const;
export const decisionReasonSchema = z.enum(DECISION_REASONS);
export type DecisionReason = z.infer<typeof decisionReasonSchema>;

/** Reasons of staff actions recorded like scans (manual admit, annulment, conflict review). */
export const MANUAL_REASONS = ['manual_admit', 'annulled', 'reviewed'] as const;
export const scanReasonSchema = z.enum([...DECISION_REASONS, ...MANUAL_REASONS]);
export type ScanReason = z.infer<typeof scanReasonSchema>;

export const directionSchema = z.enum(['in', 'out']);
export type Direction = z.infer<typeof directionSchema>;

/**
 * `review` records that staff reviewed a conflict (two admissions of one ticket at different gates):
 * result `deny`, so it never counts as a movement, and `conflict` names the conflict it closes. It is
 * uploaded and fanned out like any scan, so every gate of the event counts it out of its badge.
 */
export const scanKindSchema = z.enum(['scan', 'manual', 'annul', 'review']);
export type ScanKind = z.infer<typeof scanKindSchema>;

export const scanRecordSchema = z.object({
  id: z.uuid(),
  barcode: z.string().max(256),
  /** The event of the ticket, when the barcode is known; null otherwise. */
  eventId: z.string().nullable(),
  gate: z.string().min(1).max(100),
  /** ISO-8601 time at the gate. */
  at: z.string(),
  direction: directionSchema,
  result: z.enum(['admit', 'deny']),
  reason: scanReasonSchema,
  kind: scanKindSchema,
  /** Staff reason of a manual admit or annulment. */
  note: z.string().max(500).nullable(),
  /** For kind `annul`: the id of the admission it takes back. */
  annuls: z.uuid().nullable(),
  /** For kind `review`: the id of the conflict reviewed (its two admission ids, sorted, joined by `+`). */
  conflict: z.string().max(100).optional(),
});
export type ScanRecord = z.infer<typeof scanRecordSchema>;

/** Whether a barcode passed the gate inwards, outwards, or neither, by this record. */
export function movementOf(scan: ScanRecord): 'in' | 'out' | null {
  if (scan.result !== 'admit' || scan.kind === 'annul') return null;
  return scan.direction;
}
