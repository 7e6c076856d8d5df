/**
 * Conflict detection, pure: two admissions of one barcode at different gates, neither annulled, with
 * no exit between them. That only happens when gates decided apart (offline); staff must know.
 * A later manual admission is a deliberate override, not a conflict. For an event over several days,
 * everyone inside when a day starts counts as having left: admissions on different days never clash.
 */
import type { ScanRecord } from '../../shared/scans.js';
import { effectiveMovements } from './rules.js';

export interface ConflictPair {
  id: string;
  barcode: string;
  eventId: string | null;
  scans: [ScanRecord, ScanRecord];
}

/** The start of the door day a scan belongs to (ms), for multi-day events. */
export type DayOf = (scan: ScanRecord) => number;

/** `history` in the store's order (see rules.ts effectiveMovements): the first of a pair came first. */
export function findConflicts(history: readonly ScanRecord[], dayOf?: DayOf | null): ConflictPair[] {
  const pairs: ConflictPair[] = [];
  let inside: ScanRecord | null = null;
  for (const scan of effectiveMovements(history)) {
    if (scan.direction === 'out') {
      inside = null;
      continue;
    }
    if (inside !== null && dayOf && dayOf(inside) !== dayOf(scan)) inside = null;
    if (inside === null) {
      inside = scan;
      continue;
    }
    if (inside.gate !== scan.gate && scan.kind !== 'manual') {
      pairs.push({
        id: [inside.id, scan.id].sort().join('+'),
        barcode: scan.barcode,
        eventId: scan.eventId ?? inside.eventId,
        scans: [inside, scan],
      });
    }
  }
  return pairs;
}
