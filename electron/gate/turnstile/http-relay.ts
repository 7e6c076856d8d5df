/**
 * A controller with an HTTP endpoint: method, URL, headers and a body template with `{direction}`,
 * `{barcode}`, `{gate}` and `{pulseMs}`, each escaped for where it lands (URL, JSON, form, text).
 * The controller times the pulse itself. Its probe only checks that the host accepts a TCP
 * connection, because any request to an "open" endpoint might open the gate.
 */
import { connect } from 'node:net';
import type { Direction } from '../../../shared/scans.js';
import type { HttpTurnstileSettings } from '../../../shared/turnstile.js';
import { DeviceHttp, expectOk } from './http-client.js';
import type { Actuator, OpenContext } from './types.js';

const DEFAULT_BODY = '{"direction":"{direction}","barcode":"{barcode}","gate":"{gate}","pulseMs":{pulseMs}}';

type Escape = (value: string) => string;

export function fillTemplate(template: string, values: Record<string, string>, escape: Escape): string {
  return template.replace(/\{(direction|barcode|gate|pulseMs)\}/g, (_whole, name: string) =>
    escape(values[name] ?? ''),
  );
}

function bodyEscape(contentType: string): Escape {
  if (/json/i.test(contentType)) return (value) => JSON.stringify(value).slice(1, -1);
  if (/x-www-form-urlencoded/i.test(contentType)) return encodeURIComponent;
  return (value) => value;
}

export class HttpRelay implements Actuator {
  readonly driver = 'http';
  private readonly http = new DeviceHttp();
  private readonly method: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(
    private readonly url: string,
    private readonly settings: HttpTurnstileSettings,
    defaultTimeoutMs: number,
  ) {
    this.method = settings.method ?? 'POST';
    this.timeoutMs = settings.timeoutMs ?? defaultTimeoutMs;
    const headers = Object.fromEntries(
      Object.entries(settings.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    if (this.method !== 'GET' && !headers['content-type']) headers['content-type'] = 'application/json';
    this.headers = headers;
  }

  async turnOn(pulseMs: number, context: OpenContext & { direction: Direction }): Promise<void> {
    const values = {
      direction: context.direction,
      barcode: context.barcode ?? '',
      gate: context.gate ?? '',
      pulseMs: String(pulseMs),
    };
    const url = fillTemplate(this.url, values, encodeURIComponent);
    const body =
      this.method === 'GET'
        ? undefined
        : fillTemplate(
            this.settings.bodyTemplate ?? DEFAULT_BODY,
            values,
            bodyEscape(this.headers['content-type'] ?? ''),
          );
    const answer = await this.http.request({
      method: this.method,
      url,
      headers: this.headers,
      body,
      timeoutMs: this.timeoutMs,
    });
    expectOk(answer, `${this.method} ${new URL(url).pathname}`, this.settings.expectStatus);
  }

  probe(): Promise<void> {
    const target = new URL(this.url.replace(/\{\w+\}/g, 'x'));
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.hostname.replace(/^\[|\]$/g, ''), port });
      socket.setTimeout(this.timeoutMs, () =>
        socket.destroy(new Error(`connect to ${target.host} timed out`)),
      );
      socket.once('connect', () => {
        socket.end();
        resolve();
      });
      socket.once('error', reject);
    });
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
