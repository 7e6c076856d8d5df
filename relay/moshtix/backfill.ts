/**
 * Backfill: page orders out of the Moshtix GraphQL API and feed each one, wrapped in the webhook
 * envelope, through the same ingest path as a webhook delivery. The query text is a file the operator
 * can adjust to the live schema; it receives the variables $token, $pageIndex and $pageSize, and the
 * first field under `viewer` that is a connection (`items`, `pageInfo`) is read.
 */
import { z } from 'zod';
import type { RelayStore } from '../store/types.js';
import type { MoshtixGraphqlClient } from './graphql.js';

/** The 2018 schema's shape (see moshtix-api.md), selecting what an ORDER_SAVED payload carries. */
export const DEFAULT_ORDERS_QUERY = `query Backfill($token: String!, $pageIndex: Int!, $pageSize: Int!) {
  viewer(token: $token) {
    getOrders(pageIndex: $pageIndex, pageSize: $pageSize) {
      items {
        id createdDate channel refCode offerCode
        customer { id email firstName lastName telephone }
        event { id name startDate endDate }
        tickets { items { id firstName lastName valid barcode unitCost bookingFee totalCost discount ticketType { id name } } }
        transactions { items { id type status ipAddress } }
      }
      pageInfo { hasNextPage pageIndex pageSize }
      totalCount
    }
  }
}
`;

export const BACKFILL_EVENT_TYPE = 'order-backfill';

const connectionSchema = z.looseObject({
  items: z.array(z.unknown()),
  pageInfo: z.looseObject({ hasNextPage: z.boolean().nullish() }).nullish(),
  totalCount: z.number().nullish(),
});
const viewerSchema = z.looseObject({ viewer: z.record(z.string(), z.unknown()) });

export interface BackfillOptions {
  token: string;
  query?: string;
  pageSize?: number;
  maxPages?: number;
  onPage?(pageIndex: number, orders: number): void;
}

export interface BackfillReport {
  pages: number;
  orders: number;
  applied: number;
  unchanged: number;
  quarantined: { contextId: string; error: string }[];
}

function connectionOf(data: unknown): z.infer<typeof connectionSchema> {
  const viewer = viewerSchema.parse(data).viewer;
  for (const value of Object.values(viewer)) {
    const connection = connectionSchema.safeParse(value);
    if (connection.success) return connection.data;
  }
  throw new Error('the query result has no connection (items, pageInfo) under viewer');
}

function contextIdOf(order: unknown): string {
  if (typeof order === 'object' && order !== null && 'id' in order)
    return String((order as { id: unknown }).id);
  return '?';
}

export async function backfill(
  client: MoshtixGraphqlClient,
  store: RelayStore,
  options: BackfillOptions,
): Promise<BackfillReport> {
  const query = options.query ?? DEFAULT_ORDERS_QUERY;
  const pageSize = options.pageSize ?? 100;
  const maxPages = options.maxPages ?? 10_000;
  const report: BackfillReport = { pages: 0, orders: 0, applied: 0, unchanged: 0, quarantined: [] };
  for (let pageIndex = 0; pageIndex < maxPages; pageIndex += 1) {
    const page = connectionOf(await client.request(query, { token: options.token, pageIndex, pageSize }));
    report.pages += 1;
    const results = await Promise.all(
      page.items.map((order) => {
        const contextId = contextIdOf(order);
        // The same envelope Moshtix renders from the subscription's body template.
        const body = JSON.stringify({
          eventType: BACKFILL_EVENT_TYPE,
          contextId: Number(contextId) || contextId,
          data: order,
        });
        return store
          .ingestDelivery({ body, receivedAt: new Date().toISOString(), origin: 'backfill' })
          .then((result) => ({ contextId, result }));
      }),
    );
    for (const { contextId, result } of results) {
      report.orders += 1;
      if (result.status === 'quarantined') report.quarantined.push({ contextId, error: result.error });
      else if (result.outcome === 'applied') report.applied += 1;
      else report.unchanged += 1;
    }
    options.onPage?.(pageIndex, page.items.length);
    if (!page.pageInfo?.hasNextPage || page.items.length === 0) break;
  }
  return report;
}
