/**
 * The night's counters are computed from lean rows (no schema parse per row, which cost half a
 * second at 20,000 scans and blocked the gate on every refresh). Property: on any history of
 * admissions, exits, re-admissions, manual admits, denials and annulments at several gates, in a
 * real SQLite store, they equal the counts `presenceOf` (the admission rules' own replay) gives.
 * Like the rules, they follow the order of the log (relay seq, then this gate's own sequence), never
 * the wall-clock `at` a gate wrote, which jumps when its clock is set back.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { InsideCount } from '../../electron/gate/inside-count.js';
import { nightReport } from '../../electron/gate/report.js';
import { presenceOf } from '../../electron/gate/rules.js';
import { GateStore } from '../../electron/gate/store/index.js';
import { stats } from '../../electron/gate/views.js';
import type { ScanRecord } from '../../shared/scans.js';
import { makeTempDir } from '../relay/support.js';
import { scanRecord } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
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

  it('follow the order of the log, not the wall clock, when a gate’s clock went back between in and out', () => {
    const dir = makeTempDir();
    const store = new GateStore(`${dir.path}/gate.db`);
    cleanups.push(() => dir.remove());
    cleanups.push(() => store.closeFully());
    const night = new Date('2026-11-27T21:30:00.000Z');
    const at = (time: string) => `2026-11-27T${time}:00.000Z`;
    const counts = () => ({
      stats: stats(store, night, null).insideNow,
      // A fresh count is rebuilt from the day's scans, as after a restart or at the start of a day.
      capacity: new InsideCount(store).count(night, '06:00', 'UTC'),
    });
    // This gate's own decisions, as the engine records them: in at 21:00, then out after its clock
    // went back an hour, so the exit carries the earlier time.
    const mine = (barcode: string, direction: 'in' | 'out', time: string) =>
      scanRecord({
        barcode,
        gate: 'Gate 1',
        direction,
        reason: direction === 'in' ? 'admitted' : 'exited',
        at: at(time),
      });
    const ownIn = mine('OWN', 'in', '21:00');
    const ownOut = mine('OWN', 'out', '20:00');
    for (const scan of [ownIn, ownOut]) {
      store.scans.insert(scan, { isLocal: true, isUploaded: false, relaySeq: null });
    }
    expect(counts()).toEqual({ stats: 0, capacity: 0 });
    // Once uploaded, they carry relay seqs in the same order.
    store.scans.markUploaded(ownIn.id, 1);
    store.scans.markUploaded(ownOut.id, 2);
    expect(counts()).toEqual({ stats: 0, capacity: 0 });
    // Another gate whose clock went back: its entry and exit arrive from the relay in log order.
    const theirs = (direction: 'in' | 'out', time: string) =>
      scanRecord({
        barcode: 'THEIRS',
        gate: 'Gate 2',
        direction,
        reason: direction === 'in' ? 'admitted' : 'exited',
        at: at(time),
      });
    store.scans.insert(theirs('in', '21:10'), { isLocal: false, isUploaded: true, relaySeq: 3 });
    store.scans.insert(theirs('out', '20:10'), { isLocal: false, isUploaded: true, relaySeq: 4 });
    expect(counts()).toEqual({ stats: 0, capacity: 0 });
    // And the other way round: out then back in, with the entry's clock behind, leaves one inside.
    store.scans.insert(theirs('in', '20:05'), { isLocal: false, isUploaded: true, relaySeq: 5 });
    expect(counts()).toEqual({ stats: 1, capacity: 1 });
  });
  it('give the night report’s peak inside in the order of the log, not the wall clock', () => {
    const dir = makeTempDir();
    const store = new GateStore(`${dir.path}/gate.db`);
    cleanups.push(() => dir.remove());
    cleanups.push(() => store.closeFully());
    const move = (barcode: string, direction: 'in' | 'out', time: string, seq: number) =>
      store.scans.insert(
        scanRecord({
          barcode,
          direction,
          reason: direction === 'in' ? 'admitted' : 'exited',
          at: `2026-11-27T${time}:00.000Z`,
        }),
        { isLocal: false, isUploaded: true, relaySeq: seq },
      );
    // A in, A out after the gate's clock went back an hour, then B in: never two inside at once.
    move('A', 'in', '21:00', 1);
    move('A', 'out', '20:00', 2);
    move('B', 'in', '20:30', 3);
    expect(nightReport(store, { gateEvents: [] }).peakInside.count).toBe(1);
  });
});
