/**
 * Shelly network relays. Both generations time the pulse on the device (Gen1 `timer`, Gen2
 * `toggle_after`), so the turnstile closes even if the gate PC dies mid-pulse; no host-side off.
 * Gen1: `GET /relay/0?turn=on&timer=S`, inputs in `GET /status`, Basic auth.
 * Gen2+: `POST /rpc` `Switch.Set`, `Input.GetStatus` for the passage contact, Digest auth (user admin).
 */
import { z } from 'zod';
import { DeviceHttp, expectOk } from './http-client.js';
import type { Actuator } from './types.js';

const gen1StatusSchema = z.object({ inputs: z.array(z.object({ input: z.number() })) });
const rpcAnswerSchema = z.union([
  z.object({ result: z.unknown() }),
  z.object({ error: z.object({ code: z.number(), message: z.string() }) }),
]);
const inputStatusSchema = z.object({ state: z.boolean().nullable() });

const seconds = (ms: number) => Math.round(ms) / 1000;
const trimSlash = (url: string) => url.replace(/\/+$/, '');

export class ShellyGen1Relay implements Actuator {
  readonly driver = 'shelly1';
  private readonly http = new DeviceHttp();
  private readonly base: string;
  readPassage?: () => Promise<boolean>;

  constructor(
    url: string,
    passageInput: number | null,
    private readonly timeoutMs: number,
  ) {
    this.base = trimSlash(url);
    if (passageInput !== null) this.readPassage = () => this.readInput(passageInput);
  }

  async turnOn(pulseMs: number): Promise<void> {
    const answer = await this.http.request({
      method: 'GET',
      url: `${this.base}/relay/0?turn=on&timer=${seconds(pulseMs)}`,
      timeoutMs: this.timeoutMs,
    });
    expectOk(answer, 'shelly relay/0');
  }

  private async readInput(input: number): Promise<boolean> {
    const answer = await this.http.request({
      method: 'GET',
      url: `${this.base}/status`,
      timeoutMs: this.timeoutMs,
    });
    expectOk(answer, 'shelly status');
    const status = gen1StatusSchema.parse(JSON.parse(answer.text));
    const value = status.inputs[input];
    if (!value) throw new Error(`shelly has no input ${input}`);
    return value.input === 1;
  }

  async probe(): Promise<void> {
    expectOk(
      await this.http.request({ method: 'GET', url: `${this.base}/shelly`, timeoutMs: this.timeoutMs }),
      'shelly',
    );
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

export class ShellyGen2Relay implements Actuator {
  readonly driver = 'shelly2';
  private readonly http = new DeviceHttp();
  private readonly endpoint: string;
  private nextId = 1;
  readPassage?: () => Promise<boolean>;

  constructor(
    url: string,
    private readonly switchId: number,
    passageInput: number | null,
    private readonly timeoutMs: number,
  ) {
    this.endpoint = `${trimSlash(url)}/rpc`;
    if (passageInput !== null) this.readPassage = () => this.readInput(passageInput);
  }

  /** One JSON-RPC call; an RPC error (even inside HTTP 200) is thrown with Shelly's own message. */
  async call(method: string, params: Record<string, unknown>): Promise<unknown> {
    const body = JSON.stringify({ id: this.nextId++, method, params });
    const answer = await this.http.request({
      method: 'POST',
      url: this.endpoint,
      headers: { 'content-type': 'application/json' },
      body,
      timeoutMs: this.timeoutMs,
    });
    expectOk(answer, `shelly ${method}`);
    const parsed = rpcAnswerSchema.parse(JSON.parse(answer.text));
    if ('error' in parsed)
      throw new Error(`shelly ${method}: ${parsed.error.message} (${parsed.error.code})`);
    return parsed.result;
  }

  async turnOn(pulseMs: number): Promise<void> {
    await this.call('Switch.Set', { id: this.switchId, on: true, toggle_after: seconds(pulseMs) });
  }

  private async readInput(input: number): Promise<boolean> {
    return inputStatusSchema.parse(await this.call('Input.GetStatus', { id: input })).state === true;
  }

  async probe(): Promise<void> {
    await this.call('Shelly.GetDeviceInfo', {});
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
