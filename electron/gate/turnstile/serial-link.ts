/**
 * One serial port that survives unplugging: opened by path, reopened by path when it comes back
 * (polled with a capped, jittered backoff), with writes that have a deadline. Relay drivers and the
 * serial scanner share it; `acquireSerialLink` hands out one link per path so that the entry and the
 * exit relay on the same board do not fight over the port.
 */
import { statSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { createLogger } from '../../../shared/logger.js';
import { identify, locate, type UsbIdentity } from './usb-identity.js';
import { withTimeout } from './with-timeout.js';

const log = createLogger('gate.serial');

export type LinkState = 'connected' | 'disconnected';

export interface SerialLinkOptions {
  path: string;
  baudRate: number;
  /** Reopen polling: first delay and cap, in ms. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** How often to check that the path still names the device that is open. */
  watchMs?: number;
}

/** The device a path names now (symlinks followed), or null when it is gone. */
function deviceAt(path: string): string | null {
  try {
    const stats = statSync(path);
    return `${stats.dev}:${stats.ino}:${stats.rdev}`;
  } catch {
    return null;
  }
}

export class SerialLink {
  private port: SerialPort | null = null;
  private state: LinkState = 'disconnected';
  private lastProblem: string | null = null;
  private isStopped = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  private watchTimer: NodeJS.Timeout | undefined;
  /** The USB identity of the device last opened, to find it again under another name. */
  private identity: UsbIdentity | null = null;
  private readonly dataListeners = new Set<(chunk: Buffer) => void>();
  private readonly stateListeners = new Set<(state: LinkState) => void>();

  constructor(readonly options: SerialLinkOptions) {
    this.retryDelayMs = options.retryMinMs ?? 100;
  }

  get path(): string {
    return this.options.path;
  }

  get isConnected(): boolean {
    return this.state === 'connected';
  }

  /** Why the port is not open, for the status line. */
  get problem(): string | null {
    return this.lastProblem;
  }

  start(): void {
    if (!this.isStopped) return;
    this.isStopped = false;
    this.open();
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchTimer);
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.setState('disconnected');
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onState(listener: (state: LinkState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Writes and waits until the bytes left for the device (tcdrain), or rejects. */
  write(bytes: Buffer | string, timeoutMs: number): Promise<void> {
    const port = this.port;
    if (!port || !this.isConnected)
      return Promise.reject(new Error(`serial port ${this.path} is not connected`));
    const written = new Promise<void>((resolve, reject) => {
      port.write(bytes, (error) => {
        if (error) return reject(error);
        port.drain((drainError) => (drainError ? reject(drainError) : resolve()));
      });
    });
    return withTimeout(written, timeoutMs, `write to ${this.path}`);
  }

  private open(): void {
    if (this.isStopped) return;
    if (this.identity && deviceAt(this.path) === null) {
      // The configured name is gone; the same board may be back under another one.
      const identity = this.identity;
      void locate(identity).then(
        (elsewhere) => this.openAt(elsewhere ?? this.path),
        () => this.openAt(this.path),
      );
      return;
    }
    this.openAt(this.path);
  }

  private openAt(path: string): void {
    if (this.isStopped) return;
    const port = new SerialPort({ path, baudRate: this.options.baudRate, autoOpen: false });
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      for (const listener of this.dataListeners) listener(chunk);
    });
    port.on('error', (error) => log.debug('port error', { path: this.path, error: error.message }));
    port.on('close', () => this.lose(port, `serial port ${this.path} closed`));
    port.open((error) => {
      if (this.port !== port) {
        if (!error) port.close();
        return;
      }
      if (error) {
        this.port = null;
        this.lastProblem = `cannot open ${path}: ${error.message}`;
        this.scheduleReopen();
        return;
      }
      this.retryDelayMs = this.options.retryMinMs ?? 100;
      this.lastProblem = null;
      log.info('serial port open', { path, configured: this.path, baud: this.options.baudRate });
      this.watch(port, path);
      void identify(path).then(
        (identity) => (this.identity = identity ?? this.identity),
        () => undefined,
      );
      this.setState('connected');
    });
  }

  /**
   * A hung-up tty can read as endless empty reads instead of an error, so the port alone may never
   * say it is gone. The path is the truth: when it disappears or names another device, the port is lost.
   */
  private watch(port: SerialPort, path: string): void {
    const opened = deviceAt(path);
    clearInterval(this.watchTimer);
    this.watchTimer = setInterval(() => {
      if (this.port !== port) return clearInterval(this.watchTimer);
      if (deviceAt(path) !== opened) this.lose(port, `serial port ${path} was unplugged`);
    }, this.options.watchMs ?? 500);
    this.watchTimer.unref();
  }

  private lose(port: SerialPort, problem: string): void {
    if (this.port !== port) return;
    this.port = null;
    clearInterval(this.watchTimer);
    if (port.isOpen) port.close(() => {});
    this.lastProblem = problem;
    log.warn('serial port lost; polling for it', { path: this.path, problem });
    this.setState('disconnected');
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.isStopped) return;
    clearTimeout(this.retryTimer);
    const jitter = 0.8 + Math.random() * 0.4;
    this.retryTimer = setTimeout(() => this.open(), Math.round(this.retryDelayMs * jitter));
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.retryMaxMs ?? 1000);
  }

  private setState(next: LinkState): void {
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.stateListeners) listener(next);
  }
}

const shared = new Map<string, { link: SerialLink; users: number }>();

/** One link per path, counted; the last `release` stops it. */
export function acquireSerialLink(options: SerialLinkOptions): {
  link: SerialLink;
  release: () => Promise<void>;
} {
  let entry = shared.get(options.path);
  if (!entry) {
    entry = { link: new SerialLink(options), users: 0 };
    shared.set(options.path, entry);
  } else if (entry.link.options.baudRate !== options.baudRate) {
    log.warn('serial port already open at another baud rate; keeping the first', { path: options.path });
  }
  entry.users += 1;
  const held = entry;
  let isReleased = false;
  return {
    link: held.link,
    release: async () => {
      if (isReleased) return;
      isReleased = true;
      held.users -= 1;
      if (held.users > 0) return;
      shared.delete(options.path);
      await held.link.stop();
    },
  };
}
