/**
 * The turnstile seen by the gate engine. The engine records a decision durably first, then calls
 * `open`; it never waits on the turnstile to answer a scan. Drivers (serial relay boards, Shelly,
 * generic HTTP) implement this interface; `createTurnstile` in ./index.ts picks one from settings.
 */
import type { Direction } from '../../../shared/scans.js';
import type { TurnstileResult, TurnstileStatus } from '../../../shared/turnstile.js';

export interface Turnstile {
  /** Pulses the relay for `pulseMs`. Resolves with `passed` only when passage feedback is configured. */
  open(direction: Direction, pulseMs: number): Promise<TurnstileResult>;
  status(): TurnstileStatus;
  /** Called on every driver state change; returns the unsubscribe function. */
  onStatus(listener: (status: TurnstileStatus) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
