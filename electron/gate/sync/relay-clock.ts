/**
 * Time on the relay link. Heartbeats, timeouts and round trips use the monotonic clock, which never
 * jumps; the relay's wall clock (in its welcome and pings) is compared with ours, corrected for half
 * the last round trip: status.clockSkewMs.
 */

/** Milliseconds on a clock that never jumps. */
export const monotonicNow = (): number => performance.now();

export class RelayClock {
  private helloSentAt = 0;
  private roundTripMs: number | null = null;

  /** A new connection said hello: the welcome's arrival measures the first round trip. */
  helloSent(): void {
    this.helloSentAt = monotonicNow();
    this.roundTripMs = null;
  }

  welcomed(): void {
    this.roundTripMs = monotonicNow() - this.helloSentAt;
  }

  /** A pong echoes the monotonic time of our ping; anything implausible is ignored. */
  pong(pingSentAt: number, timeoutMs: number): void {
    const roundTrip = monotonicNow() - pingSentAt;
    if (roundTrip >= 0 && roundTrip <= timeoutMs) this.roundTripMs = roundTrip;
  }

  /** Our wall clock minus the relay's, given the relay's epoch ms as sent about half a round trip ago. */
  skewMs(relayEpochMs: number): number {
    return Math.round(Date.now() - (relayEpochMs + (this.roundTripMs ?? 0) / 2));
  }
}
