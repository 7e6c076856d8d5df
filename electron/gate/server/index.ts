/**
 * The headless server: `POST /api/<method>` → the engine's handler table, `/api/events` websocket →
 * live GateEvents, everything else → the built renderer. When a PIN guard is set (non-loopback
 * binding), every API request and the events socket must carry it in `X-Gatehouse-Pin`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  isGateMethod,
  PIN_HEADER as SHARED_PIN_HEADER,
  PIN_SUBPROTOCOL_PREFIX,
  type ApiError,
  type ApiResult,
} from '../../../shared/gate-api.js';
import { createLogger } from '../../../shared/logger.js';
import type { GateEngine } from '../index.js';
import { securityHeaders, serveStatic } from './static.js';

const log = createLogger('gate.server');
export const MAX_BODY_BYTES = 64 * 1024;
export const PIN_HEADER = SHARED_PIN_HEADER.toLowerCase();

/** The PIN carried as a `gatehouse-pin.<PIN>` websocket subprotocol, if any. */
function pinFromProtocols(protocols: string[]): string | undefined {
  const found = protocols.find((protocol) => protocol.startsWith(PIN_SUBPROTOCOL_PREFIX));
  return found?.slice(PIN_SUBPROTOCOL_PREFIX.length);
}

export interface ServerOptions {
  engine: GateEngine;
  host: string;
  port: number;
  staticDir: string;
  /** When set, every API request must carry a PIN this accepts. */
  checkPin?: (pin: string) => Promise<boolean>;
}

const STATUS: Record<ApiError['code'], number> = {
  bad_request: 400,
  unauthorized: 401,
  pin_required: 401,
  not_found: 404,
  unavailable: 503,
  internal: 500,
};

function reply(response: ServerResponse, status: number, body: ApiResult<unknown>): void {
  securityHeaders(response);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

function fail(response: ServerResponse, status: number, code: ApiError['code'], message: string): void {
  reply(response, status, { ok: false, error: { code, message } });
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

export class GateServer {
  private readonly server: Server;
  private readonly sockets: WebSocketServer;
  private unsubscribe: () => void = () => {};

  constructor(private readonly options: ServerOptions) {
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        log.error('request failed', { error: (error as Error).message });
        if (!response.headersSent) fail(response, 500, 'internal', (error as Error).message);
      });
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
      const path = new URL(request.url ?? '/', 'http://gate').pathname;
      void this.isAuthorised(request).then((isAllowed) => {
        if (path !== '/api/events' || !isAllowed) {
          socket.end(
            `HTTP/1.1 ${isAllowed ? '404 Not Found' : '401 Unauthorized'}\r\nConnection: close\r\n\r\n`,
          );
          return;
        }
        this.sockets.handleUpgrade(request, socket, head, (client) =>
          this.sockets.emit('connection', client),
        );
      });
    });
  }

  async start(): Promise<AddressInfo> {
    this.unsubscribe = this.options.engine.onEvent((event) => {
      const text = JSON.stringify(event);
      for (const client of this.sockets.clients) if (client.readyState === client.OPEN) client.send(text);
    });
    await new Promise<void>((resolvePromise, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolvePromise());
    });
    return this.server.address() as AddressInfo;
  }

  async stop(): Promise<void> {
    this.unsubscribe();
    for (const client of this.sockets.clients) client.terminate();
    this.sockets.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolvePromise) => this.server.close(() => resolvePromise()));
  }

  private async isAuthorised(request: IncomingMessage): Promise<boolean> {
    if (!this.options.checkPin) return true;
    const header = request.headers[PIN_HEADER];
    const protocols = request.headers['sec-websocket-protocol'];
    const pin =
      typeof header === 'string' && header !== ''
        ? header
        : pinFromProtocols((protocols ?? '').split(',').map((protocol) => protocol.trim()));
    return pin !== undefined && pin !== '' && (await this.options.checkPin(pin));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://gate').pathname;
    if (path !== '/api' && !path.startsWith('/api/')) {
      serveStatic(this.options.staticDir, request, response);
      return;
    }
    if (!(await this.isAuthorised(request)))
      return fail(
        response,
        401,
        'unauthorized',
        `${PIN_HEADER}: the staff PIN is required for this gate's API`,
      );
    const name = path.slice('/api/'.length);
    if (request.method !== 'POST')
      return fail(response, 405, 'bad_request', 'use POST /api/<method> with a JSON body');
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
    const result = await this.options.engine.handlers[name](input);
    reply(response, result.ok ? 200 : STATUS[result.error.code], result);
  }
}
