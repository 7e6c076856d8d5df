/**
 * The headless server: `POST /api/<method>` → the engine's handler table, `/api/events` websocket →
 * live GateEvents, everything else → the built renderer. It answers only its own host and origin
 * (see origin.ts), takes only JSON bodies, and caps connections and slow clients (limits.ts). When a
 * PIN guard is set (non-loopback binding), every API request and the events socket must carry it in
 * `X-Gatehouse-Pin`; wrong guesses are limited per client address like any PIN.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import {
  isGateMethod,
  PIN_HEADER as SHARED_PIN_HEADER,
  PIN_SUBPROTOCOL_PREFIX,
  type ApiError,
  type ApiResult,
} from '../../../shared/gate-api.js';
import { createLogger } from '../../../shared/logger.js';
import type { CallContext } from '../api.js';
import type { GateEngine } from '../index.js';
import {
  capConnections,
  GATE_MAX_CONNECTIONS,
  GATE_MAX_CONNECTIONS_PER_ADDRESS,
  GATE_TIMEOUTS,
} from './limits.js';
import { isOwnHost, isOwnOrigin, normaliseAddress } from './origin.js';
import { securityHeaders, serveStatic } from './static.js';

const log = createLogger('gate.server');
export const MAX_BODY_BYTES = 64 * 1024;
export const PIN_HEADER = SHARED_PIN_HEADER.toLowerCase();

/** The PIN carried as a `gatehouse-pin.<PIN>` websocket subprotocol, if any. */
function pinFromProtocols(protocols: string[]): string | undefined {
  const found = protocols.find((protocol) => protocol.startsWith(PIN_SUBPROTOCOL_PREFIX));
  return found?.slice(PIN_SUBPROTOCOL_PREFIX.length);
}

/** The outcome of the access PIN check of a guarded server. */
export type AccessCheck = { ok: true } | { ok: false; error: ApiError };

export interface ServerOptions {
  engine: GateEngine;
  host: string;
  port: number;
  staticDir: string;
  /** Extra names this gate answers to (--public-host), besides its addresses and `localhost`. */
  publicHosts?: readonly string[];
  /** When set, every API request must carry a PIN this accepts. */
  checkPin?: (pin: string, context: CallContext) => Promise<AccessCheck>;
}

const STATUS: Record<ApiError['code'], number> = {
  bad_request: 400,
  unauthorized: 401,
  pin_required: 401,
  forbidden: 403,
  not_found: 404,
  pin_locked: 429,
  unavailable: 503,
  internal: 500,
};

function reply(response: ServerResponse, status: number, body: ApiResult<unknown>): void {
  securityHeaders(response);
  const retryAfter = body.ok ? undefined : body.error.retryAfterSeconds;
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...(retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) }),
  });
  response.end(JSON.stringify(body));
}

function fail(response: ServerResponse, status: number, code: ApiError['code'], message: string): void {
  reply(response, status, { ok: false, error: { code, message } });
}

function refuseUpgrade(socket: Duplex, status: string, headers: Record<string, string> = {}): void {
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${extra.join('')}\r\n`);
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function clientOf(request: IncomingMessage): CallContext {
  return { client: normaliseAddress(request.socket.remoteAddress ?? 'unknown') };
}

export class GateServer {
  private readonly server: Server;
  private readonly sockets: WebSocketServer;
  private unsubscribe: () => void = () => {};

  constructor(private readonly options: ServerOptions) {
    this.server = createServer(
      {
        headersTimeout: GATE_TIMEOUTS.headersTimeout,
        requestTimeout: GATE_TIMEOUTS.requestTimeout,
        connectionsCheckingInterval: GATE_TIMEOUTS.connectionsCheckingInterval,
      },
      (request, response) => {
        this.route(request, response).catch((error: unknown) => {
          // A client that went away (or was cut off with 408) leaves nothing to answer.
          if (request.destroyed || response.destroyed) return;
          log.error('request failed', { error: (error as Error).message });
          if (!response.headersSent) fail(response, 500, 'internal', (error as Error).message);
        });
      },
    );
    this.server.keepAliveTimeout = GATE_TIMEOUTS.keepAliveTimeout;
    capConnections(this.server, {
      total: GATE_MAX_CONNECTIONS,
      perAddress: GATE_MAX_CONNECTIONS_PER_ADDRESS,
    });
    this.sockets = new WebSocketServer({
      noServer: true,
      maxPayload: 1024,
      // A browser sends the PIN as a subprotocol; the handshake must name the one it accepted.
      handleProtocols: (protocols) =>
        [...protocols].find((protocol) => protocol.startsWith(PIN_SUBPROTOCOL_PREFIX)) ?? false,
    });
    // A new client starts from the current status instead of waiting for the next change.
    this.sockets.on('connection', (client) => {
      void this.options.engine.handlers.status({}).then((result) => {
        if (result.ok && client.readyState === client.OPEN)
          client.send(JSON.stringify({ type: 'status', status: result.value }));
      });
    });
    this.server.on('upgrade', (request, socket, head) => {
      socket.on('error', () => socket.destroy());
      void this.upgrade(request, socket, head).catch((error: unknown) => {
        log.error('websocket upgrade failed', { error: (error as Error).message });
        socket.destroy();
      });
    });
  }

  async start(): Promise<AddressInfo> {
    await new Promise<void>((resolvePromise, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolvePromise();
      });
    });
    this.unsubscribe = this.options.engine.onEvent((event) => {
      const text = JSON.stringify(event);
      for (const client of this.sockets.clients) if (client.readyState === client.OPEN) client.send(text);
    });
    return this.server.address() as AddressInfo;
  }

  async stop(): Promise<void> {
    this.unsubscribe();
    for (const client of this.sockets.clients) client.terminate();
    this.sockets.close();
    this.server.closeAllConnections();
    if (!this.server.listening) return;
    await new Promise<void>((resolvePromise) => this.server.close(() => resolvePromise()));
  }

  private isOwnHost(request: IncomingMessage): boolean {
    return isOwnHost(
      { listenHost: this.options.host, publicHosts: this.options.publicHosts ?? [] },
      request.headers.host,
      request.socket.localAddress,
    );
  }

  private isOwnOrigin(request: IncomingMessage): boolean {
    return isOwnOrigin(request.headers.origin, request.headers.host);
  }

  /** The access PIN of a guarded server, from the header or (websocket) a subprotocol. */
  private async checkAccess(request: IncomingMessage): Promise<AccessCheck> {
    if (!this.options.checkPin) return { ok: true };
    const header = request.headers[PIN_HEADER];
    const protocols = request.headers['sec-websocket-protocol'];
    const pin =
      typeof header === 'string' && header !== ''
        ? header
        : pinFromProtocols((protocols ?? '').split(',').map((protocol) => protocol.trim()));
    if (pin === undefined || pin === '')
      return {
        ok: false,
        error: {
          code: 'unauthorized',
          message: `${PIN_HEADER}: the staff PIN is required for this gate's API`,
        },
      };
    return this.options.checkPin(pin, clientOf(request));
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (!this.isOwnHost(request) || !this.isOwnOrigin(request)) return refuseUpgrade(socket, '403 Forbidden');
    const path = new URL(request.url ?? '/', 'http://gate').pathname;
    if (path !== '/api/events') return refuseUpgrade(socket, '404 Not Found');
    const access = await this.checkAccess(request);
    if (!access.ok) {
      const locked = access.error.code === 'pin_locked';
      return refuseUpgrade(
        socket,
        locked ? '429 Too Many Requests' : '401 Unauthorized',
        locked ? { 'Retry-After': String(access.error.retryAfterSeconds ?? 1) } : {},
      );
    }
    this.sockets.handleUpgrade(request, socket, head, (client) => this.sockets.emit('connection', client));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://gate').pathname;
    const isApi = path === '/api' || path.startsWith('/api/');
    if (!this.isOwnHost(request)) {
      if (isApi)
        return fail(response, 403, 'forbidden', 'host: not this gate (use its address or --public-host)');
      securityHeaders(response);
      response.writeHead(403, { 'Content-Type': 'text/plain' }).end('forbidden: not this gate\n');
      return;
    }
    if (!isApi) {
      serveStatic(this.options.staticDir, request, response);
      return;
    }
    if (!this.isOwnOrigin(request))
      return fail(response, 403, 'forbidden', 'origin: requests from other sites are refused');
    if (request.method !== 'POST')
      return fail(response, 405, 'bad_request', 'use POST /api/<method> with a JSON body');
    if (!isJson(request.headers['content-type']))
      return fail(response, 415, 'bad_request', 'content-type: must be application/json');
    const access = await this.checkAccess(request);
    if (!access.ok) return fail401or429(response, access.error);
    const name = path.slice('/api/'.length);
    if (!isGateMethod(name)) return fail(response, 404, 'not_found', `unknown method "${name}"`);
    const body = await readBody(request);
    if (body === null) return fail(response, 413, 'bad_request', `body: larger than ${MAX_BODY_BYTES} bytes`);
    let input: unknown = {};
    if (body.trim() !== '') {
      try {
        input = JSON.parse(body);
      } catch {
        return fail(response, 400, 'bad_request', '(body): not JSON');
      }
    }
    const result = await this.options.engine.handlers[name](input, clientOf(request));
    reply(response, result.ok ? 200 : STATUS[result.error.code], result);
  }
}

function fail401or429(response: ServerResponse, error: ApiError): void {
  const code = error.code === 'pin_locked' ? 'pin_locked' : 'unauthorized';
  reply(response, STATUS[code], { ok: false, error: { ...error, code } });
}
