/**
 * The decision journal (electron/gate/store/decision-journal.ts): a decision made at this door is on
 * disk in a small synced file before the database stores it without waiting for fsync, so a power cut
 * that takes the database's last commits back never takes a decision with it. A power cut is
 * reproduced with real files: the database as it was on disk before the last decisions (copied
 * aside), plus the journal as it was at the cut.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GateStore } from '../../electron/gate/store/index.js';
import { makeTempDir, waitFor } from '../relay/support.js';
import { scanRecord } from './fixtures.js';

let dir: ReturnType<typeof makeTempDir>;
const opened: GateStore[] = [];
const open = (name: string) => {
  mkdirSync(join(dir.path, name), { recursive: true });
  const store = new GateStore(join(dir.path, name, 'gate.db'));
  opened.push(store);
  return store;
};
/** The database files of `from` as they are on disk now, into folder `to`. */
const copyDatabase = (from: string, to: string) => {
  mkdirSync(join(dir.path, to), { recursive: true });
  for (const suffix of ['', '-wal'])
    if (existsSync(join(dir.path, from, `gate.db${suffix}`)))
      copyFileSync(join(dir.path, from, `gate.db${suffix}`), join(dir.path, to, `gate.db${suffix}`));
};
const copyJournal = (from: string, to: string) =>
  copyFileSync(join(dir.path, from, 'gate.db-decisions'), join(dir.path, to, 'gate.db-decisions'));

beforeEach(() => {
  dir = makeTempDir();
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.closeFully();
  dir.remove();
});

describe('decision journal', () => {
  it('stores again, in their order and once each, decisions a power cut took from the database', () => {
    const door = open('door');
    const first = scanRecord({ barcode: 'B1' });
    door.recordDecision(first);
    copyDatabase('door', 'after-cut'); // the disk holds the first decision's commit, not the later ones
    const exit = scanRecord({ barcode: 'B1', direction: 'out' });
    const again = scanRecord({ barcode: 'B1', result: 'deny', reason: 'already_admitted' });
    door.recordDecision(exit);
    door.recordDecision(again);
    expect(door.journalBytes()).toBeGreaterThan(0);
    copyJournal('door', 'after-cut');

    const restarted = open('after-cut');
    expect(restarted.scans.history('B1').map((scan) => scan.id)).toEqual([first.id, exit.id, again.id]);
    // All three still go to the relay, in the order they were made.
    expect(restarted.scans.pending(10).map((scan) => scan.id)).toEqual([first.id, exit.id, again.id]);
    expect(restarted.journalBytes()).toBe(0);
    expect(readFileSync(join(dir.path, 'after-cut', 'gate.db-decisions'), 'utf8')).toBe('');
  });

  it('leaves a decision the database kept as it was, upload mark included', () => {
    const door = open('door');
    const scan = scanRecord({ barcode: 'B2' });
    door.recordDecision(scan);
    door.replayableTransaction(() => door.scans.markUploaded(scan.id, 41));
    copyDatabase('door', 'after-crash');
    copyJournal('door', 'after-crash');

    const restarted = open('after-crash');
    expect(restarted.scans.history('B2')).toHaveLength(1);
    expect(restarted.scans.pendingCount()).toBe(0);
  });

  it('skips a line torn by a cut mid-write (never acknowledged) and stores the others', () => {
    const door = open('door');
    const kept = scanRecord({ barcode: 'B3' });
    door.recordDecision(kept);
    mkdirSync(join(dir.path, 'torn'));
    copyJournal('door', 'torn');
    const torn = JSON.stringify(scanRecord({ barcode: 'B3' }));
    appendFileSync(join(dir.path, 'torn', 'gate.db-decisions'), torn.slice(0, torn.length / 2));

    const restarted = open('torn');
    expect(restarted.scans.history('B3').map((scan) => scan.id)).toEqual([kept.id]);
    expect(restarted.journalBytes()).toBe(0);
  });

  it('is emptied at close, and once the door has been quiet for a few seconds', async () => {
    const door = open('door');
    door.recordDecision(scanRecord({ barcode: 'B4' }));
    const journal = join(dir.path, 'door', 'gate.db-decisions');
    expect(statSync(journal).size).toBeGreaterThan(0);
    await waitFor(() => statSync(journal).size === 0, {
      timeoutMs: 8_000,
      message: 'the journal emptied once the door was quiet',
    });
    door.recordDecision(scanRecord({ barcode: 'B5' }));
    expect(statSync(journal).size).toBeGreaterThan(0);
    door.close();
    expect(statSync(journal).size).toBe(0);
    // Closed cleanly: both decisions are in the database itself.
    const reopened = open('door');
    expect(reopened.scans.pendingCount()).toBe(2);
  });

  it('keeps the journal private (0600): its lines hold barcodes', () => {
    open('door').recordDecision(scanRecord());
    expect(statSync(join(dir.path, 'door', 'gate.db-decisions')).mode & 0o777).toBe(0o600);
  });
});
