/**
 * Raw HTTP and websocket requests with full control of the headers a browser or an attacker sends
 * (Host, Origin, Content-Type) and of the source address (any 127.0.0.x is loopback on Linux).
 */
import { request } from 'node:http';
import { WebSocket } from 'ws';

export interface RawAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface RawRequest {
  port: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Source address, e.g. 127.0.0.2, to look like another client. */
  localAddress?: string;
}

export function rawRequest(options: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: options.path,
        method: options.method ?? 'POST',
        headers: options.headers ?? {},
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** A JSON API call with chosen extra headers (default content type application/json). */
export function apiCall(
  port: number,
  method: string,
  input: unknown,
  headers: Record<string, string> = {},
  localAddress?: string,
): Promise<RawAnswer> {
  return rawRequest({
    port,
    path: `/api/${method}`,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
    localAddress,
  });
}

/** The HTTP status of a websocket upgrade to `path` with the given headers: 101 when it opened. */
export function upgradeStatus(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  protocols: string[] = [],
): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols, { headers });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      resolve(101);
      socket.close();
    });
    socket.on('error', () => resolve(0));
  });
}
