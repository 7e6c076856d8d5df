/**
 * The serving relay's side of the reader worker (reader-worker.ts): snapshot reads, and the catch-up
 * pages gates read after them (each checked row by row against the wire schema), off this thread.
 * Each request's parts are gathered here and the snapshot resolves when the last one arrives. Gates
 * asking for the same events while a read is under way share it: a snapshot is a consistent state as
 * of its cursor, and each gate catches up from that cursor.
 */
import { Worker } from 'node:worker_threads';
import type { Snapshot, StoredEntry } from './types.js';

export type ReaderRequest =
  | { type: 'snapshot'; id: number; events: readonly string[] }
  | { type: 'entries'; id: number; after: number; events: readonly string[]; limit: number }
  /** The next part of snapshot `id`, once the previous one has been taken in. */
  | { type: 'next'; id: number }
  | { type: 'close' };

export type ReaderMessage =
  | { type: 'part'; id: number; tickets: Snapshot['tickets']; scans: Snapshot['scans'] }
  | { type: 'done'; id: number; cursor: number; events: Snapshot['events'] }
  | { type: 'entries'; id: number; entries: StoredEntry[] }
  | { type: 'failed'; id: number; error: string };

interface Waiter {
  tickets: Snapshot['tickets'];
  scans: Snapshot['scans'];
  resolve(snapshot: Snapshot): void;
  reject(error: Error): void;
}

interface EntriesWaiter {
  resolve(entries: StoredEntry[]): void;
  reject(error: Error): void;
}

export class SnapshotReader {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private readonly waitingEntries = new Map<number, EntriesWaiter>();
  private readonly shared = new Map<string, Promise<Snapshot>>();
  private readonly sharedEntries = new Map<string, Promise<StoredEntry[]>>();
  private nextId = 1;
  private failure: Error | null = null;
  private readonly exited: Promise<void>;

  constructor(path: string) {
    this.worker = new Worker(new URL('./reader-worker.js', import.meta.url), { workerData: { path } });
    this.worker.on('message', (message: ReaderMessage) => this.receive(message));
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', () => {
        this.fail(new Error('the snapshot reader stopped'));
        resolve();
      }),
    );
  }

  private receive(message: ReaderMessage): void {
    const entriesWaiter = this.waitingEntries.get(message.id);
    if (entriesWaiter) {
      this.waitingEntries.delete(message.id);
      if (message.type === 'entries') entriesWaiter.resolve(message.entries);
      else if (message.type === 'failed') entriesWaiter.reject(new Error(message.error));
      else entriesWaiter.reject(new Error(`unexpected reader message ${message.type}`));
      return;
    }
    const waiter = this.waiting.get(message.id);
    if (!waiter) return;
    switch (message.type) {
      case 'part':
        // Loops, not push(...): a part holds thousands of rows.
        for (const ticket of message.tickets) waiter.tickets.push(ticket);
        for (const scan of message.scans) waiter.scans.push(scan);
        // Asked for after this turn: webhooks and frames waiting meanwhile go first.
        setImmediate(() => {
          if (!this.failure)
            this.worker.postMessage({ type: 'next', id: message.id } satisfies ReaderRequest);
        });
        return;
      case 'done':
        this.waiting.delete(message.id);
        waiter.resolve({
          cursor: message.cursor,
          events: message.events,
          tickets: waiter.tickets,
          scans: waiter.scans,
        });
        return;
      case 'failed':
        this.waiting.delete(message.id);
        waiter.reject(new Error(message.error));
        return;
      case 'entries':
        this.waiting.delete(message.id);
        waiter.reject(new Error('the reader answered a snapshot with entries'));
        return;
      default: {
        const never: never = message;
        throw new Error(`unknown reader message ${JSON.stringify(never)}`);
      }
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
    for (const waiter of this.waitingEntries.values()) waiter.reject(error);
    this.waitingEntries.clear();
  }

  /** One page read is shared by the gates asking for it at once (all catching up from one snapshot). */
  readEntries(after: number, events: readonly string[], limit: number): Promise<StoredEntry[]> {
    if (this.failure) return Promise.reject(this.failure);
    const key = JSON.stringify([after, limit, [...events].sort()]);
    const existing = this.sharedEntries.get(key);
    if (existing) return existing;
    const id = this.nextId++;
    const request: ReaderRequest = { type: 'entries', id, after, events: [...events], limit };
    const reading = new Promise<StoredEntry[]>((resolve, reject) => {
      this.waitingEntries.set(id, { resolve, reject });
      this.worker.postMessage(request);
    }).finally(() => this.sharedEntries.delete(key));
    this.sharedEntries.set(key, reading);
    return reading;
  }

  read(events: readonly string[]): Promise<Snapshot> {
    if (this.failure) return Promise.reject(this.failure);
    const key = JSON.stringify([...events].sort());
    const existing = this.shared.get(key);
    if (existing) return existing;
    const id = this.nextId++;
    const reading = new Promise<Snapshot>((resolve, reject) => {
      this.waiting.set(id, { tickets: [], scans: [], resolve, reject });
      this.worker.postMessage({ type: 'snapshot', id, events: [...events] } satisfies ReaderRequest);
    }).finally(() => this.shared.delete(key));
    this.shared.set(key, reading);
    return reading;
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' } satisfies ReaderRequest);
    await this.exited;
  }
}
