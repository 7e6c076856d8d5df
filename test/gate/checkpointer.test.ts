/**
 * The gate's WAL checkpointer (electron/gate/store/checkpointer.ts) on a real SQLite file in WAL
 * mode: it copies the WAL into the database file on its own thread, but holds off while the door is
 * busy (a checkpoint's sync of the database file would hold up a scan's sync), unless the WAL has
 * grown past its limit. Watched through the database file's size: pages reach it only by checkpoint.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer, type Checkpointer } from '../../electron/gate/store/checkpointer.js';
import { makeTempDir, waitFor, type TempDir } from '../relay/support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function database(): { path: string; db: Database.Database; write(rows: number): void } {
  const dir: TempDir = makeTempDir('gatehouse-checkpoint-');
  cleanups.push(() => dir.remove());
  const path = join(dir.path, 'gate.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  cleanups.push(() => {
    db.close();
  });
  const insert = db.prepare('INSERT INTO filler (text) VALUES (?)');
  return {
    path,
    db,
    write: (rows) =>
      db.transaction(() => {
        for (let row = 0; row < rows; row += 1) insert.run('x'.repeat(500));
      })(),
  };
}

function start(path: string, options: Parameters<typeof startCheckpointer>[3]): Checkpointer {
  const problems: string[] = [];
  const checkpointer = startCheckpointer(path, undefined, (problem) => problems.push(problem), options);
  cleanups.push(async () => {
    await checkpointer.stop();
    expect(problems).toEqual([]);
  });
  return checkpointer;
}

const size = (path: string) => statSync(path).size;

describe('WAL checkpointer', () => {
  it('copies the WAL into the database file while the door is quiet', async () => {
    const { path, write } = database();
    start(path, { intervalMs: 20 });
    const before = size(path);
    write(2_000);
    await waitFor(() => size(path) > before + 500_000);
  });

  it('holds off while scans come in, and checkpoints once the door is quiet again', async () => {
    const { path, write } = database();
    // Quiet comes 1.5 s after the scan: a slow machine still sees the busy window it is asked about.
    const checkpointer = start(path, { intervalMs: 20, quietMs: 1_500 });
    checkpointer.doorActivity();
    const before = size(path);
    write(2_000);
    // Ten checkpoint intervals while busy: the pages stay in the WAL.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(size(path)).toBe(before);
    await waitFor(() => size(path) > before + 500_000);
  });

  it('checkpoints a busy door once the WAL passes its limit', async () => {
    const { path, write } = database();
    const checkpointer = start(path, { intervalMs: 20, quietMs: 60_000, busyWalLimit: 256 * 1024 });
    checkpointer.doorActivity();
    const before = size(path);
    write(2_000);
    await waitFor(() => size(path) > before + 500_000);
  });

  it('stopped before its thread has started, never opens the database (a folder being deleted stays gone)', async () => {
    const dir = makeTempDir('gatehouse-checkpoint-');
    cleanups.push(() => dir.remove());
    const path = join(dir.path, 'gate.db');
    // stop() is asked for in the same turn as the start, before the thread can have opened anything:
    // opening a path that is not there would create the file.
    await start(path, {}).stop();
    expect(existsSync(path)).toBe(false);
  });
});
