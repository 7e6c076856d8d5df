/**
 * Numato USB relay boards speak ASCII lines ending in CR: `relay on N`, `relay off N`, `gpio read N`.
 * The board echoes each command and ends every answer with a `>` prompt, so one command is in flight
 * at a time per port (the entry and exit relays on one board share the session). A GPIO input can be
 * the passage sensor.
 */
import { acquireSerialLink, type SerialLink } from './serial-link.js';
import { describeLink, type SerialTiming } from './serial-relays.js';
import type { Actuator } from './types.js';
import { withTimeout } from './with-timeout.js';

/** Numato numbers relays and GPIOs 0–9 then A–V. */
export function numatoIndex(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 31)
    throw new Error(`Numato index must be 0–31, got ${index}`);
  return index < 10 ? String(index) : String.fromCharCode(65 + index - 10);
}

interface Waiter {
  command: string;
  resolve: (answer: string) => void;
}

export class NumatoSession {
  private buffer = '';
  private waiter: Waiter | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly link: SerialLink) {
    link.onData((chunk) => {
      this.buffer += chunk.toString('latin1');
      this.deliver();
    });
    // Whatever was half-received before an unplug belongs to no command.
    link.onState(() => {
      this.buffer = '';
    });
  }

  /** Sends one command and resolves with the answer, echo and prompt removed. */
  command(text: string, timeoutMs: number): Promise<string> {
    const run = async () => {
      this.buffer = '';
      const answer = new Promise<string>((resolve) => {
        this.waiter = { command: text, resolve };
      });
      try {
        await this.link.write(`${text}\r`, timeoutMs);
        return await withTimeout(answer, timeoutMs, `numato "${text}"`);
      } finally {
        this.waiter = null;
      }
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private deliver(): void {
    const prompt = this.buffer.indexOf('>');
    if (prompt === -1 || !this.waiter) return;
    const text = this.buffer.slice(0, prompt);
    this.buffer = this.buffer.slice(prompt + 1);
    const lines = text
      .split(/[\r\n]+/)
      .map((line) => line.trim())
      .filter(Boolean);
    if (lines[0] === this.waiter.command) lines.shift();
    this.waiter.resolve(lines.join('\n'));
  }
}

const sessions = new WeakMap<SerialLink, NumatoSession>();

export class NumatoRelay implements Actuator {
  readonly driver = 'numato';
  readonly connection: NonNullable<Actuator['connection']>;
  private readonly link: SerialLink;
  private readonly session: NumatoSession;
  private readonly release: () => Promise<void>;
  private readonly relay: string;
  private readonly gpio: string | null;
  readPassage?: () => Promise<boolean>;

  constructor(
    path: string,
    relay: number,
    passageInput: number | null,
    private readonly timing: SerialTiming,
  ) {
    const held = acquireSerialLink({
      path,
      baudRate: 19200,
      retryMinMs: timing.retryMinMs,
      retryMaxMs: timing.retryMaxMs,
      watchMs: timing.watchMs,
    });
    this.link = held.link;
    this.release = held.release;
    this.connection = describeLink(this.link);
    let session = sessions.get(this.link);
    if (!session) {
      session = new NumatoSession(this.link);
      sessions.set(this.link, session);
    }
    this.session = session;
    this.relay = numatoIndex(relay);
    this.gpio = passageInput === null ? null : numatoIndex(passageInput);
    if (this.gpio !== null) this.readPassage = () => this.readGpio();
  }

  async turnOn(): Promise<void> {
    await this.session.command(`relay on ${this.relay}`, this.timing.operationTimeoutMs);
  }

  async turnOff(): Promise<void> {
    await this.session.command(`relay off ${this.relay}`, this.timing.operationTimeoutMs);
  }

  private async readGpio(): Promise<boolean> {
    const answer = await this.session.command(`gpio read ${this.gpio ?? ''}`, this.timing.operationTimeoutMs);
    if (answer !== '0' && answer !== '1') throw new Error(`numato gpio read answered "${answer}"`);
    return answer === '1';
  }

  async probe(): Promise<void> {
    await this.session.command('ver', this.timing.operationTimeoutMs);
  }

  async start(): Promise<void> {
    this.link.start();
  }

  stop(): Promise<void> {
    return this.release();
  }
}
