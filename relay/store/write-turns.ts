/**
 * Whose write transaction goes next, between the serving thread (the webhooks of a burst:
 * burst-accept.ts) and the writer worker's applies (writer.ts), over shared memory. SQLite's own
 * busy handler polls with growing sleeps (1, 2, 5, 10 … ms), and the worker's back-to-back apply
 * slices leave the lock free only for microseconds: a burst that began while a backlog was being
 * applied waited on that backlog, and acknowledged nothing meanwhile. Here the serving thread says it
 * wants the lock, the worker starts no slice while it does, and the serving thread sleeps exactly
 * until the slice in progress ends.
 *
 * Each side raises its flag before it looks at the other's (sequentially consistent atomics), so at
 * most one goes ahead; the worker is the one that yields.
 */
const SERVING = 0;
const WORKER = 1;
/** How long one wait lasts at most before the flag is read again (a slice ends well before). */
const WAIT_MS = 100;
/**
 * How long the serving thread waits in all: a worker that died inside a slice never lowers its flag.
 * After this, SQLite's own locking (busy_timeout) decides, as without turns.
 */
const MAX_WAIT_MS = 5_000;

export class WriteTurns {
  private readonly flags: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.flags = new Int32Array(buffer);
  }

  /** Serving thread, before its write transaction: waits for the worker's slice in progress. */
  enterServing(): void {
    Atomics.store(this.flags, SERVING, 1);
    const deadline = performance.now() + MAX_WAIT_MS;
    while (Atomics.load(this.flags, WORKER) === 1 && performance.now() < deadline)
      Atomics.wait(this.flags, WORKER, 1, WAIT_MS);
  }

  leaveServing(): void {
    Atomics.store(this.flags, SERVING, 0);
  }

  /** Worker, before an apply slice: false (start none now) while the serving thread wants to write. */
  tryEnterWorker(): boolean {
    Atomics.store(this.flags, WORKER, 1);
    if (Atomics.load(this.flags, SERVING) === 0) return true;
    this.leaveWorker();
    return false;
  }

  leaveWorker(): void {
    Atomics.store(this.flags, WORKER, 0);
    Atomics.notify(this.flags, WORKER);
  }
}
