/**
 * The writer worker: owns one write connection to the relay database and runs group commits there
 * (InlineWriter, whole event-loop turns of the serving thread per batch). Committed entries and
 * applied deliveries are posted before the results of the writes that made them, so the main thread
 * announces entries before any caller learns its write succeeded; results go back one message per
 * batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.js';
import { prepareQueries } from './queries.js';
import { InlineWriter, type WorkerMessage, type WorkerRequest } from './writer.js';

const port = parentPort;
if (!port) throw new Error('writer-worker must run as a worker thread');
const { path } = workerData as { path: string };
const db = openDatabase(path);
const post = (message: WorkerMessage) => port.postMessage(message);
const writer = new InlineWriter(
  prepareQueries(db),
  db,
  {
    committed: (entries) => {
      if (entries.length > 0) post({ type: 'entries', entries });
    },
    applied: (deliveries) => post({ type: 'applied', deliveries }),
  },
  // A batch is already a whole turn of the serving thread: waiting for siblings only adds latency.
  { siblingWaitMs: 0 },
);

let results: Extract<WorkerMessage, { type: 'results' }>['results'] = [];
const sendResults = () => {
  const batch = results;
  results = [];
  if (batch.length > 0) post({ type: 'results', results: batch });
};
const answer = (result: (typeof results)[number]) => {
  // Every result of one commit settles in the same microtask run: send them together after it.
  if (results.length === 0) setImmediate(sendResults);
  results.push(result);
};

port.on('message', (message: WorkerRequest) => {
  if (message.type === 'close') {
    void writer.close().then(() => {
      sendResults();
      db.close();
      post({ type: 'closed' });
      port.close();
    });
    return;
  }
  for (const { id, op } of message.writes) {
    writer.write(op).then(
      (value) => answer({ id, value }),
      (error: unknown) => answer({ id, error: (error as Error).message }),
    );
  }
});
