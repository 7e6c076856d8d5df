/** The turnstile behind a spec that cannot work: always `error`, every open says why. */
import type { TurnstileResult, TurnstileStatus } from '../../../shared/turnstile.js';
import type { Turnstile } from './types.js';

export class BrokenTurnstile implements Turnstile {
  constructor(private readonly reason: string) {}
  async open(): Promise<TurnstileResult> {
    return { opened: false, error: this.reason };
  }
  status(): TurnstileStatus {
    return { state: 'error', driver: 'invalid', message: this.reason };
  }
  onStatus(): () => void {
    return () => {};
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
