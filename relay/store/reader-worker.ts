/**
 * The reader worker: its own connection to the relay database, for snapshot reads and catch-up
 * pages. A snapshot of a big event is tens of thousands of rows to read and check, and 30 gates
 * catching up after one read the same pages; here that happens off the thread that answers
 * webhooks, and a snapshot goes back in parts small enough to take in without a stall.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.js';
import { prepareQueries } from './queries.js';
import { readEntryPage } from './rows.js';
import { readSnapshotNow } from './sqlite-reads.js';
import type { ReaderMessage, ReaderRequest } from './reader.js';

const PART = 2_000;
const port = parentPort;
if (!port) throw new Error('reader-worker must run as a worker thread');
const { path } = workerData as { path: string };
const db = openDatabase(path);
const queries = prepareQueries(db);
const post = (message: ReaderMessage) => port.postMessage(message);

port.on('message', (message: ReaderRequest) => {
  if (message.type === 'close') {
    db.close();
    port.close();
    return;
  }
  const { id } = message;
  if (message.type === 'entries') {
    const ids = JSON.stringify(message.events);
    readEntryPage(message.after, message.limit, (from, wanted) =>
      queries.log.afterForEvents.all(from, ids, wanted),
    ).then(
      (entries) => post({ type: 'entries', id, entries }),
      (error: unknown) => post({ type: 'failed', id, error: (error as Error).message }),
    );
    return;
  }
  if (message.type === 'next') {
    sendNext(id);
    return;
  }
  try {
    const snapshot = readSnapshotNow(db, queries, message.events);
    const parts: ReaderMessage[] = [];
    for (let from = 0; from < snapshot.tickets.length; from += PART)
      parts.push({ type: 'part', id, tickets: snapshot.tickets.slice(from, from + PART), scans: [] });
    for (let from = 0; from < snapshot.scans.length; from += PART)
      parts.push({ type: 'part', id, tickets: [], scans: snapshot.scans.slice(from, from + PART) });
    parts.push({ type: 'done', id, cursor: snapshot.cursor, events: snapshot.events });
    outgoing.set(id, parts.reverse());
    sendNext(id);
  } catch (error) {
    post({ type: 'failed', id, error: (error as Error).message });
  }
});

/**
 * Parts go one at a time, the next when the serving thread asks: a port hands over everything queued
 * in one go, and taking in a whole big snapshot at once would stall that thread.
 */
const outgoing = new Map<number, ReaderMessage[]>();

function sendNext(id: number): void {
  const parts = outgoing.get(id);
  const part = parts?.pop();
  if (!parts || !part) return;
  if (parts.length === 0) outgoing.delete(id);
  post(part);
}
