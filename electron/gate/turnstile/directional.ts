/**
 * Entry and exit on different devices (or channels): one Turnstile per direction, shown to the UI
 * as one status — the worse of the two, so a dead exit relay is not hidden by a working entry.
 */
import type { Direction } from '../../../shared/scans.js';
import type { DriverState, TurnstileResult, TurnstileStatus } from '../../../shared/turnstile.js';
import type { OpenContext, Turnstile } from './types.js';

const SEVERITY: Record<DriverState, number> = { ready: 0, busy: 1, disconnected: 2, error: 3 };

export class DirectionalTurnstile implements Turnstile {
  private readonly listeners = new Set<(status: TurnstileStatus) => void>();
  private readonly unsubscribe: (() => void)[] = [];
  private last: TurnstileStatus;

  constructor(
    private readonly entry: Turnstile,
    private readonly exit: Turnstile,
  ) {
    this.last = this.combine();
    for (const side of [entry, exit]) {
      this.unsubscribe.push(side.onStatus(() => this.changed()));
    }
  }

  open(direction: Direction, pulseMs: number, context?: OpenContext): Promise<TurnstileResult> {
    return (direction === 'out' ? this.exit : this.entry).open(direction, pulseMs, context);
  }

  status(): TurnstileStatus {
    return this.last;
  }

  onStatus(listener: (status: TurnstileStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    await Promise.all([this.entry.start(), this.exit.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.entry.stop(), this.exit.stop()]);
  }

  private combine(): TurnstileStatus {
    const entry = this.entry.status();
    const exit = this.exit.status();
    const worse = SEVERITY[exit.state] > SEVERITY[entry.state] ? exit : entry;
    const label = (side: string, status: TurnstileStatus) =>
      status.message ? `${side}: ${status.message}` : null;
    const message = [label('entry', entry), label('exit', exit)].filter(Boolean).join('; ') || null;
    return { state: worse.state, driver: `${entry.driver}+${exit.driver}`, message };
  }

  private changed(): void {
    const next = this.combine();
    if (next.state === this.last.state && next.message === this.last.message) return;
    this.last = next;
    for (const listener of this.listeners) listener(next);
  }
}
