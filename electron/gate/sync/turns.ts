/**
 * One piece of bulk work per turn of the event loop. The sync client's frames (read and checked,
 * milliseconds for 1,000 tickets) and the apply queue's slices (stored, a few milliseconds) take
 * turns here: each turn runs one of them (setImmediate, so network I/O — a scan's request — is read
 * between any two), in the order they asked. A scan therefore waits for one piece of work at most,
 * never for a frame and a slice back to back. While scans come in, the loop is also left idle for a
 * moment between turns (`pauseMs`): bulk work then takes at most about two thirds of the thread, and
 * the machine's other work (the kernel writing back what was stored, the scan's own round trip)
 * gets the rest. bench/snapshot.ts: scan p99 during a first load 11.6–13.1 ms, was 19.8–32.6 ms.
 */
export class Turns {
  private readonly waiting: (() => void)[] = [];
  private next: NodeJS.Immediate | NodeJS.Timeout | null = null;

  /**
   * `pauseMs`: how long the event loop is left idle between two turns (0: none, the next turn comes
   * at once). The engine pauses while scans come in, so bulk work takes at most about two thirds of
   * the thread and a scan's request meets an idle loop more often than not.
   */
  constructor(private readonly pauseMs: () => number = () => 0) {}

  /** Runs `work` in a later turn, after everything queued before it. */
  take(work: () => void): void {
    this.waiting.push(work);
    this.arm();
  }

  private arm(): void {
    if (this.next || this.waiting.length === 0) return;
    const run = () => {
      this.next = null;
      const work = this.waiting.shift();
      try {
        work?.();
      } finally {
        this.arm();
      }
    };
    const pause = this.pauseMs();
    this.next = pause > 0 ? setTimeout(run, pause) : setImmediate(run);
  }
}
