/**
 * Capped exponential backoff with jitter, reset on success: the usual retry pacing of every link to
 * a relay (the gate's, a venue relay's upstream link). Pure, so both sides share it.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs = 250,
    private readonly capMs = 5_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next delay: half fixed, half random, so peers that lost the relay together spread out. */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** `http(s)://host[/base]` or `ws(s)://host[/base]` → the relay's gate socket URL. */
export function gateSocketUrl(relayUrl: string): string {
  const base = relayUrl
    .trim()
    .replace(/^http(s?):\/\//i, 'ws$1://')
    .replace(/\/+$/, '');
  return `${base}/gate`;
}
