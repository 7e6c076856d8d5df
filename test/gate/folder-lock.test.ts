/**
 * One gate per data folder (electron/gate/store/folder-lock.ts), with real headless gate processes
 * on a real data folder: a second gate on it is refused with a clear message, a gate killed with -9
 * leaves no stale lock, and `gatehouse gate report` beside a running gate only reads: the gate's
 * decision journal (decisions on disk before their unsynced row) is left to the gate. Before the
 * lock, a second gate started, and a report emptied the running gate's journal.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGate } from '../../electron/gate/index.js';
import { makeTempDir, runGatehouse, runUntilExit, type TempDir } from '../relay/support.js';
import { startGateProcess, type GateProcess } from './support.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function folder(): TempDir {
  const dir = makeTempDir('gatehouse-lock-');
  cleanups.push(() => dir.remove());
  return dir;
}

// No --event: the report then counts every decision, unknown barcodes included.
const gateFlags = (dir: TempDir) => ['--data', dir.path, '--listen', '127.0.0.1:0', '--name', 'Gate 1'];

async function gateProcess(dir: TempDir): Promise<GateProcess> {
  const gate = await startGateProcess(gateFlags(dir));
  cleanups.push(() => gate.kill());
  return gate;
}

describe('one gate per data folder', () => {
  it('refuses a second gate on the folder, naming it; a gate killed with -9 leaves no stale lock', async () => {
    const dir = folder();
    const first = await gateProcess(dir);
    const second = await runUntilExit(['gate', ...gateFlags(dir), '--log-level', 'warn']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`another gate is running on the data folder ${dir.path}`);
    // The first gate never noticed.
    expect((await first.value('status')).gate).toBe('Gate 1');
    await first.kill();
    const next = await gateProcess(dir);
    expect((await next.value('status')).gate).toBe('Gate 1');
  });

  it('holds between engines of one process, until stop', async () => {
    const dir = folder();
    const engine = await startGate({ dataDir: dir.path, settings: { gateName: 'Gate 1' } });
    await expect(startGate({ dataDir: dir.path, settings: { gateName: 'Gate 2' } })).rejects.toThrow(
      'another gate is running on the data folder',
    );
    await engine.stop();
    const again = await startGate({ dataDir: dir.path, settings: { gateName: 'Gate 1' } });
    await again.stop();
  });

  it('a report beside a running gate reads every decision and leaves the gate its journal', async () => {
    const dir = folder();
    const gate = await gateProcess(dir);
    const journal = join(dir.path, 'gate.db-decisions');
    for (let index = 0; index < 20; index += 1) await gate.value('scan', { barcode: `UNKNOWN-${index}` });
    // The door stays busy (a scan every 300 ms), so the gate itself keeps its journal all along.
    let isBusy = true;
    const door = (async () => {
      for (let index = 20; isBusy; index += 1) {
        await gate.value('scan', { barcode: `UNKNOWN-${index}` });
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    const before = statSync(journal).size;
    expect(before).toBeGreaterThan(0);
    const report = await runGatehouse(['gate', 'report', '--data', dir.path]);
    const after = statSync(journal).size;
    isBusy = false;
    await door;
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const figures = JSON.parse(report.stdout) as { deniedByReason: Record<string, number> };
    expect(
      Object.values(figures.deniedByReason).reduce((sum, count) => sum + count, 0),
    ).toBeGreaterThanOrEqual(20);
    // Only grown by the gate's own scans meanwhile; a report that emptied it would leave it shorter.
    expect(after).toBeGreaterThanOrEqual(before);
    // Stopped, the gate syncs and empties its journal; a report then opens the folder as its owner.
    expect(await gate.stop()).toBe(0);
    expect(statSync(journal).size).toBe(0);
    const stopped = await runGatehouse(['gate', 'report', '--data', dir.path]);
    expect(stopped.code).toBe(0);
  });
});
