/**
 * WAL checkpoints off the engine's thread. SQLite's automatic checkpoint runs inside whichever commit
 * crosses the WAL size limit, copying thousands of pages back into the database file (and syncing
 * it): during bulk storage that is one commit in twenty taking ten times longer, and a scan waiting
 * behind it. So the engine's connection never checkpoints (wal_autocheckpoint = 0) and a worker
 * thread with its own connection runs PASSIVE checkpoints every few hundred milliseconds: those run
 * beside readers and writers without blocking either. A crash loses nothing: the WAL is the journal.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The worker's code, run with `eval` so it needs no file of its own (TypeScript tests, asar). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, workerData.binding ? { nativeBinding: workerData.binding } : {});
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Runs a last checkpoint and closes the worker's connection; settles once the thread has exited. */
  stop(): Promise<void>;
}

export function startCheckpointer(
  path: string,
  binding: string | undefined,
  onError: (message: string) => void,
  intervalMs = 250,
): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, binding, module, intervalMs } });
  worker.on('message', (message: { error?: unknown }) => {
    if (typeof message.error === 'string') onError(message.error);
  });
  worker.on('error', (error) => onError(error.message));
  // The checkpointer never keeps the process alive on its own.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      if (stopping) return stopping;
      // Waited for now, so it keeps the process alive until it has exited (else an await on it could
      // be the last thing pending: Node would exit 13, "unsettled top-level await").
      worker.ref();
      worker.postMessage('stop');
      // A checkpoint stuck on a lock must not hold up a shutdown: after 2 s the thread is ended.
      const timer = setTimeout(() => void worker.terminate(), 2_000);
      timer.unref();
      stopping = exited.then(() => clearTimeout(timer));
      return stopping;
    },
  };
}
