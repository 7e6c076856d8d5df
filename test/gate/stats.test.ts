/**
 * The night's counters are computed from lean rows (no schema parse per row, which cost half a
 * second at 20,000 scans and blocked the gate on every refresh). Property: on any history of
 * admissions, exits, re-admissions, manual admits, denials and annulments at several gates, in a
 * real SQLite store, they equal the counts `presenceOf` (the admission rules' own replay) gives.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { presenceOf } from '../../electron/gate/rules.js';
import { GateStore } from '../../electron/gate/store/index.js';
import { stats } from '../../electron/gate/views.js';
import type { ScanRecord } from '../../shared/scans.js';
import { makeTempDir } from '../relay/support.js';
import { scanRecord } from './fixtures.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const NOW = new Date('2026-11-27T12:00:00.000Z');

const step = fc.record({
  barcode: fc.constantFrom('A', 'B', 'C', 'D'),
  event: fc.constantFrom('E1', 'E2'),
  gate: fc.constantFrom('Gate 1', 'Gate 2'),
  action: fc.constantFrom('in', 'out', 'manual', 'deny', 'annul-last'),
});

function reference(history: readonly ScanRecord[]) {
  const byBarcode = new Map<string, ScanRecord[]>();
  for (const scan of history) byBarcode.set(scan.barcode, [...(byBarcode.get(scan.barcode) ?? []), scan]);
  const admitted = new Map<string, number>();
  let inside = 0;
  for (const scans of byBarcode.values()) {
    const presence = presenceOf(scans);
    if (presence.state === 'never') continue;
    if (presence.state === 'inside') inside += 1;
    const admission = presence.state === 'inside' ? presence.since : presence.lastAdmission;
    admitted.set(admission.eventId ?? '(unknown)', (admitted.get(admission.eventId ?? '(unknown)') ?? 0) + 1);
  }
  return { inside, admitted: Object.fromEntries([...admitted].sort()) };
}

describe('night counters', () => {
  it('equal the admission rules’ own replay of every history', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const dir = makeTempDir();
        const store = new GateStore(`${dir.path}/gate.db`);
        try {
          const history: ScanRecord[] = [];
          steps.forEach((entry, index) => {
            const at = new Date(NOW.getTime() - (steps.length - index) * 1000).toISOString();
            const base = { barcode: entry.barcode, eventId: entry.event, gate: entry.gate, at };
            let scan: ScanRecord;
            if (entry.action === 'annul-last') {
              const target = [...history]
                .reverse()
                .find((candidate) => candidate.result === 'admit' && candidate.kind !== 'annul');
              if (!target) return;
              scan = scanRecord({
                ...base,
                barcode: target.barcode,
                kind: 'annul',
                reason: 'annulled',
                result: 'deny',
                annuls: target.id,
              });
            } else if (entry.action === 'deny') {
              scan = scanRecord({ ...base, result: 'deny', reason: 'already_admitted' });
            } else if (entry.action === 'manual') {
              scan = scanRecord({ ...base, kind: 'manual', reason: 'manual_admit', note: 'by hand' });
            } else {
              scan = scanRecord({
                ...base,
                direction: entry.action,
                reason: entry.action === 'in' ? 'admitted' : 'exited',
              });
            }
            history.push(scan);
            store.scans.insert(scan, { isLocal: false, isUploaded: true, relaySeq: index + 1 });
          });
          const counted = stats(store, NOW, null);
          const expected = reference(history);
          expect(counted.insideNow).toBe(expected.inside);
          expect(
            Object.fromEntries(counted.admittedTonight.map((row) => [row.eventId, row.count]).sort()),
          ).toEqual(expected.admitted);
          expect(counted.admittedTonight.reduce((sum, row) => sum + row.inside, 0)).toBe(expected.inside);
        } finally {
          store.close();
          dir.remove();
        }
      }),
      { numRuns: 150 },
    );
  });
});
