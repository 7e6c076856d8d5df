/**
 * The writer worker: owns one write connection to the relay database and runs group commits there.
 * Committed entries are posted before the results of the writes that made them, so the main thread
 * announces entries before any caller learns its write succeeded.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.js';
import { prepareQueries } from './queries.js';
import { InlineWriter, type WorkerMessage } from './writer.js';
import type { WriteOp } from './write-ops.js';

const port = parentPort;
if (!port) throw new Error('writer-worker must run as a worker thread');
const { path } = workerData as { path: string };
const db = openDatabase(path);
const post = (message: WorkerMessage) => port.postMessage(message);
const writer = new InlineWriter(prepareQueries(db), db, (entries) => post({ type: 'entries', entries }));

port.on('message', (message: { type: 'write'; id: number; op: WriteOp } | { type: 'close' }) => {
  if (message.type === 'close') {
    void writer.close().then(() => {
      db.close();
      post({ type: 'closed' });
      port.close();
    });
    return;
  }
  writer.write(message.op).then(
    (value) => post({ type: 'result', id: message.id, value }),
    (error: unknown) => post({ type: 'result', id: message.id, error: (error as Error).message }),
  );
});
