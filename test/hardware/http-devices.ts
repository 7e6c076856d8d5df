/**
 * Real HTTP servers on 127.0.0.1 port 0 that behave like the network relays: Shelly Gen1 (Basic
 * auth optional), Shelly Gen2 JSON-RPC (Digest SHA-256 when a password is set, as the firmware does)
 * and a generic controller. Each records what it was asked and can be told to fail.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

abstract class FakeDevice {
  readonly hits: Hit[] = [];
  /** HTTP status to answer every request with instead of behaving; null = behave. */
  failWith: number | null = null;
  private server: Server | null = null;
  url = '';

  protected abstract handle(hit: Hit, response: ServerResponse): void;

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const hit = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body,
          at: performance.now(),
        };
        this.hits.push(hit);
        if (this.failWith !== null) return json(response, this.failWith, { error: 'told to fail' });
        this.handle(hit, response);
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function json(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

export class ShellyGen1 extends FakeDevice {
  isOn = false;
  inputs: (0 | 1)[] = [0, 0];
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly credentials: { username: string; password: string } | null = null) {
    super();
  }

  protected handle(hit: Hit, response: ServerResponse): void {
    if (this.credentials) {
      const expected = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
      if (hit.headers.authorization !== expected) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="shelly1-test"' }).end('401 Unauthorized');
        return;
      }
    }
    const url = new URL(hit.url, 'http://device');
    if (url.pathname === '/shelly')
      return json(response, 200, { type: 'SHSW-1', auth: this.credentials !== null });
    if (url.pathname === '/status')
      return json(response, 200, { inputs: this.inputs.map((input) => ({ input })) });
    if (url.pathname === '/relay/0') {
      const timer = Number(url.searchParams.get('timer') ?? 0);
      this.isOn = url.searchParams.get('turn') === 'on';
      clearTimeout(this.timer);
      if (this.isOn && timer > 0) this.timer = setTimeout(() => (this.isOn = false), timer * 1000);
      return json(response, 200, { ison: this.isOn, has_timer: timer > 0, timer_duration: timer });
    }
    json(response, 404, { error: 'not found' });
  }

  override async stop(): Promise<void> {
    clearTimeout(this.timer);
    await super.stop();
  }
}

/** Digest as Shelly Gen2 does it: realm = device id, SHA-256, qop=auth, user `admin`. */
export class ShellyGen2 extends FakeDevice {
  readonly switches = new Map<number, boolean>();
  /** Every switch change, including the device's own toggle_after, with the time. */
  readonly switchLog: { id: number; isOn: boolean; at: number }[] = [];
  inputs = new Map<number, boolean>();
  readonly calls: { method: string; params: Record<string, unknown>; at: number }[] = [];
  private readonly nonces = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  constructor(private readonly password: string | null = null) {
    super();
  }

  private isAuthorized(hit: Hit): boolean {
    const header = hit.headers.authorization ?? '';
    if (!header.startsWith('Digest ')) return false;
    const fields = new Map(
      [...header.slice(7).matchAll(/(\w+)="?([^",]*)"?/g)].map((match) => [match[1] ?? '', match[2] ?? '']),
    );
    const nonce = fields.get('nonce') ?? '';
    if (fields.get('username') !== 'admin' || !this.nonces.has(nonce) || fields.get('uri') !== hit.url)
      return false;
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const ha1 = sha(`admin:shellypro1-test:${this.password ?? ''}`);
    const ha2 = sha(`${hit.method}:${hit.url}`);
    const expected = sha(`${ha1}:${nonce}:${fields.get('nc')}:${fields.get('cnonce')}:auth:${ha2}`);
    return fields.get('qop') === 'auth' && fields.get('response') === expected;
  }

  private setSwitch(id: number, isOn: boolean): void {
    this.switches.set(id, isOn);
    this.switchLog.push({ id, isOn, at: performance.now() });
  }

  protected handle(hit: Hit, response: ServerResponse): void {
    if (this.password !== null && !this.isAuthorized(hit)) {
      const nonce = randomBytes(8).toString('hex');
      this.nonces.add(nonce);
      response
        .writeHead(401, {
          'www-authenticate': `Digest qop="auth", realm="shellypro1-test", nonce="${nonce}", algorithm=SHA-256`,
        })
        .end();
      return;
    }
    if (hit.method !== 'POST' || hit.url !== '/rpc') return json(response, 404, { error: 'not found' });
    const request = JSON.parse(hit.body) as { id: number; method: string; params?: Record<string, unknown> };
    const params = request.params ?? {};
    this.calls.push({ method: request.method, params, at: hit.at });
    const reply = (result: unknown) =>
      json(response, 200, { id: request.id, src: 'shellypro1-test', result });
    switch (request.method) {
      case 'Shelly.GetDeviceInfo':
        return reply({ id: 'shellypro1-test', gen: 2, auth_en: this.password !== null });
      case 'Switch.Set': {
        const id = Number(params.id ?? 0);
        if (id > 1)
          return json(response, 200, {
            id: request.id,
            error: { code: -105, message: `Argument 'id', value ${id} not found!` },
          });
        const wasOn = this.switches.get(id) ?? false;
        this.setSwitch(id, params.on === true);
        const after = Number(params.toggle_after ?? 0);
        if (after > 0) {
          const timer = setTimeout(() => {
            this.setSwitch(id, params.on !== true);
            this.timers.delete(timer);
          }, after * 1000);
          this.timers.add(timer);
        }
        return reply({ was_on: wasOn });
      }
      case 'Input.GetStatus':
        return reply({ id: Number(params.id ?? 0), state: this.inputs.get(Number(params.id ?? 0)) ?? false });
      default:
        return json(response, 200, {
          id: request.id,
          error: { code: 404, message: `No handler for ${request.method}` },
        });
    }
  }

  override async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    await super.stop();
  }
}

/** A gate controller with an HTTP "open" endpoint: answers `status` to everything. */
export class GenericController extends FakeDevice {
  status = 204;
  /** When set, requests are read but never answered (a hung controller). */
  isHanging = false;
  protected handle(_hit: Hit, response: ServerResponse): void {
    if (this.isHanging) return;
    response.writeHead(this.status).end();
  }
}
