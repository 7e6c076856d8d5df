/**
 * Marking a conflict reviewed. The review is a scan record of kind `review` (result `deny`, so it
 * never moves anybody in or out) naming the conflict it closes. It is written like any decision,
 * uploaded like any scan, and the relay fans it out to the event's other gates, where it closes the
 * same conflict: conflict ids are the sorted ids of the two admissions, the same on every gate.
 */
import { randomUUID } from 'node:crypto';
import type { ScanRecord } from '../../shared/scans.js';
import type { Engine } from './engine.js';
import { ApiFailure } from './errors.js';

export function reviewConflict(engine: Engine, conflictId: string, note: string): ScanRecord {
  const conflict = engine.store.scans.conflicts().find((candidate) => candidate.id === conflictId);
  if (!conflict) throw new ApiFailure('not_found', `conflictId: no conflict ${conflictId}`);
  if (engine.store.scans.reviews().some((review) => review.conflict === conflictId)) {
    throw new ApiFailure('bad_request', 'conflictId: that conflict is already reviewed');
  }
  const review: ScanRecord = {
    id: randomUUID(),
    barcode: conflict.barcode,
    eventId: conflict.eventId,
    gate: engine.gateName(),
    at: engine.now().toISOString(),
    direction: 'in',
    result: 'deny',
    reason: 'reviewed',
    kind: 'review',
    note,
    annuls: null,
    conflict: conflictId,
  };
  engine.store.recordDecision(review);
  engine.sync.upload(review);
  engine.changed();
  return review;
}
