/**
 * A mock of the Moshtix GraphQL API (a stand-in: the real one is on the internet), for tests and
 * `gatehouse sim api`. It behaves the way moshtix-api.md describes the real one: POST {query,
 * variables}, the token as a `viewer(token:)` argument, HTTP 200 with `errors[]` on any failure, and
 * connections paged with pageIndex/pageSize. It records every request so tests can check what the
 * relay sent. Supported: login, viewer { saveWebhook, getWebhooks, getOrders }.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphqlEnumValue, parseQuery, QuerySyntaxError } from './moshtix-api-query.js';

export const MOCK_EVENT_TYPES = ['ORDER_SAVED', 'EVENT_SAVED', 'TICKET_SAVED'] as const;
const ADMIN_ROLE = 'client.admin';

export interface MockWebhook {
  id: number;
  client: { id: number };
  url: string;
  headers: { items: { id: number; name: string; value: string }[] };
  body: string;
  systemEventTypes: { items: { id: number; systemEventType: string }[] };
  enabled: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | null;
  body: string;
  query: string | null;
  variables: Record<string, unknown> | null;
  /** Which API call the request made, as the mock understood it. */
  operation: 'login' | 'saveWebhook' | 'getWebhooks' | 'getOrders' | 'unknown';
  token: string | null;
  /** Arguments of that call, with enum values as `{ enum: NAME }`. */
  arguments: Record<string, unknown> | null;
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
  /** Roles of the token's user (default ["client.admin"]); without it admin calls fail. */
  roles?: readonly string[];
  /** Credentials `login` accepts; it answers with `token`. */
  login?: { username: string; password: string };
}

export interface MockMoshtixApi {
  url: string;
  requests: RecordedRequest[];
  webhooks: MockWebhook[];
  stop(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    message: string,
    readonly path: string[],
  ) {
    super(message);
  }
}

function errorResponse(error: ApiError | Error) {
  const path = error instanceof ApiError ? error.path : [];
  return {
    data: path.length > 0 ? { [path[0] ?? 'viewer']: null } : null,
    errors: [
      { message: error.message, locations: [{ line: 1, column: 1 }], path, unhandledException: false },
    ],
  };
}

const plain = (value: unknown): unknown =>
  value instanceof GraphqlEnumValue
    ? { enum: value.name }
    : Array.isArray(value)
      ? value.map(plain)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, field]) => [key, plain(field)]))
        : value;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function page<T>(items: readonly T[], args: Record<string, unknown>, path: string[]) {
  const pageIndex = args.pageIndex ?? 0;
  const pageSize = args.pageSize ?? 20;
  if (typeof pageIndex !== 'number' || !Number.isInteger(pageIndex) || pageIndex < 0)
    throw new ApiError('Argument "pageIndex" has invalid value: expected a non-negative Int.', path);
  if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200)
    throw new ApiError('Argument "pageSize" has invalid value: expected IntBetween1and200.', path);
  const slice = items.slice(pageIndex * pageSize, (pageIndex + 1) * pageSize);
  return {
    items: slice,
    pageInfo: {
      hasPreviousPage: pageIndex > 0,
      hasNextPage: (pageIndex + 1) * pageSize < items.length,
      pageIndex,
      pageSize,
    },
    totalCount: items.length,
  };
}

function readWebhookInput(
  input: unknown,
  clientId: number,
  nextId: () => number,
): Omit<MockWebhook, 'id'> & { id?: number } {
  const path = ['viewer', 'saveWebhook'];
  const fail = (problem: string) => new ApiError(`Variable "webhook" got invalid value: ${problem}`, path);
  if (input === null || typeof input !== 'object') throw fail('expected an object');
  const webhook = input as Record<string, unknown>;
  const client = webhook.client as Record<string, unknown> | undefined;
  if (typeof client?.id !== 'number') throw fail('client.id: expected an Int');
  if (client.id !== clientId) throw new ApiError(`You do not have access to client ${client.id}.`, path);
  if (typeof webhook.url !== 'string' || !/^https?:\/\//.test(webhook.url))
    throw fail('url: expected an http(s) URL');
  if (typeof webhook.body !== 'string') throw fail('body: expected a String');
  if (typeof webhook.enabled !== 'boolean') throw fail('enabled: expected a Boolean');
  const headerItems = (webhook.headers as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(headerItems)) throw fail('headers.items: expected a list');
  const headers = headerItems.map((item: unknown, index) => {
    const header = item as Record<string, unknown>;
    if (typeof header.name !== 'string' || typeof header.value !== 'string')
      throw fail(`headers.items[${index}]: expected {name: String, value: String}`);
    return { id: nextId(), name: header.name, value: header.value };
  });
  const typeItems = (webhook.systemEventTypes as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(typeItems) || typeItems.length === 0)
    throw fail('systemEventTypes.items: expected a non-empty list');
  const types = typeItems.map((item: unknown) => {
    const value = (item as Record<string, unknown>).systemEventType;
    if (typeof value === 'string')
      throw fail(`Expected type SystemEventType, found "${value}"; did you mean the enum value ${value}?`);
    if (!(value instanceof GraphqlEnumValue) || !(MOCK_EVENT_TYPES as readonly string[]).includes(value.name))
      throw fail('systemEventType: expected ORDER_SAVED, EVENT_SAVED or TICKET_SAVED');
    return { id: nextId(), systemEventType: value.name };
  });
  const id = webhook.id === undefined ? undefined : Number(webhook.id);
  return {
    id,
    client: { id: client.id },
    url: webhook.url,
    headers: { items: headers },
    body: webhook.body,
    systemEventTypes: { items: types },
    enabled: webhook.enabled,
  };
}

export async function startMockMoshtixApi(options: MockMoshtixApiOptions): Promise<MockMoshtixApi> {
  const requests: RecordedRequest[] = [];
  const webhooks: MockWebhook[] = (options.webhooks ?? []).map((webhook) => structuredClone(webhook));
  const orders = options.orders ?? [];
  const roles = options.roles ?? [ADMIN_ROLE];
  let lastId = Math.max(1000, ...webhooks.map((webhook) => webhook.id));
  const nextId = () => (lastId += 1);

  function execute(record: RecordedRequest, query: string, variables: Record<string, unknown>): unknown {
    const parsed = parseQuery(query, variables);
    const login = parsed.argumentsOf('login');
    if (login) {
      record.operation = 'login';
      record.arguments = plain(login) as Record<string, unknown>;
      const isValid =
        options.login &&
        login.username === options.login.username &&
        login.password === options.login.password;
      if (!isValid) throw new ApiError('Invalid username or password.', ['login']);
      return { login: options.token };
    }
    const viewer = parsed.argumentsOf('viewer');
    if (!viewer || typeof viewer.token !== 'string')
      throw new ApiError('Field "viewer" argument "token" of type "String!" is required.', ['viewer']);
    record.token = viewer.token;
    const operation = (['saveWebhook', 'getWebhooks', 'getOrders'] as const).find(
      (name) => parsed.argumentsOf(name) !== null,
    );
    record.operation = operation ?? 'unknown';
    const args = operation ? (parsed.argumentsOf(operation) ?? {}) : {};
    record.arguments = plain(args) as Record<string, unknown>;
    if (viewer.token !== options.token)
      throw new ApiError('Access denied: the token is invalid or has expired.', ['viewer']);
    if (!operation)
      throw new ApiError('The mock Moshtix API supports saveWebhook, getWebhooks and getOrders only.', [
        'viewer',
      ]);
    const path = ['viewer', operation];
    if (!roles.includes(ADMIN_ROLE))
      throw new ApiError(`Access denied: ${operation} requires the ${ADMIN_ROLE} role.`, path);
    if (operation === 'saveWebhook') {
      if (parsed.operation !== 'mutation') throw new ApiError('saveWebhook is a mutation.', path);
      const input = readWebhookInput(args.webhook, options.clientId, nextId);
      if (input.id !== undefined) {
        const index = webhooks.findIndex((webhook) => webhook.id === input.id);
        if (index < 0) throw new ApiError(`Webhook ${input.id} not found.`, path);
        const saved: MockWebhook = { ...input, id: input.id };
        webhooks[index] = saved;
        return { viewer: { saveWebhook: saved } };
      }
      const saved: MockWebhook = { ...input, id: nextId() };
      webhooks.push(saved);
      return { viewer: { saveWebhook: saved } };
    }
    if (operation === 'getWebhooks') {
      if (args.clientId !== options.clientId)
        throw new ApiError(`You do not have access to client ${String(args.clientId)}.`, path);
      return { viewer: { getWebhooks: page(webhooks, args, path) } };
    }
    return { viewer: { getOrders: page(orders, args, path) } };
  }

  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
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
      };
      requests.push(record);
      let result: unknown;
      try {
        if (request.method !== 'POST') throw new Error('GraphQL only supports POST requests.');
        if (!record.contentType?.includes('application/json'))
          throw new Error('Must provide query string (send JSON with content-type application/json).');
        const json = JSON.parse(body) as { query?: unknown; variables?: unknown };
        if (typeof json.query !== 'string') throw new Error('Must provide query string.');
        record.query = json.query;
        const variables =
          json.variables !== undefined && json.variables !== null && typeof json.variables === 'object'
            ? (json.variables as Record<string, unknown>)
            : {};
        record.variables = json.variables === undefined ? null : variables;
        result = { data: execute(record, json.query, variables) };
      } catch (error) {
        result = errorResponse(
          error instanceof ApiError || error instanceof QuerySyntaxError
            ? error
            : new Error((error as Error).message),
        );
      }
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
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
