/**
 * An order's nested lists (tickets, transactions) come from the API one page at a time. A list is
 * complete only when the API says so (hasNextPage false, or as many items as totalCount); this
 * module fetches the missing pages of an order, and says when completeness cannot be known, so that
 * no caller ever takes a cut-short list for "tickets removed from the order".
 */
import { z } from 'zod';
import type { MoshtixGraphqlClient } from './graphql.js';
import { DEFAULT_ORDER_QUERY, MAX_PAGE_SIZE } from './queries.js';

const connectionSchema = z.looseObject({
  items: z.array(z.unknown()).nullish(),
  pageInfo: z.looseObject({ hasNextPage: z.boolean().nullish() }).nullish(),
  totalCount: z.number().nullish(),
});
type Connection = z.infer<typeof connectionSchema>;

/** `complete`: every item is here; `cut`: more exist; `unknown`: the answer does not say. */
export type ListCompleteness = 'complete' | 'cut' | 'unknown';

/** `held`: items gathered so far over every page (default: this page's). */
export function completenessOf(connection: Connection | null, held?: number): ListCompleteness {
  if (!connection) return 'unknown';
  const count = held ?? connection.items?.length ?? 0;
  const total = connection.totalCount ?? null;
  const hasNext = connection.pageInfo?.hasNextPage ?? null;
  if (hasNext === true || (total !== null && total > count)) return 'cut';
  if (hasNext === false || total !== null) return 'complete';
  return 'unknown';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function connectionAt(order: Record<string, unknown>, field: string): Connection | null {
  const parsed = connectionSchema.safeParse(order[field]);
  return parsed.success ? parsed.data : null;
}

/** The first object under `viewer` in a query result: the connection or object the query asked for. */
export function firstUnderViewer(data: unknown): unknown {
  const viewer = isRecord(data) ? data.viewer : undefined;
  if (!isRecord(viewer)) throw new Error('the query result has no viewer object');
  const value = Object.values(viewer).find(isRecord);
  if (value === undefined) throw new Error('the query result has nothing under viewer');
  return value;
}

export interface FetchedOrder {
  /** The order with `tickets.items` and `transactions.items` holding every page. */
  order: Record<string, unknown>;
  /** False when a page did not say whether more exist, or the order changed between pages. */
  isComplete: boolean;
}

export interface OrderFetchOptions {
  token: string;
  /** Query text (default DEFAULT_ORDER_QUERY); receives $token, $orderId, $pageIndex, $pageSize. */
  query?: string;
  pageSize?: number;
  /** Pages per order before giving up as incomplete (default 500, i.e. 100,000 tickets). */
  maxPages?: number;
}

/** GraphQL Int for a numeric id (the 2018 schema's ids are Int), the text otherwise. */
export const idVariable = (id: string): number | string => (/^\d{1,15}$/.test(id) ? Number(id) : id);

function barcodeOf(ticket: unknown): unknown {
  return isRecord(ticket) ? ticket.barcode : undefined;
}

/** Every page of one order's tickets and transactions, with the order's other fields from page 0. */
export async function fetchOrder(
  client: MoshtixGraphqlClient,
  orderId: string,
  options: OrderFetchOptions,
): Promise<FetchedOrder> {
  const query = options.query ?? DEFAULT_ORDER_QUERY;
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  const maxPages = options.maxPages ?? 500;
  let order: Record<string, unknown> | null = null;
  const tickets: unknown[] = [];
  const transactions: unknown[] = [];
  let totals: { tickets: number | null; transactions: number | null } | null = null;
  let isComplete = false;
  for (let pageIndex = 0; pageIndex < maxPages; pageIndex += 1) {
    const data = await client.request(query, {
      token: options.token,
      orderId: idVariable(orderId),
      pageIndex,
      pageSize,
    });
    const page = firstUnderViewer(data);
    if (!isRecord(page)) throw new Error(`order ${orderId}: the answer is not an order`);
    order ??= page;
    const ticketPage = connectionAt(page, 'tickets');
    const transactionPage = connectionAt(page, 'transactions');
    tickets.push(...(ticketPage?.items ?? []));
    transactions.push(...(transactionPage?.items ?? []));
    const pageTotals = {
      tickets: ticketPage?.totalCount ?? null,
      transactions: transactionPage?.totalCount ?? null,
    };
    // A total that moves between pages means the order changed while it was read: items may have
    // shifted from one page to another, so the whole cannot be trusted as complete.
    if (totals && (totals.tickets !== pageTotals.tickets || totals.transactions !== pageTotals.transactions))
      break;
    totals = pageTotals;
    const ticketState = completenessOf(ticketPage, tickets.length);
    const transactionState = completenessOf(transactionPage, transactions.length);
    if (ticketState === 'unknown') break;
    if (ticketState === 'complete' && transactionState !== 'cut') {
      isComplete = pageTotals.tickets === null || new Set(tickets.map(barcodeOf)).size === pageTotals.tickets;
      break;
    }
  }
  if (!order) throw new Error(`order ${orderId}: no answer`);
  return {
    order: { ...order, tickets: { items: tickets }, transactions: { items: transactions } },
    isComplete,
  };
}
