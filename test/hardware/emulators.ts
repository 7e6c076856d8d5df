/**
 * Small device emulators on the far end of a pty: an LCUS relay (records every byte it receives,
 * with the time) and a Numato board (echo, `>` prompt, relay and GPIO commands).
 */
import { SerialPort } from 'serialport';

export interface Received {
  bytes: Buffer;
  at: number;
}

export async function openPort(path: string, baudRate: number): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return port;
}

export async function closePort(port: SerialPort): Promise<void> {
  if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
}

/** Collects the bytes a write-only relay board receives and cuts them into fixed-size frames. */
export class FrameRecorder {
  readonly chunks: Received[] = [];
  private constructor(private readonly port: SerialPort) {
    port.on('data', (bytes: Buffer) => this.chunks.push({ bytes, at: performance.now() }));
  }

  static async open(path: string, baudRate = 9600): Promise<FrameRecorder> {
    return new FrameRecorder(await openPort(path, baudRate));
  }

  /** All bytes so far as hex frames of `size` bytes, each with the time its last byte arrived. */
  frames(size = 4): { hex: string; at: number }[] {
    const out: { hex: string; at: number }[] = [];
    let pending = Buffer.alloc(0);
    for (const chunk of this.chunks) {
      pending = Buffer.concat([pending, chunk.bytes]);
      while (pending.length >= size) {
        out.push({ hex: pending.subarray(0, size).toString('hex'), at: chunk.at });
        pending = pending.subarray(size);
      }
    }
    return out;
  }

  close(): Promise<void> {
    return closePort(this.port);
  }
}

/** A Numato USB relay board: echoes each CR-ended command, answers, then prints `\n\r>`. */
export class NumatoEmulator {
  readonly commands: { text: string; at: number }[] = [];
  readonly relays = new Map<string, boolean>();
  readonly gpio = new Map<string, 0 | 1>();
  /** When false the board goes silent (no echo, no prompt), like a hung firmware. */
  isAnswering = true;
  private buffer = '';

  private constructor(private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      let end = this.buffer.indexOf('\r');
      while (end !== -1) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        this.handle(text);
        end = this.buffer.indexOf('\r');
      }
    });
  }

  static async open(path: string): Promise<NumatoEmulator> {
    return new NumatoEmulator(await openPort(path, 19200));
  }

  private handle(text: string): void {
    this.commands.push({ text, at: performance.now() });
    if (!this.isAnswering) return;
    const [verb, action, index = ''] = text.trim().split(/\s+/);
    let answer = '';
    if (verb === 'relay' && (action === 'on' || action === 'off')) this.relays.set(index, action === 'on');
    else if (verb === 'gpio' && action === 'read') answer = `${this.gpio.get(index) ?? 0}\n\r`;
    else if (verb === 'ver') answer = '00000008\n\r';
    this.port.write(`${text}\n\r${answer}>`);
  }

  close(): Promise<void> {
    return closePort(this.port);
  }
}
