/**
 * The turnstile seen by the gate engine. The engine records a decision durably first, then calls
 * `open`; it never waits on the turnstile to answer a scan. Drivers (serial relay boards, Shelly,
 * generic HTTP) implement this interface; `createTurnstile` in ./index.ts picks one from settings.
 */
import type { Direction } from '../../../shared/scans.js';
import type { TurnstileResult, TurnstileStatus } from '../../../shared/turnstile.js';

/** What the generic HTTP driver can put in its body template; other drivers ignore it. */
export interface OpenContext {
  barcode?: string;
  gate?: string;
}

export interface Turnstile {
  /**
   * Pulses the relay for `pulseMs`. Never rejects: a failure resolves `{opened: false, error}`.
   * Resolves with `passed` only when passage feedback is configured. Opens while busy are queued.
   */
  open(direction: Direction, pulseMs: number, context?: OpenContext): Promise<TurnstileResult>;
  status(): TurnstileStatus;
  /** Called on every driver state change; returns the unsubscribe function. */
  onStatus(listener: (status: TurnstileStatus) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One relay on one device: what a driver must provide. `PulseTurnstile` adds the queue, the pulse
 * timing, passage polling, states and recovery on top.
 */
export interface Actuator {
  /** Short driver name for the status line: `lcus`, `numato`, `shelly2`, … */
  readonly driver: string;
  /** Turns the relay on. Devices that time themselves (Shelly) get `pulseMs` to turn off on their own. */
  turnOn(pulseMs: number, context: OpenContext & { direction: Direction }): Promise<void>;
  /** Host-side off after the pulse; absent when the device turns itself off. */
  turnOff?(): Promise<void>;
  /** Reads the passage input once: true while a person is passing. Absent = no passage input. */
  readPassage?(): Promise<boolean>;
  /** A side-effect-free check that the device answers; used to leave the `error` state by itself. */
  probe(): Promise<void>;
  /** Serial devices report plug state; network devices leave this out. */
  connection?: { isConnected(): boolean; describe(): string; onChange(listener: () => void): () => void };
  start(): Promise<void>;
  stop(): Promise<void>;
}
