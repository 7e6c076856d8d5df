/**
 * The writer worker: owns one write connection to the relay database and runs group commits there
 * (InlineWriter, whole event-loop turns of the serving thread per batch). Committed entries and
 * applied deliveries are posted before the results of the writes that made them, so the main thread
 * announces entries before any caller learns its write succeeded; results go back one message per
 * batch, as soon as it committed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.js';
import { prepareQueries } from './queries.js';
import type { WriteOp } from './write-ops.js';
import { WriteTurns } from './write-turns.js';
import {
  encodeAcceptance,
  InlineWriter,
  requestedAcceptance,
  type WorkerMessage,
  type WorkerRequest,
} from './writer.js';

const port = parentPort;
if (!port) throw new Error('writer-worker must run as a worker thread');
const { path, turns } = workerData as { path: string; turns: SharedArrayBuffer };
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
    backlog: (isFull) => post({ type: 'backlog', isFull }),
  },
  // A batch is already a whole turn of the serving thread: waiting for siblings only adds latency.
  { siblingWaitMs: 0, turns: new WriteTurns(turns) },
);

type Results = Extract<WorkerMessage, { type: 'results' }>;
let results: Results = { type: 'results', ids: [], values: [], errors: [] };
const sendResults = () => {
  const batch = results;
  results = { type: 'results', ids: [], values: [], errors: [] };
  if (batch.ids.length > 0) post(batch);
};
const answer = (id: number, value: unknown, error?: string) => {
  // Every result of one commit settles in the same microtask run, in order: a microtask queued by
  // the first runs after the others, and sends them together, right after the commit.
  if (results.ids.length === 0) queueMicrotask(sendResults);
  if (error !== undefined) results.errors.push({ index: results.ids.length, error });
  results.ids.push(id);
  results.values.push(value);
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
  if (message.type === 'accepted') {
    writer.noteAccepted(message.count);
    return;
  }
  // In order; each run of webhook acceptances (bare bodies) is one write of the group commit.
  let index = 0;
  while (index < message.ids.length) {
    const op = message.ops[index] as WriteOp | string;
    if (typeof op !== 'string') {
      const id = message.ids[index] ?? 0;
      writer.write(op).then(
        (value) => answer(id, value),
        (error: unknown) => answer(id, null, (error as Error).message),
      );
      index += 1;
      continue;
    }
    let end = index;
    while (end < message.ids.length && typeof message.ops[end] === 'string') end += 1;
    const ids = message.ids.slice(index, end);
    const inputs = ids.map((_, offset) => requestedAcceptance(message, index + offset));
    writer.acceptAll(inputs).then(
      (values) => values.forEach((value, offset) => answer(ids[offset] ?? 0, encodeAcceptance(value))),
      (error: unknown) => ids.forEach((id) => answer(id, null, (error as Error).message)),
    );
    index = end;
  }
});
