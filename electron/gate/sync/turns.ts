/**
 * One piece of bulk work per turn of the event loop. The sync client's frames (read and checked,
 * milliseconds for 1,000 tickets) and the apply queue's slices (stored, a few milliseconds) take
 * turns here: each turn runs one of them (setImmediate, so network I/O — a scan's request — is read
 * between any two), in the order they asked. A scan therefore waits for one piece of work at most,
 * never for a frame and a slice back to back.
 */
export class Turns {
  private readonly waiting: (() => void)[] = [];
  private next: NodeJS.Immediate | null = null;

  /** Runs `work` in a later turn, after everything queued before it. */
  take(work: () => void): void {
    this.waiting.push(work);
    this.arm();
  }

  private arm(): void {
    if (this.next || this.waiting.length === 0) return;
    this.next = setImmediate(() => {
      this.next = null;
      const work = this.waiting.shift();
      try {
        work?.();
      } finally {
        this.arm();
      }
    });
  }
}
