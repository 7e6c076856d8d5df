/** The two turnstiles that need no hardware: `none` (does nothing) and a logging one. */
import type { Direction } from '../../../shared/scans.js';
import type { TurnstileResult, TurnstileStatus } from '../../../shared/turnstile.js';
import type { Turnstile } from './types.js';

export class NoopTurnstile implements Turnstile {
  constructor(private readonly driver = 'none') {}
  async open(_direction: Direction, _pulseMs: number): Promise<TurnstileResult> {
    return { opened: true };
  }
  status(): TurnstileStatus {
    return { state: 'ready', driver: this.driver, message: null };
  }
  onStatus(_listener: (status: TurnstileStatus) => void): () => void {
    return () => {};
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

/** Records every open request; used by the demo and to see what the gate would have done. */
export class LoggingTurnstile extends NoopTurnstile {
  readonly opens: { direction: Direction; pulseMs: number; at: number }[] = [];
  constructor(private readonly log: (line: string) => void) {
    super('log');
  }
  override async open(direction: Direction, pulseMs: number): Promise<TurnstileResult> {
    this.opens.push({ direction, pulseMs, at: Date.now() });
    this.log(`turnstile: open ${direction} for ${pulseMs} ms`);
    return { opened: true };
  }
}
