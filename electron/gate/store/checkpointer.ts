/**
 * WAL checkpoints off the engine's thread. SQLite's automatic checkpoint runs inside whichever commit
 * crosses the WAL size limit, copying thousands of pages back into the database file (and syncing
 * it): during bulk storage that is one commit in twenty taking ten times longer, and a scan waiting
 * behind it. So the engine's connection never checkpoints (wal_autocheckpoint = 0) and a worker
 * thread with its own connection runs PASSIVE checkpoints every few hundred milliseconds: those run
 * beside readers and writers without blocking either. A crash loses nothing: the WAL is the journal.
 * While scans come in they wait (up to a WAL of 2 GB): a checkpoint writes the database file and
 * syncs it, and every other sync on the disk (a decision's journal line) then waits for that data to
 * land, 150–200 ms. Storing a newer 1M-ticket snapshot in the 3 ms slices of a busy door grew the WAL
 * to 1.1 GB, so a 512 MB limit still let a checkpoint run among the scans.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The worker's code, run with `eval` so it needs no file of its own (TypeScript tests, asar). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.module);
// [0]: when the door was last used (ms); [1]: 1 once stop() was asked for.
const shared = new Float64Array(workerData.activity);
if (shared[1] === 1) {
  // Stopped before this thread got going (it can take a second to start on a busy machine): the store
  // is closed, and its folder may be being deleted, so the database is not opened (that would create
  // its files again).
  parentPort.close();
} else {
  const db = new Database(workerData.path, workerData.binding ? { nativeBinding: workerData.binding } : {});
  const walBytes = () => {
    try {
      return statSync(workerData.path + '-wal').size;
    } catch {
      return 0;
    }
  };
  const checkpoint = (isFinal) => {
    // While the door is busy, hold off (up to a WAL size): a checkpoint writes and syncs the database
    // file, and a scan's own sync then waits for that data to reach the disk.
    const isBusy = Date.now() - shared[0] < workerData.quietMs;
    if (!isFinal && isBusy && walBytes() < workerData.busyWalLimit) return;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
    }
  };
  const timer = setInterval(() => checkpoint(false), workerData.intervalMs);
  parentPort.on('message', () => {
    clearInterval(timer);
    checkpoint(true);
    db.close();
    parentPort.close();
  });
}
`;

export interface Checkpointer {
  /** The door is in use (a scan): checkpoints wait for a quiet spell (see CheckpointerOptions). */
  doorActivity(): void;
  /** Runs a last checkpoint and closes the worker's connection; settles once the thread has exited. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  /** How long after the last scan the door counts as quiet again (ms). */
  quietMs?: number;
  /** While the door is busy, checkpoints still run once the WAL is this big (bytes). */
  busyWalLimit?: number;
}

export function startCheckpointer(
  path: string,
  binding: string | undefined,
  onError: (message: string) => void,
  { intervalMs = 250, quietMs = 3_000, busyWalLimit = 2 * 1024 * 1024 * 1024 }: CheckpointerOptions = {},
): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const activity = new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT);
  const shared = new Float64Array(activity);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, binding, module, intervalMs, quietMs, busyWalLimit, activity },
  });
  let stopping: Promise<void> | null = null;
  // Once stopped, the files may be gone (a closed store whose folder was removed): nothing to report.
  worker.on('message', (message: { error?: unknown }) => {
    if (typeof message.error === 'string' && !stopping) onError(message.error);
  });
  worker.on('error', (error) => {
    if (!stopping) onError(error.message);
  });
  // The checkpointer never keeps the process alive on its own.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    doorActivity() {
      shared[0] = Date.now();
    },
    stop() {
      if (stopping) return stopping;
      // Waited for now, so it keeps the process alive until it has exited (else an await on it could
      // be the last thing pending: Node would exit 13, "unsettled top-level await").
      worker.ref();
      shared[1] = 1;
      worker.postMessage('stop');
      // A checkpoint stuck on a lock must not hold up a shutdown: after 2 s the thread is ended.
      const timer = setTimeout(() => void worker.terminate(), 2_000);
      timer.unref();
      stopping = exited.then(() => clearTimeout(timer));
      return stopping;
    },
  };
}
