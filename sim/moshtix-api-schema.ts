/**
 * The mock Moshtix API's GraphQL schema and resolvers, run by graphql-js so that queries are parsed,
 * validated and executed as a real GraphQL server does (unknown fields and wrong variable types are
 * refused, nested selections are honoured). The shape follows moshtix-api.md: the token as a
 * `viewer(token:)` argument, every list a connection `{items, pageInfo, totalCount}` paged with
 * pageIndex/pageSize — nested lists too, so an order's tickets come one page at a time — and money
 * fields readable by client admins only. GUESSES of this mock (not seen in any Moshtix document):
 * `getOrders(eventIds:)`, `getOrder(id:)`, the `client.orders` role and the nested default page size.
 */
import { buildSchema, GraphQLError, type GraphQLSchema } from 'graphql';

export const MOCK_EVENT_TYPES = ['ORDER_SAVED', 'EVENT_SAVED', 'TICKET_SAVED'] as const;
/** May do everything, money fields included. */
export const ADMIN_ROLE = 'client.admin';
/** May read orders and tickets, not money fields nor webhooks (a GUESS of a reporting key's rights). */
export const ORDERS_ROLE = 'client.orders';
/** Page size of a nested list asked for without pageSize. */
export const DEFAULT_NESTED_PAGE_SIZE = 20;

const SDL = `
  enum SystemEventType { ORDER_SAVED EVENT_SAVED TICKET_SAVED }
  type PageInfo { hasPreviousPage: Boolean! hasNextPage: Boolean! pageIndex: Int! pageSize: Int! }
  type Tag { id: Int name: String }
  type TagConnection { items: [Tag!]! }
  type Client { id: Int! name: String }
  type Venue { id: Int! name: String }
  type TicketType { id: Int! name: String tags: TagConnection }
  type Event {
    id: Int! name: String startDate: String endDate: String client: Client tags: TagConnection venue: Venue
  }
  type Customer { id: Int email: String firstName: String lastName: String telephone: String }
  type Ticket {
    id: Int firstName: String lastName: String valid: Boolean barcode: String
    unitCost: Float bookingFee: Float totalCost: Float discount: Float
    ticketType: TicketType
  }
  type TicketConnection { items: [Ticket!]! pageInfo: PageInfo! totalCount: Int! }
  type Transaction { id: Int! type: String status: String ipAddress: String }
  type TransactionConnection { items: [Transaction!]! pageInfo: PageInfo! totalCount: Int! }
  type Order {
    id: Int! createdDate: String channel: String refCode: String offerCode: String
    customer: Customer event: Event
    tickets(pageIndex: Int, pageSize: Int): TicketConnection!
    transactions(pageIndex: Int, pageSize: Int): TransactionConnection!
  }
  type OrderConnection { items: [Order!]! pageInfo: PageInfo! totalCount: Int! }
  type Header { id: Int! name: String! value: String }
  type HeaderConnection { items: [Header!]! }
  type WebhookEventType { id: Int! systemEventType: SystemEventType! }
  type WebhookEventTypeConnection { items: [WebhookEventType!]! }
  type Webhook {
    id: Int! client: Client url: String! headers: HeaderConnection body: String
    systemEventTypes: WebhookEventTypeConnection enabled: Boolean!
  }
  type WebhookConnection { items: [Webhook!]! pageInfo: PageInfo! totalCount: Int! }
  type Viewer {
    getWebhooks(clientId: Int!, pageIndex: Int, pageSize: Int): WebhookConnection
    getOrders(pageIndex: Int, pageSize: Int, eventIds: [Int!]): OrderConnection
    getOrder(id: Int!): Order
  }
  input ClientInput { id: Int! }
  input HeaderInput { name: String! value: String! }
  input HeaderConnectionInput { items: [HeaderInput!]! }
  input WebhookEventTypeInput { systemEventType: SystemEventType! }
  input WebhookEventTypeConnectionInput { items: [WebhookEventTypeInput!]! }
  input WebhookInput {
    id: Int client: ClientInput! url: String! headers: HeaderConnectionInput! body: String!
    systemEventTypes: WebhookEventTypeConnectionInput! enabled: Boolean!
  }
  type ViewerMutation { saveWebhook(webhook: WebhookInput!): Webhook }
  type Query { viewer(token: String!): Viewer }
  type Mutation { login(username: String!, password: String!): String viewer(token: String!): ViewerMutation }
`;

export const mockMoshtixSchema: GraphQLSchema = buildSchema(SDL);

export interface MockWebhook {
  id: number;
  client: { id: number };
  url: string;
  headers: { items: { id: number; name: string; value: string }[] };
  body: string;
  systemEventTypes: { items: { id: number; systemEventType: string }[] };
  enabled: boolean;
}

export type MockOperation = 'login' | 'saveWebhook' | 'getWebhooks' | 'getOrders' | 'getOrder' | 'unknown';

/** What one request did, filled in by the resolvers as they run. */
export interface OperationRecord {
  operation: MockOperation;
  token: string | null;
  arguments: Record<string, unknown> | null;
}

export interface MockState {
  token: string;
  clientId: number;
  roles: readonly string[];
  orders: readonly unknown[];
  webhooks: MockWebhook[];
  login?: { username: string; password: string };
  nestedPageSize: number;
  /** The most items a nested page holds, whatever pageSize asked for (real APIs cap silently). */
  nestedPageSizeCap: number;
  nextId(): number;
}

type Args = Record<string, unknown>;

export const MONEY_FIELDS = ['unitCost', 'bookingFee', 'totalCost', 'discount'] as const;

function page<T>(items: readonly T[], args: Args, defaultSize: number, cap = 200) {
  const pageIndex = args.pageIndex ?? 0;
  const asked = args.pageSize ?? defaultSize;
  if (typeof pageIndex !== 'number' || pageIndex < 0)
    throw new GraphQLError('Argument "pageIndex" has invalid value: expected a non-negative Int.');
  if (typeof asked !== 'number' || asked < 1 || asked > 200)
    throw new GraphQLError('Argument "pageSize" has invalid value: expected IntBetween1and200.');
  const pageSize = Math.min(asked, cap);
  return {
    items: items.slice(pageIndex * pageSize, (pageIndex + 1) * pageSize),
    pageInfo: {
      hasPreviousPage: pageIndex > 0,
      hasNextPage: (pageIndex + 1) * pageSize < items.length,
      pageIndex,
      pageSize,
    },
    totalCount: items.length,
  };
}

const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
const itemsOf = (connection: unknown): unknown[] => {
  const items = field(connection, 'items');
  return Array.isArray(items) ? items : [];
};

function requireRole(state: MockState, roles: readonly string[], what: string): void {
  if (!roles.some((role) => state.roles.includes(role)))
    throw new GraphQLError(`Access denied: ${what} requires the ${roles.join(' or ')} role.`);
}

function saveWebhook(state: MockState, input: Args): MockWebhook {
  const client = input.client as { id: number };
  if (client.id !== state.clientId) throw new GraphQLError(`You do not have access to client ${client.id}.`);
  if (typeof input.url !== 'string' || !/^https?:\/\//.test(input.url))
    throw new GraphQLError('Variable "webhook" got invalid value: url: expected an http(s) URL');
  const headers = (input.headers as { items: { name: string; value: string }[] }).items;
  const types = (input.systemEventTypes as { items: { systemEventType: string }[] }).items;
  if (types.length === 0)
    throw new GraphQLError(
      'Variable "webhook" got invalid value: systemEventTypes.items: expected a non-empty list',
    );
  const saved: MockWebhook = {
    id: typeof input.id === 'number' ? input.id : state.nextId(),
    client: { id: client.id },
    url: input.url,
    headers: {
      items: headers.map((header) => ({ id: state.nextId(), name: header.name, value: header.value })),
    },
    body: String(input.body),
    systemEventTypes: {
      items: types.map((type) => ({ id: state.nextId(), systemEventType: type.systemEventType })),
    },
    enabled: input.enabled === true,
  };
  if (typeof input.id === 'number') {
    const index = state.webhooks.findIndex((webhook) => webhook.id === input.id);
    if (index < 0) throw new GraphQLError(`Webhook ${input.id} not found.`);
    state.webhooks[index] = saved;
  } else state.webhooks.push(saved);
  return saved;
}

/**
 * The root value for one request: resolvers are its methods (graphql-js calls them with the
 * arguments); nested objects resolve by property, except connections and money fields.
 */
export function rootFor(state: MockState, record: OperationRecord) {
  const note = (operation: MockOperation, args: Args) => {
    if (record.operation === 'unknown') {
      record.operation = operation;
      record.arguments = { ...args };
    }
  };
  const checkToken = (token: string) => {
    record.token = token;
    if (token !== state.token) throw new GraphQLError('Access denied: the token is invalid or has expired.');
  };
  // Money is for client admins: asking for it with a lesser token fails the whole request.
  const money = (ticket: unknown, name: string) => () => {
    requireRole(state, [ADMIN_ROLE], name);
    return field(ticket, name);
  };
  const order = (data: unknown) => ({
    ...(data as Record<string, unknown>),
    tickets: (args: Args) => {
      const tickets = page(
        itemsOf(field(data, 'tickets')),
        args,
        state.nestedPageSize,
        state.nestedPageSizeCap,
      );
      return {
        ...tickets,
        items: tickets.items.map((ticket) => ({
          ...(ticket as Record<string, unknown>),
          ...Object.fromEntries(MONEY_FIELDS.map((name) => [name, money(ticket, name)])),
        })),
      };
    },
    transactions: (args: Args) =>
      page(itemsOf(field(data, 'transactions')), args, state.nestedPageSize, state.nestedPageSizeCap),
  });
  const viewer = {
    getWebhooks: (args: Args) => {
      note('getWebhooks', args);
      requireRole(state, [ADMIN_ROLE], 'getWebhooks');
      if (args.clientId !== state.clientId)
        throw new GraphQLError(`You do not have access to client ${String(args.clientId)}.`);
      return page(state.webhooks, args, 20);
    },
    getOrders: (args: Args) => {
      note('getOrders', args);
      requireRole(state, [ADMIN_ROLE, ORDERS_ROLE], 'getOrders');
      const eventIds = Array.isArray(args.eventIds) ? args.eventIds : null;
      const orders = eventIds
        ? state.orders.filter((data) => eventIds.includes(field(field(data, 'event'), 'id')))
        : state.orders;
      const result = page(orders, args, 20);
      return { ...result, items: result.items.map(order) };
    },
    getOrder: (args: Args) => {
      note('getOrder', args);
      requireRole(state, [ADMIN_ROLE, ORDERS_ROLE], 'getOrder');
      const found = state.orders.find((data) => field(data, 'id') === args.id);
      if (found === undefined) throw new GraphQLError(`Order ${String(args.id)} not found.`);
      return order(found);
    },
  };
  const viewerMutation = {
    saveWebhook: (args: Args) => {
      note('saveWebhook', args);
      requireRole(state, [ADMIN_ROLE], 'saveWebhook');
      return saveWebhook(state, args.webhook as Args);
    },
  };
  return {
    login: (args: Args) => {
      note('login', args);
      const isValid =
        state.login && args.username === state.login.username && args.password === state.login.password;
      if (!isValid) throw new GraphQLError('Invalid username or password.');
      return state.token;
    },
    viewer: (args: Args, _context: unknown, info: { operation: { operation: string } }) => {
      checkToken(String(args.token));
      return info.operation.operation === 'mutation' ? viewerMutation : viewer;
    },
  };
}
