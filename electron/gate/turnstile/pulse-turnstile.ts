/**
 * The common driver: one queue of opens per device (a second scan while the gate is open waits its
 * turn), the pulse timing, passage polling, the state pushed to the UI, and recovery from `error` by
 * probing the device. Device specifics live in an `Actuator`.
 */
import type { Direction } from '../../../shared/scans.js';
import type { DriverState, TurnstileResult, TurnstileStatus } from '../../../shared/turnstile.js';
import { createLogger } from '../../../shared/logger.js';
import type { Actuator, OpenContext, Turnstile } from './types.js';
import { cancellableDelay, errorMessage, withTimeout } from './with-timeout.js';

const log = createLogger('gate.turnstile');

export interface PulseOptions {
  /** Deadline for each device operation. */
  operationTimeoutMs: number;
  /** Null = no passage feedback; `passed` is left out of results. */
  passageTimeoutMs: number | null;
  passagePollMs: number;
  /** How often to probe the device while in `error`. */
  recoveryMs: number;
}

export const DEFAULT_PULSE_OPTIONS: PulseOptions = {
  operationTimeoutMs: 2000,
  passageTimeoutMs: null,
  passagePollMs: 50,
  recoveryMs: 1000,
};

export class PulseTurnstile implements Turnstile {
  private state: DriverState = 'disconnected';
  private message: string | null = 'not started';
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private isRunning = false;
  /** Set when an off command failed: the relay may be stuck on, so off is re-sent on recovery. */
  private isOffOwed = false;
  private readonly listeners = new Set<(status: TurnstileStatus) => void>();
  private readonly delays = new Set<() => void>();
  private recoveryTimer: NodeJS.Timeout | undefined;
  private stopConnection: () => void = () => {};

  constructor(
    readonly actuator: Actuator,
    private readonly options: PulseOptions,
  ) {}

  status(): TurnstileStatus {
    return { state: this.state, driver: this.actuator.driver, message: this.message };
  }

  onStatus(listener: (status: TurnstileStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.isRunning) return;
    this.isRunning = true;
    const connection = this.actuator.connection;
    if (connection) this.stopConnection = connection.onChange(() => this.settle());
    await this.actuator.start();
    this.settle();
    if (!connection) void this.checkReachable();
  }

  /** Network devices have no plug state: ask once at start so a wrong address shows before the first scan. */
  private async checkReachable(): Promise<void> {
    try {
      await withTimeout(
        this.actuator.probe(),
        this.options.operationTimeoutMs,
        `${this.actuator.driver} probe`,
      );
    } catch (error) {
      if (this.isRunning && this.pending === 0) this.fail(`device does not answer: ${errorMessage(error)}`);
    }
  }

  async stop(): Promise<void> {
    if (!this.isRunning) return;
    this.isRunning = false;
    clearTimeout(this.recoveryTimer);
    for (const cancel of this.delays) cancel();
    await this.tail;
    this.stopConnection();
    await this.actuator.stop();
    this.setState('disconnected', 'stopped');
  }

  open(direction: Direction, pulseMs: number, context: OpenContext = {}): Promise<TurnstileResult> {
    this.pending += 1;
    const result = this.tail
      .then(() => this.pulse(direction, pulseMs, context))
      .finally(() => {
        this.pending -= 1;
        this.settle();
      });
    this.tail = result;
    return result;
  }

  private async pulse(direction: Direction, pulseMs: number, context: OpenContext): Promise<TurnstileResult> {
    if (!this.isRunning) return { opened: false, error: 'turnstile is stopped' };
    const connection = this.actuator.connection;
    if (connection && !connection.isConnected()) return { opened: false, error: connection.describe() };
    const timeout = this.options.operationTimeoutMs;
    // The command goes out before anyone hears about `busy`: status listeners (UI broadcasts) must not
    // sit between a scan and the relay.
    const turnedOn = withTimeout(
      this.actuator.turnOn(pulseMs, { ...context, direction }),
      timeout,
      `${this.actuator.driver} on`,
    );
    this.setState('busy', `opening ${direction}`);
    try {
      await turnedOn;
    } catch (error) {
      return this.fail(`could not open: ${errorMessage(error)}`);
    }
    const passage = this.watchPassage();
    await this.delay(pulseMs);
    if (this.actuator.turnOff) {
      try {
        await withTimeout(this.actuator.turnOff(), timeout, `${this.actuator.driver} off`);
        this.isOffOwed = false;
      } catch (error) {
        this.isOffOwed = true;
        await passage;
        return { ...this.fail(`opened, but could not close: ${errorMessage(error)}`), opened: true };
      }
    }
    const passed = await passage;
    return passed === undefined ? { opened: true } : { opened: true, passed };
  }

  /** Polls the passage input from the moment the relay is on until it reads active or the window ends. */
  private async watchPassage(): Promise<boolean | undefined> {
    const windowMs = this.options.passageTimeoutMs;
    const read = this.actuator.readPassage?.bind(this.actuator);
    if (windowMs === null || !read) return undefined;
    const deadline = Date.now() + windowMs;
    while (this.isRunning && Date.now() < deadline) {
      try {
        if (await withTimeout(read(), this.options.operationTimeoutMs, 'passage read')) return true;
      } catch (error) {
        log.warn('passage input read failed', { driver: this.actuator.driver, error: errorMessage(error) });
      }
      await this.delay(Math.min(this.options.passagePollMs, Math.max(0, deadline - Date.now())));
    }
    return false;
  }

  private fail(message: string): TurnstileResult {
    log.warn('turnstile failed', { driver: this.actuator.driver, message });
    this.setState('error', message);
    this.scheduleRecovery();
    return { opened: false, error: message };
  }

  private scheduleRecovery(): void {
    clearTimeout(this.recoveryTimer);
    if (!this.isRunning) return;
    this.recoveryTimer = setTimeout(() => void this.recover(), this.options.recoveryMs);
  }

  private async recover(): Promise<void> {
    if (!this.isRunning || this.state !== 'error') return;
    try {
      await withTimeout(
        this.actuator.probe(),
        this.options.operationTimeoutMs,
        `${this.actuator.driver} probe`,
      );
      if (this.isOffOwed && this.actuator.turnOff) {
        await withTimeout(
          this.actuator.turnOff(),
          this.options.operationTimeoutMs,
          `${this.actuator.driver} off`,
        );
        this.isOffOwed = false;
      }
      if (this.state === 'error') this.setState('ready', null);
      this.settle();
    } catch (error) {
      log.debug('probe failed; still in error', { driver: this.actuator.driver, error: errorMessage(error) });
      this.scheduleRecovery();
    }
  }

  /** Works out the resting state after anything changed: plug state first, then queue, then error. */
  private settle(): void {
    if (!this.isRunning) return;
    const connection = this.actuator.connection;
    if (connection && !connection.isConnected()) return this.setState('disconnected', connection.describe());
    if (this.pending > 0) return this.setState('busy', this.state === 'busy' ? this.message : 'opening');
    if (this.state === 'error') return this.scheduleRecovery();
    this.setState('ready', null);
  }

  private async delay(ms: number): Promise<void> {
    // Stopped (also while the on command was still being written): the pulse is cut short, never waited.
    if (!this.isRunning) return;
    const delay = cancellableDelay(ms);
    this.delays.add(delay.cancel);
    await delay.done;
    this.delays.delete(delay.cancel);
  }

  private setState(state: DriverState, message: string | null): void {
    if (state === this.state && message === this.message) return;
    this.state = state;
    this.message = message;
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }
}
