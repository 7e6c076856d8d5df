/**
 * Limits PIN guessing. After 5 wrong PINs in a row one client (an HTTP client address; the Electron
 * app is one client) is locked out for 30 s, and every further wrong PIN in that row locks it again
 * for twice as long, up to 15 min; during a lock no PIN is checked, the right one included. On top,
 * no more than 30 wrong PINs a minute are checked for the whole gate, whoever sends them. The state
 * lives in the gate database (settings table), so a restart does not reset it.
 *
 * Checks of one client run one at a time: parallel guesses cannot slip past a lock that the
 * guesses before them are about to earn. Times are wall-clock milliseconds (a lock must survive a
 * restart); a clock set back never lengthens a lock beyond its own duration.
 */
import { z } from 'zod';
import { createLogger } from '../../shared/logger.js';
import type { StateQueries } from './store/state.js';

const log = createLogger('gate.pin-guard');

export const WRONG_PINS_BEFORE_LOCK = 5;
export const FIRST_LOCK_SECONDS = 30;
export const LONGEST_LOCK_SECONDS = 15 * 60;
export const WRONG_PINS_PER_MINUTE_PER_GATE = 30;
const MINUTE_MS = 60_000;
/** A client quiet this long (and not locked) starts over. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;
/** Clients remembered at most (addresses are cheap for an attacker; memory and the row are not). */
const MAX_CLIENTS = 1_000;
const SETTING_KEY = 'pinGuard';

const clientSchema = z.object({
  /** Wrong PINs in a row. */
  failures: z.number().int().nonnegative(),
  lockedUntil: z.number(),
  lockSeconds: z.number().nonnegative(),
  lastFailureAt: z.number(),
});
const stateSchema = z.object({
  clients: z.record(z.string(), clientSchema),
  /** Times of the wrong PINs of the last minute, for the whole gate, oldest first. */
  recentFailures: z.array(z.number()),
});
type GuardState = z.infer<typeof stateSchema>;

export type PinVerdict =
  { ok: true } | { ok: false; reason: 'wrong' } | { ok: false; reason: 'locked'; retryAfterSeconds: number };

/** The lock earned by `failures` wrong PINs in a row: none before the fifth, then 30 s doubling. */
export function lockSecondsFor(failures: number): number {
  if (failures < WRONG_PINS_BEFORE_LOCK) return 0;
  return Math.min(LONGEST_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2 ** (failures - WRONG_PINS_BEFORE_LOCK));
}

export class PinGuard {
  private state: GuardState;
  private readonly queues = new Map<string, Promise<unknown>>();
  private inFlight = 0;

  constructor(
    private readonly store: StateQueries,
    private readonly now: () => number = Date.now,
  ) {
    this.state = this.load();
  }

  /**
   * Runs `check` (the scrypt comparison) for `client` unless a lock stops it, and records the
   * outcome. One check per client at a time.
   */
  verify(client: string, check: () => Promise<boolean>): Promise<PinVerdict> {
    const previous = this.queues.get(client) ?? Promise.resolve();
    const next = previous.then(() => this.verifyNow(client, check));
    const settled = next.catch(() => undefined);
    this.queues.set(client, settled);
    void settled.then(() => {
      if (this.queues.get(client) === settled) this.queues.delete(client);
    });
    return next;
  }

  private async verifyNow(client: string, check: () => Promise<boolean>): Promise<PinVerdict> {
    const locked = this.lockOf(client, this.now());
    if (locked !== null) return { ok: false, reason: 'locked', retryAfterSeconds: locked };
    this.inFlight += 1;
    let isRight: boolean;
    try {
      isRight = await check();
    } finally {
      this.inFlight -= 1;
    }
    const now = this.now();
    if (isRight) {
      if (this.state.clients[client]) {
        delete this.state.clients[client];
        this.save();
      }
      return { ok: true };
    }
    const failures = (this.state.clients[client]?.failures ?? 0) + 1;
    const lockSeconds = lockSecondsFor(failures);
    this.state.clients[client] = {
      failures,
      lockSeconds,
      lockedUntil: now + lockSeconds * 1000,
      lastFailureAt: now,
    };
    this.state.recentFailures.push(now);
    this.save();
    if (lockSeconds === 0) return { ok: false, reason: 'wrong' };
    log.warn('PIN locked after wrong PINs', { client, failures, lockSeconds });
    return { ok: false, reason: 'locked', retryAfterSeconds: lockSeconds };
  }

  /** Seconds left of the lock on `client` (or on the whole gate), or null when a PIN may be checked. */
  private lockOf(client: string, now: number): number | null {
    this.forgetOld(now);
    const entry = this.state.clients[client];
    if (entry && entry.lockedUntil > now) {
      const left = Math.min(entry.lockedUntil - now, entry.lockSeconds * 1000);
      return Math.max(1, Math.ceil(left / 1000));
    }
    const recent = this.state.recentFailures;
    if (recent.length + this.inFlight >= WRONG_PINS_PER_MINUTE_PER_GATE) {
      const oldest = recent[0] ?? now;
      return Math.max(1, Math.ceil((Math.min(oldest, now) + MINUTE_MS - now) / 1000));
    }
    return null;
  }

  private forgetOld(now: number): void {
    const recent = this.state.recentFailures.filter((at) => at > now - MINUTE_MS && at <= now);
    const isChanged = recent.length !== this.state.recentFailures.length;
    this.state.recentFailures = recent;
    const clients = Object.entries(this.state.clients);
    const kept = clients.filter(
      ([, entry]) => entry.lockedUntil > now || now - entry.lastFailureAt < FORGET_AFTER_MS,
    );
    // Too many addresses: keep the most recent ones (a locked one is never the first to go).
    kept.sort(
      ([, a], [, b]) =>
        Number(b.lockedUntil > now) - Number(a.lockedUntil > now) || b.lastFailureAt - a.lastFailureAt,
    );
    const limited = kept.slice(0, MAX_CLIENTS);
    if (limited.length !== clients.length) this.state.clients = Object.fromEntries(limited);
    if (isChanged || limited.length !== clients.length) this.save();
  }

  private load(): GuardState {
    const raw = this.store.setting(SETTING_KEY);
    if (raw === null) return { clients: {}, recentFailures: [] };
    try {
      const parsed = stateSchema.safeParse(JSON.parse(raw));
      if (parsed.success) return parsed.data;
      log.warn('PIN guard state is invalid; starting over', { problem: parsed.error.issues[0]?.message });
    } catch {
      log.warn('PIN guard state is not JSON; starting over');
    }
    return { clients: {}, recentFailures: [] };
  }

  private save(): void {
    this.store.putSetting(SETTING_KEY, JSON.stringify(this.state));
  }
}
