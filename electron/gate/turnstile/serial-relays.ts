/**
 * Write-only serial relay boards: LCUS (CH340, 1–8 channels) and raw operator-given frames. Neither
 * answers, so the probe is "the port is open" and failures show up as `disconnected`.
 */
import { acquireSerialLink, type SerialLink } from './serial-link.js';
import type { Actuator } from './types.js';

/** LCUS frame: `A0 <channel> <0|1> <sum>`, the sum being the low byte of the first three. */
export function lcusFrame(channel: number, isOn: boolean): Buffer {
  const state = isOn ? 1 : 0;
  return Buffer.from([0xa0, channel, state, (0xa0 + channel + state) & 0xff]);
}

export interface SerialTiming {
  operationTimeoutMs: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  watchMs?: number;
}

/** A serial actuator that writes one frame for on and one for off. */
export class FrameRelay implements Actuator {
  readonly link: SerialLink;
  private readonly release: () => Promise<void>;
  readonly connection: NonNullable<Actuator['connection']>;

  constructor(
    readonly driver: string,
    path: string,
    baudRate: number,
    private readonly onFrame: Buffer,
    private readonly offFrame: Buffer,
    private readonly timing: SerialTiming,
  ) {
    const held = acquireSerialLink({
      path,
      baudRate,
      retryMinMs: timing.retryMinMs,
      retryMaxMs: timing.retryMaxMs,
      watchMs: timing.watchMs,
    });
    this.link = held.link;
    this.release = held.release;
    this.connection = describeLink(this.link);
  }

  turnOn(): Promise<void> {
    return this.link.write(this.onFrame, this.timing.operationTimeoutMs);
  }

  turnOff(): Promise<void> {
    return this.link.write(this.offFrame, this.timing.operationTimeoutMs);
  }

  async probe(): Promise<void> {
    if (!this.link.isConnected) throw new Error(`serial port ${this.link.path} is not connected`);
  }

  async start(): Promise<void> {
    this.link.start();
  }

  stop(): Promise<void> {
    return this.release();
  }
}

export function describeLink(link: SerialLink): NonNullable<Actuator['connection']> {
  return {
    isConnected: () => link.isConnected,
    describe: () => link.problem ?? `serial port ${link.path} is not connected`,
    onChange: (listener) => link.onState(listener),
  };
}

export function createLcusRelay(path: string, channel: number, timing: SerialTiming): FrameRelay {
  return new FrameRelay('lcus', path, 9600, lcusFrame(channel, true), lcusFrame(channel, false), timing);
}

export function createRawSerialRelay(
  path: string,
  baud: number,
  onHex: string,
  offHex: string,
  timing: SerialTiming,
): FrameRelay {
  return new FrameRelay('serial', path, baud, Buffer.from(onHex, 'hex'), Buffer.from(offHex, 'hex'), timing);
}
