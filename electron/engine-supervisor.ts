/**
 * Main's side of the engine process: starts it (Electron's utilityProcess, or anything shaped like
 * it), brokers API calls and the demo to it, forwards its events, and restarts it with a capped,
 * jittered backoff whenever it exits without being asked to. While it is down, calls answer
 * `unavailable` with the reason, which the UI shows in its banner; a call in flight when it dies is
 * answered the same way rather than left hanging.
 */
import { gateEventSchema, type ApiResult, type GateEvent, type GateMethod } from '../shared/gate-api.js';
import { createLogger } from '../shared/logger.js';
import {
  demoResultSchema,
  fromEngineSchema,
  type DemoResult,
  type StartMessage,
  type ToEngine,
} from './engine-messages.js';
import { Backoff } from './gate/index.js';

const log = createLogger('shell.supervisor');

/** What main needs of Electron's UtilityProcess; the tests hand in one built on child_process.fork. */
export interface UtilityProcessLike {
  postMessage(message: ToEngine): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface EngineState {
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  /** Why the engine is not running, in words for the banner. */
  message: string | null;
  /** Restarts after an unexpected exit, since the app started. */
  restarts: number;
  /** While restarting: how long until the next attempt. */
  retryInMs: number | null;
}

export interface EngineSupervisorOptions {
  fork(): UtilityProcessLike;
  /** The start message of each (re)start, read afresh (the token may have changed). */
  startMessage(): StartMessage;
  onEvent(event: GateEvent): void;
  onState?(state: EngineState): void;
  /** Stores a relay token the engine was given (encrypted by main). */
  storeToken(token: string): void;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Running this long counts as recovered: the next crash starts the backoff over. */
  stableMs?: number;
  /** After this long, a stop request ends the process by force. */
  stopTimeoutMs?: number;
}

type Pending = (result: unknown) => void;

export class EngineSupervisor {
  private child: UtilityProcessLike | null = null;
  private current: EngineState = { state: 'stopped', message: null, restarts: 0, retryInMs: null };
  private readonly backoff: Backoff;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private retryTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private isStopping = false;
  private lastFailure: string | null = null;
  private readyWaiters: (() => void)[] = [];
  private stopped: (() => void) | null = null;

  constructor(private readonly options: EngineSupervisorOptions) {
    this.backoff = new Backoff(options.backoffBaseMs ?? 500, options.backoffCapMs ?? 30_000);
  }

  state(): EngineState {
    return { ...this.current };
  }

  /** Starts the engine; resolves when it first reports ready (restarts continue on their own). */
  start(): Promise<void> {
    this.isStopping = false;
    const ready = this.whenReady();
    this.spawn();
    return ready;
  }

  whenReady(): Promise<void> {
    if (this.current.state === 'running') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  call(method: GateMethod, input: unknown): Promise<ApiResult<unknown>> {
    return this.request((id) => ({ type: 'call', id, method, input })).then(
      (result) => result as ApiResult<unknown>,
    );
  }

  async startDemo(): Promise<DemoResult> {
    const answer = await this.request((id) => ({ type: 'demo', id }));
    const parsed = demoResultSchema.safeParse(answer);
    if (parsed.success) return parsed.data;
    const error = (answer as { error?: { message?: unknown } }).error;
    return {
      ok: false,
      message: typeof error?.message === 'string' ? error.message : 'no answer from the engine',
    };
  }

  /** Asks the engine to stop (closing its database cleanly); ends it by force after the timeout. */
  async stop(): Promise<void> {
    this.isStopping = true;
    this.clearTimers();
    const child = this.child;
    if (!child) {
      this.setState({ state: 'stopped', message: null, retryInMs: null });
      return;
    }
    const exited = new Promise<void>((resolve) => (this.stopped = resolve));
    const force = setTimeout(() => {
      log.warn('the gate engine did not stop in time; ending it');
      child.kill();
    }, this.options.stopTimeoutMs ?? 10_000);
    child.postMessage({ type: 'stop' });
    await exited;
    clearTimeout(force);
  }

  private request(build: (id: number) => ToEngine): Promise<unknown> {
    const child = this.child;
    if (!child || this.current.state !== 'running') return Promise.resolve(this.unavailable());
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      child.postMessage(build(id));
    });
  }

  private unavailable(reason?: string): ApiResult<never> {
    const message =
      reason ??
      (this.current.state === 'restarting'
        ? `the gate engine is restarting (${this.current.message ?? 'it stopped'})`
        : 'the gate engine is starting');
    return { ok: false, error: { code: 'unavailable', message } };
  }

  private spawn(): void {
    this.retryTimer = null;
    this.setState({ state: 'starting', retryInMs: null });
    const child = this.options.fork();
    this.child = child;
    child.on('message', (message) => {
      if (this.child === child) this.receive(child, message);
    });
    child.on('exit', (code) => {
      if (this.child === child) this.exited(code);
    });
    child.postMessage(this.options.startMessage());
  }

  private receive(child: UtilityProcessLike, raw: unknown): void {
    const parsed = fromEngineSchema.safeParse(raw);
    if (!parsed.success) {
      log.warn('ignoring a message from the engine that does not parse', {
        issue: parsed.error.issues[0]?.message,
      });
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.lastFailure = null;
        this.setState({ state: 'running', message: null, retryInMs: null });
        this.stableTimer = setTimeout(() => this.backoff.reset(), this.options.stableMs ?? 60_000);
        this.readyWaiters.splice(0).forEach((resolve) => resolve());
        return;
      case 'failed':
        log.error('the gate engine could not start', { reason: message.message });
        this.lastFailure = message.message;
        child.kill();
        return;
      case 'result': {
        const resolve = this.pending.get(message.id);
        this.pending.delete(message.id);
        resolve?.(message.result);
        return;
      }
      case 'event': {
        const event = gateEventSchema.safeParse(message.event);
        if (event.success) this.options.onEvent(event.data);
        else log.warn('dropping an engine event that does not parse');
        return;
      }
      case 'token':
        try {
          this.options.storeToken(message.token);
        } catch (error) {
          log.error('the relay token could not be stored', { error: String(error) });
        }
        return;
      case 'stopped':
        child.kill();
        return;
      default: {
        const impossible: never = message;
        throw new Error(`unknown engine message ${JSON.stringify(impossible)}`);
      }
    }
  }

  private exited(code: number): void {
    this.child = null;
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.stableTimer = null;
    const reason = this.lastFailure ?? `it stopped with exit code ${code}`;
    for (const [id, resolve] of this.pending) {
      this.pending.delete(id);
      resolve(this.unavailable(`the gate engine stopped before answering (${reason}); try again`));
    }
    if (this.isStopping) {
      log.info('gate engine stopped', { code });
      this.setState({ state: 'stopped', message: null, retryInMs: null });
      this.stopped?.();
      this.stopped = null;
      return;
    }
    const delay = this.backoff.next();
    log.error('the gate engine exited; restarting it', { code, reason, delayMs: delay });
    this.setState({
      state: 'restarting',
      message: reason,
      restarts: this.current.restarts + 1,
      retryInMs: delay,
    });
    this.retryTimer = setTimeout(() => this.spawn(), delay);
  }

  private setState(changes: Partial<EngineState>): void {
    this.current = { ...this.current, ...changes };
    this.options.onState?.(this.state());
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.retryTimer = null;
    this.stableTimer = null;
  }
}
