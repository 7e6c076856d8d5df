// The relay's Moshtix commands (subscribe, backfill) run as real CLI processes against the mock
// Moshtix GraphQL API (a stand-in: the real API is on the internet), which records what it receives.
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WEBHOOK_BODY_TEMPLATE } from '../../shared/moshtix.js';
import {
  ORDERS_ROLE,
  startMockMoshtixApi,
  type MockMoshtixApi,
  type MockWebhook,
} from '../../sim/moshtix-api.js';
import {
  addGateToken,
  createRelayDatabase,
  GateTestClient,
  getJson,
  makeTempDir,
  orderDelivery,
  postDelivery,
  runGatehouse,
  startRelayProcess,
  type TempDir,
} from './support.js';

const TOKEN = 'moshtix-integration-token';
const CLIENT = 6080;
let dir: TempDir;
let api: MockMoshtixApi | undefined;

beforeEach(async () => {
  dir = makeTempDir();
  // The database a relay would have made: admin commands refuse a missing one.
  await createRelayDatabase(dir.file('relay.db'));
});

afterEach(async () => {
  await api?.stop();
  api = undefined;
  dir.remove();
});

const orderData = (orderId: number, barcode: string, valid = true) =>
  orderDelivery({ orderId, tickets: [{ barcode, valid }], transactions: [{ id: orderId * 10 }] }).data;

function subscribeArgs(extra: string[] = []): string[] {
  return [
    'relay',
    'subscribe',
    '--moshtix-token',
    TOKEN,
    '--client',
    String(CLIENT),
    '--url',
    'https://relay.example.com',
    '--secret',
    'the-secret',
    '--endpoint',
    api?.url ?? '',
    ...extra,
  ];
}

describe('relay subscribe against the mock Moshtix API', () => {
  it('lists existing webhooks first, then registers ORDER_SAVED and EVENT_SAVED with the template and secret header; a second run changes nothing', async () => {
    api = await startMockMoshtixApi({ token: TOKEN, clientId: CLIENT });
    const first = await runGatehouse(subscribeArgs());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/ORDER_SAVED: created/);
    expect(first.stdout).toMatch(/EVENT_SAVED: created/);
    expect(api.requests.map((request) => request.operation)).toEqual([
      'getWebhooks',
      'saveWebhook',
      'saveWebhook',
    ]);
    for (const request of api.requests) {
      expect(request.method).toBe('POST');
      expect(request.contentType).toContain('application/json');
      expect(request.token).toBe(TOKEN);
    }
    expect(api.requests[0]?.arguments).toMatchObject({ clientId: CLIENT, pageIndex: 0 });
    expect(api.webhooks).toHaveLength(2);
    for (const webhook of api.webhooks) {
      expect(webhook.url).toBe('https://relay.example.com/webhooks/moshtix');
      expect(webhook.body).toBe(WEBHOOK_BODY_TEMPLATE);
      expect(webhook.enabled).toBe(true);
      expect(webhook.client.id).toBe(CLIENT);
      expect(webhook.headers.items.map(({ name, value }) => ({ name, value }))).toEqual([
        { name: 'Content-Type', value: 'application/json' },
        { name: 'X-Gatehouse-Secret', value: 'the-secret' },
      ]);
    }
    expect(
      api.webhooks.map((webhook) => webhook.systemEventTypes.items.map((item) => item.systemEventType)),
    ).toEqual([['ORDER_SAVED'], ['EVENT_SAVED']]);

    const second = await runGatehouse(subscribeArgs());
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/ORDER_SAVED: kept/);
    expect(second.stdout).toMatch(/EVENT_SAVED: kept/);
    expect(api.webhooks).toHaveLength(2);
    expect(api.requests.slice(3).map((request) => request.operation)).toEqual(['getWebhooks']);
  });

  it('updates an existing subscription with an old secret in place instead of adding another', async () => {
    const existing: MockWebhook = {
      id: 77,
      client: { id: CLIENT },
      url: 'https://relay.example.com/webhooks/moshtix',
      headers: { items: [{ id: 1, name: 'X-Gatehouse-Secret', value: 'old-secret' }] },
      body: WEBHOOK_BODY_TEMPLATE,
      systemEventTypes: { items: [{ id: 2, systemEventType: 'ORDER_SAVED' }] },
      enabled: true,
    };
    api = await startMockMoshtixApi({ token: TOKEN, clientId: CLIENT, webhooks: [existing] });
    const result = await runGatehouse(subscribeArgs());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ORDER_SAVED: updated (webhook 77)');
    expect(api.webhooks).toHaveLength(2);
    expect(api.webhooks[0]?.headers.items.find((header) => header.name === 'X-Gatehouse-Secret')?.value).toBe(
      'the-secret',
    );
  });

  it('with --db, opens the relay database first: a typo fails before Moshtix is told anything', async () => {
    api = await startMockMoshtixApi({ token: TOKEN, clientId: CLIENT });
    const typo = await runGatehouse(subscribeArgs(['--db', dir.file('relay-typo.db')]));
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain('no relay database at');
    expect(api.requests).toEqual([]);
    expect(api.webhooks).toEqual([]);

    const good = await runGatehouse(subscribeArgs(['--db', dir.file('relay.db')]));
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/ORDER_SAVED: created/);
    expect(good.stdout).toContain('relay database: 0 deliveries so far, the last at never');
  });

  it("fails with Moshtix's own message on a bad token or a missing role (HTTP 200 with errors[])", async () => {
    api = await startMockMoshtixApi({ token: 'another-token', clientId: CLIENT });
    const badToken = await runGatehouse(subscribeArgs());
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toContain('Access denied: the token is invalid or has expired.');
    expect(api.webhooks).toHaveLength(0);
    await api.stop();
    api = await startMockMoshtixApi({ token: TOKEN, clientId: CLIENT, roles: [] });
    const noRole = await runGatehouse(subscribeArgs());
    expect(noRole.code).toBe(1);
    expect(noRole.stderr).toContain('requires the client.admin role');
  });
});

describe('relay backfill against the mock Moshtix API', () => {
  it('pages every order into the database through the ingest path, and a relay on the same file streams them', async () => {
    const orders = Array.from({ length: 250 }, (_, index) => orderData(5000 + index, `BACKFILL-${index}`));
    api = await startMockMoshtixApi({ token: TOKEN, clientId: CLIENT, orders });
    const dbPath = dir.file('relay.db');
    const relay = await startRelayProcess({ dbPath });
    const gate = await GateTestClient.connect(relay.url, await addGateToken(dbPath, 'Gate 1'), {
      events: ['132218'],
    });
    try {
      await gate.waitWelcomed();
      const result = await runGatehouse([
        'relay',
        'backfill',
        '--moshtix-token',
        TOKEN,
        '--client',
        String(CLIENT),
        '--db',
        dbPath,
        '--endpoint',
        api.url,
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('backfill: 250 orders in 3 pages');
      expect(api.requests.map((request) => request.variables)).toEqual(
        [0, 1, 2].map((pageIndex) => ({ token: TOKEN, pageIndex, pageSize: 100, ticketPageSize: 200 })),
      );
      expect(
        api.requests.every((request) => request.operation === 'getOrders' && request.token === TOKEN),
      ).toBe(true);
      await gate.waitUntil(() => gate.tickets.size === 250, '250 backfilled tickets at the gate');
      expect(await getJson(`${relay.url}/healthz`)).toMatchObject({ deliveries: 250 });
      // Running it again is harmless: the same snapshots add no ticket states.
      const again = await runGatehouse([
        'relay',
        'backfill',
        '--moshtix-token',
        TOKEN,
        '--client',
        String(CLIENT),
        '--db',
        dbPath,
        '--endpoint',
        api.url,
      ]);
      expect(again.stdout).toContain('0 changed tickets, 250 already known');
    } finally {
      await gate.close();
      await relay.stop();
    }
  });

  it('sends the operator-supplied --query-file text verbatim', async () => {
    api = await startMockMoshtixApi({ token: TOKEN, clientId: CLIENT, orders: [orderData(1, 'Q-1')] });
    const query =
      'query Custom($token: String!, $pageIndex: Int!, $pageSize: Int!) { viewer(token: $token) { getOrders(pageIndex: $pageIndex, pageSize: $pageSize) { items { id event { id name } tickets { items { barcode valid } } transactions { items { id } } } pageInfo { hasNextPage } } } }';
    writeFileSync(dir.file('orders.graphql'), query);
    const result = await runGatehouse([
      'relay',
      'backfill',
      '--moshtix-token',
      TOKEN,
      '--client',
      String(CLIENT),
      '--db',
      dir.file('relay.db'),
      '--endpoint',
      api.url,
      '--query-file',
      dir.file('orders.graphql'),
      '--page-size',
      '50',
    ]);
    expect(result.stderr + result.stdout).toContain('backfill: 1 orders in 1 pages');
    expect(result.code).toBe(0);
    expect(api.requests[0]?.query).toBe(query);
    expect(api.requests[0]?.variables).toEqual({
      token: TOKEN,
      pageIndex: 0,
      pageSize: 50,
      ticketPageSize: 200,
    });
  });

  it("fails with Moshtix's message on a bad token and imports nothing", async () => {
    api = await startMockMoshtixApi({
      token: 'another-token',
      clientId: CLIENT,
      orders: [orderData(1, 'NO')],
    });
    const result = await runGatehouse([
      'relay',
      'backfill',
      '--moshtix-token',
      TOKEN,
      '--client',
      String(CLIENT),
      '--db',
      dir.file('relay.db'),
      '--endpoint',
      api.url,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Access denied: the token is invalid or has expired.');
  });
});

/** An order of `count` tickets at transaction `txId`; tickets listed in `refunded` are not valid. */
function bigOrder(
  orderId: number,
  count: number,
  txId: number,
  refunded: readonly number[] = [],
  eventId = 132218,
) {
  return orderDelivery({
    orderId,
    eventId,
    tickets: Array.from({ length: count }, (_, index) => ({
      barcode: `ORDER${orderId}-T${index}`,
      valid: !refunded.includes(index),
    })),
    transactions: [{ id: txId }],
  });
}

function backfillArgs(dbPath: string, extra: string[] = []): string[] {
  return [
    'relay',
    'backfill',
    '--moshtix-token',
    TOKEN,
    '--client',
    String(CLIENT),
    '--db',
    dbPath,
    '--endpoint',
    api?.url ?? '',
    ...extra,
  ];
}

/** The tickets a freshly synced gate of these events holds (a real relay over the file). */
async function gateTickets(dbPath: string, events: string[]) {
  const relay = await startRelayProcess({ dbPath });
  try {
    const gate = await GateTestClient.connect(relay.url, await addGateToken(dbPath, `Reader ${Date.now()}`), {
      events,
    });
    await gate.waitWelcomed();
    await gate.close();
    return gate.tickets;
  } finally {
    await relay.stop();
  }
}

describe('relay backfill: paging nested ticket lists, fields asked for, event filter', () => {
  it('fetches every page of an order whose ticket list the API cut short, so no valid ticket is revoked', async () => {
    const dbPath = dir.file('relay.db');
    // The relay knows the order from a webhook: 25 valid tickets.
    const relay = await startRelayProcess({ dbPath });
    expect((await postDelivery(relay.url, bigOrder(7001, 25, 100))).status).toBe(200);
    await relay.stop();
    // Since then one ticket was refunded at Moshtix (a newer transaction); the API lists an order's
    // tickets at most 10 at a time.
    api = await startMockMoshtixApi({
      token: TOKEN,
      clientId: CLIENT,
      orders: [bigOrder(7001, 25, 101, [3]).data],
      nestedPageSizeCap: 10,
    });
    const result = await runGatehouse(backfillArgs(dbPath));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // The listing's first 10, then the order's pages 0, 1 and 2.
    expect(api.requests.map((request) => request.operation)).toEqual([
      'getOrders',
      'getOrder',
      'getOrder',
      'getOrder',
    ]);
    const tickets = await gateTickets(dbPath, ['132218']);
    expect(tickets.size).toBe(25);
    for (let index = 0; index < 25; index += 1)
      expect([index, tickets.get(`ORDER7001-T${index}`)?.valid]).toEqual([index, index !== 3]);
  });

  it('never revokes tickets absent from a list it cannot know complete (a query file without pageInfo/totalCount)', async () => {
    const dbPath = dir.file('relay.db');
    const relay = await startRelayProcess({ dbPath });
    expect((await postDelivery(relay.url, bigOrder(7002, 25, 200))).status).toBe(200);
    await relay.stop();
    api = await startMockMoshtixApi({
      token: TOKEN,
      clientId: CLIENT,
      orders: [bigOrder(7002, 25, 201, [0]).data, bigOrder(7003, 3, 300).data],
      nestedPageSize: 20,
    });
    const query =
      'query Q($token: String!, $pageIndex: Int!, $pageSize: Int!) { viewer(token: $token) { getOrders(pageIndex: $pageIndex, pageSize: $pageSize) { items { id event { id name } tickets { items { id barcode valid } } transactions { items { id } } } pageInfo { hasNextPage } } } }';
    writeFileSync(dir.file('orders.graphql'), query);
    const result = await runGatehouse(backfillArgs(dbPath, ['--query-file', dir.file('orders.graphql')]));
    expect(result.code).toBe(0);
    const tickets = await gateTickets(dbPath, ['132218']);
    // The 5 tickets past the first 20 were not listed: they keep their state.
    for (let index = 20; index < 25; index += 1) expect(tickets.get(`ORDER7002-T${index}`)?.valid).toBe(true);
    // What was listed is applied, and the small order (known complete? no: nothing says so) lands too.
    expect(tickets.get('ORDER7003-T2')?.valid).toBe(true);
    expect(result.stdout).toMatch(/2 orders? with ticket lists not known complete/);
  });

  it('asks only for fields the gate uses, so a token without access to money fields can backfill', async () => {
    api = await startMockMoshtixApi({
      token: TOKEN,
      clientId: CLIENT,
      roles: [ORDERS_ROLE],
      orders: [bigOrder(7101, 2, 10).data],
    });
    const dbPath = dir.file('relay.db');
    const result = await runGatehouse(backfillArgs(dbPath));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const request of api.requests) {
      expect(request.errors).toEqual([]);
      expect(request.query).not.toMatch(/\b(unitCost|bookingFee|totalCost|discount|telephone|ipAddress)\b/);
    }
    const tickets = await gateTickets(dbPath, ['132218']);
    expect([...tickets.keys()].sort()).toEqual(['ORDER7101-T0', 'ORDER7101-T1']);
  });

  it('--event (repeatable) limits the backfill to those events', async () => {
    api = await startMockMoshtixApi({
      token: TOKEN,
      clientId: CLIENT,
      orders: [
        bigOrder(7201, 1, 1, [], 100).data,
        bigOrder(7202, 1, 2, [], 200).data,
        bigOrder(7203, 1, 3, [], 300).data,
        bigOrder(7204, 1, 4, [], 100).data,
      ],
    });
    const dbPath = dir.file('relay.db');
    const result = await runGatehouse(
      backfillArgs(dbPath, ['--event', '100', '--event', '300', '--page-size', '2']),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const tickets = await gateTickets(dbPath, ['100', '200', '300']);
    expect([...tickets.keys()].sort()).toEqual(['ORDER7201-T0', 'ORDER7203-T0', 'ORDER7204-T0']);
    expect(result.stdout).toContain('backfill: 3 orders');
  });
});
