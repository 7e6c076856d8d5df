/**
 * A mock of the Moshtix GraphQL API (a stand-in: the real one is on the internet), for tests and
 * `gatehouse sim api`. It is a real GraphQL server (graphql-js over the schema in
 * moshtix-api-schema.ts) that behaves the way moshtix-api.md describes the real one: POST {query,
 * variables}, the token as a `viewer(token:)` argument, HTTP 200 with `errors[]` on any failure,
 * connections paged with pageIndex/pageSize (nested ones too). It records every request so tests can
 * check what the relay sent. Supported: login, viewer { saveWebhook, getWebhooks, getOrders, getOrder }.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { graphql, type GraphQLFormattedError } from 'graphql';
import {
  ADMIN_ROLE,
  DEFAULT_NESTED_PAGE_SIZE,
  mockMoshtixSchema,
  rootFor,
  type MockOperation,
  type MockState,
  type MockWebhook,
} from './moshtix-api-schema.js';

export { ADMIN_ROLE, MOCK_EVENT_TYPES, ORDERS_ROLE, type MockWebhook } from './moshtix-api-schema.js';

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | null;
  body: string;
  query: string | null;
  variables: Record<string, unknown> | null;
  /** Which API call the request made (the first one the server ran). */
  operation: MockOperation;
  token: string | null;
  /** Arguments of that call, as the server coerced them. */
  arguments: Record<string, unknown> | null;
  /** Messages of the errors answered, empty on success. */
  errors: string[];
}

export interface MockMoshtixApiOptions {
  port?: number;
  host?: string;
  token: string;
  clientId: number;
  /** Order objects as ORDER_SAVED's `data` carries them; served by getOrders in this order. */
  orders?: readonly unknown[];
  /** Subscriptions that exist before the test starts. */
  webhooks?: readonly MockWebhook[];
  /**
   * Roles of the token's user (default ["client.admin"]): without client.admin, webhook calls and
   * money fields fail; client.orders may still read orders and tickets.
   */
  roles?: readonly string[];
  /** Credentials `login` accepts; it answers with `token`. */
  login?: { username: string; password: string };
  /** Page size of nested lists (an order's tickets) asked for without pageSize (default 20). */
  nestedPageSize?: number;
  /** The most items a nested page holds whatever pageSize asks (default 200, the documented cap). */
  nestedPageSizeCap?: number;
}

export interface MockMoshtixApi {
  url: string;
  requests: RecordedRequest[];
  webhooks: MockWebhook[];
  /** The orders served; tests may replace an order to play a change at Moshtix. */
  orders: unknown[];
  stop(): Promise<void>;
}

type ErrorAnswer = GraphQLFormattedError & { unhandledException: boolean };

/** Moshtix adds a non-standard `unhandledException` flag to every error. */
const moshtixError = (error: GraphQLFormattedError): ErrorAnswer => ({ ...error, unhandledException: false });

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startMockMoshtixApi(options: MockMoshtixApiOptions): Promise<MockMoshtixApi> {
  const requests: RecordedRequest[] = [];
  const webhooks: MockWebhook[] = (options.webhooks ?? []).map((webhook) => structuredClone(webhook));
  const orders = [...(options.orders ?? [])];
  let lastId = Math.max(1000, ...webhooks.map((webhook) => webhook.id));
  const state: MockState = {
    token: options.token,
    clientId: options.clientId,
    roles: options.roles ?? [ADMIN_ROLE],
    orders,
    webhooks,
    login: options.login,
    nestedPageSize: options.nestedPageSize ?? DEFAULT_NESTED_PAGE_SIZE,
    nestedPageSizeCap: options.nestedPageSizeCap ?? 200,
    nextId: () => (lastId += 1),
  };

  async function answer(record: RecordedRequest, method: string): Promise<unknown> {
    if (method !== 'POST')
      return { errors: [moshtixError({ message: 'GraphQL only supports POST requests.' })] };
    if (!record.contentType?.includes('application/json'))
      return {
        errors: [
          moshtixError({
            message: 'Must provide query string (send JSON with content-type application/json).',
          }),
        ],
      };
    let json: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      json = JSON.parse(record.body) as typeof json;
    } catch (error) {
      return { errors: [moshtixError({ message: `Body is not JSON: ${(error as Error).message}` })] };
    }
    if (typeof json.query !== 'string')
      return { errors: [moshtixError({ message: 'Must provide query string.' })] };
    record.query = json.query;
    const variables =
      json.variables !== undefined && json.variables !== null && typeof json.variables === 'object'
        ? (json.variables as Record<string, unknown>)
        : {};
    record.variables = json.variables === undefined ? null : variables;
    const result = await graphql({
      schema: mockMoshtixSchema,
      source: json.query,
      rootValue: rootFor(state, record),
      variableValues: variables,
      operationName: typeof json.operationName === 'string' ? json.operationName : undefined,
    });
    const errors = (result.errors ?? []).map((error) => moshtixError(error.toJSON()));
    record.errors = errors.map((error) => error.message);
    return errors.length > 0 ? { data: result.data ?? null, errors } : { data: result.data };
  }

  const server = createServer((request, response) => {
    void readBody(request).then(async (body) => {
      const record: RecordedRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        contentType: request.headers['content-type'] ?? null,
        body,
        query: null,
        variables: null,
        operation: 'unknown',
        token: null,
        arguments: null,
        errors: [],
      };
      requests.push(record);
      const result = await answer(record, request.method ?? '');
      // Moshtix answers 200 whatever happened; failures are in errors[].
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}/v1/graphql`,
    requests,
    webhooks,
    orders,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
