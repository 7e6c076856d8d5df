/**
 * Backfill: page orders out of the Moshtix GraphQL API and feed each one, wrapped in the webhook
 * envelope, through the same ingest path as a webhook delivery. An order is a full snapshot only
 * when every one of its tickets is known to be here: a ticket list the API cut short is completed
 * page by page (the order query), and one whose completeness the answer does not tell is applied
 * ticket by ticket without revoking the tickets it does not list. The query texts are files the
 * operator can adjust to the live schema (see queries.ts for their variables).
 */
import { z } from 'zod';
import type { ImportRow, IngestResult, RelayStore } from '../store/types.js';
import type { MoshtixGraphqlClient } from './graphql.js';
import { completenessOf, connectionAt, fetchOrder, firstUnderViewer, idVariable } from './order-pages.js';
import { DEFAULT_ORDERS_QUERY, MAX_PAGE_SIZE } from './queries.js';

export { DEFAULT_ORDER_QUERY, DEFAULT_ORDERS_QUERY } from './queries.js';

export const BACKFILL_EVENT_TYPE = 'order-backfill';

const pageSchema = z.looseObject({
  items: z.array(z.unknown()),
  pageInfo: z.looseObject({ hasNextPage: z.boolean().nullish() }).nullish(),
});

const id = z.union([z.number(), z.string()]).transform(String);
/** Just what a ticket row needs, every field optional: an odd ticket is skipped, never fatal. */
const listedOrderSchema = z.looseObject({
  id,
  event: z.looseObject({ id }).nullish(),
  customer: z
    .looseObject({
      firstName: z.string().nullish(),
      lastName: z.string().nullish(),
      email: z.string().nullish(),
    })
    .nullish(),
  tickets: z
    .looseObject({
      items: z
        .array(
          z.looseObject({
            id: id.nullish(),
            barcode: z.unknown(),
            valid: z.unknown(),
            firstName: z.string().nullish(),
            lastName: z.string().nullish(),
            ticketType: z.looseObject({ id: id.nullish(), name: z.string().nullish() }).nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});
type ListedOrder = z.infer<typeof listedOrderSchema>;

export interface BackfillOptions {
  token: string;
  /** Orders query text (default DEFAULT_ORDERS_QUERY). */
  query?: string;
  /** Order query text, for the rest of a cut-short ticket list (default DEFAULT_ORDER_QUERY). */
  orderQuery?: string;
  pageSize?: number;
  maxPages?: number;
  /** Only orders of these events (none: every event). */
  events?: readonly string[];
  onPage?(pageIndex: number, orders: number): void;
}

export interface BackfillReport {
  pages: number;
  orders: number;
  applied: number;
  unchanged: number;
  quarantined: { contextId: string; error: string }[];
  /** Orders of events not asked for. */
  skipped: number;
  /** Orders whose ticket list could not be known complete: applied ticket by ticket, revoking none. */
  partial: number;
  /** Tickets those orders listed, and how many of them changed a state. */
  partialTickets: number;
  partialChanged: number;
  /** Tickets of those orders with no usable barcode. */
  unreadableTickets: number;
}

const joinName = (first?: string | null, last?: string | null) =>
  [first, last].filter((part) => part && part.trim() !== '').join(' ') || null;

/** Import rows for the tickets an incomplete list does show. */
function rowsOf(order: ListedOrder): { rows: ImportRow[]; unreadable: number } {
  const rows: ImportRow[] = [];
  let unreadable = 0;
  for (const ticket of order.tickets?.items ?? []) {
    const barcode = typeof ticket.barcode === 'string' ? ticket.barcode.trim() : '';
    if (barcode === '' || barcode.length > 256) {
      unreadable += 1;
      continue;
    }
    rows.push({
      barcode,
      // Anything but a literal true is not valid.
      valid: ticket.valid === true,
      orderId: order.id,
      ticketId: ticket.id ?? null,
      ticketTypeId: ticket.ticketType?.id ?? null,
      ticketTypeName: ticket.ticketType?.name ?? null,
      holderName:
        joinName(ticket.firstName, ticket.lastName) ??
        joinName(order.customer?.firstName, order.customer?.lastName),
      email: order.customer?.email ?? null,
    });
  }
  return { rows, unreadable };
}

const envelope = (contextId: string, order: unknown) =>
  // The same envelope Moshtix renders from the subscription's body template.
  JSON.stringify({ eventType: BACKFILL_EVENT_TYPE, contextId: idVariable(contextId), data: order });

export async function backfill(
  client: MoshtixGraphqlClient,
  store: RelayStore,
  options: BackfillOptions,
): Promise<BackfillReport> {
  const query = options.query ?? DEFAULT_ORDERS_QUERY;
  const pageSize = options.pageSize ?? 100;
  const maxPages = options.maxPages ?? 10_000;
  const events = options.events && options.events.length > 0 ? new Set(options.events) : null;
  const report: BackfillReport = {
    pages: 0,
    orders: 0,
    applied: 0,
    unchanged: 0,
    quarantined: [],
    skipped: 0,
    partial: 0,
    partialTickets: 0,
    partialChanged: 0,
    unreadableTickets: 0,
  };
  const count = (contextId: string, result: IngestResult) => {
    report.orders += 1;
    if (result.status === 'quarantined') report.quarantined.push({ contextId, error: result.error });
    else if (result.outcome === 'applied') report.applied += 1;
    else report.unchanged += 1;
  };
  const variables: Record<string, unknown> = {
    token: options.token,
    pageSize,
    ticketPageSize: MAX_PAGE_SIZE,
  };
  if (events) variables.eventIds = [...events].map(idVariable);
  for (let pageIndex = 0; pageIndex < maxPages; pageIndex += 1) {
    const page = pageSchema.parse(firstUnderViewer(await client.request(query, { ...variables, pageIndex })));
    report.pages += 1;
    // Rows of incomplete orders, by event: applied with one import per event and page.
    const partialRows = new Map<string, ImportRow[]>();
    // Full snapshots of the page, ingested together so that they share one commit (one fsync).
    const snapshots: { contextId: string; body: string }[] = [];
    for (const item of page.items) {
      const listed = listedOrderSchema.safeParse(item);
      if (!listed.success || typeof item !== 'object' || item === null) {
        // Not even an order id: ingest it as it is, so it is kept and reported as quarantined.
        snapshots.push({ contextId: '?', body: envelope('?', item) });
        continue;
      }
      const order = listed.data;
      if (events && !events.has(order.event?.id ?? '')) {
        report.skipped += 1;
        continue;
      }
      let data: unknown = item;
      let isComplete = true;
      const record = item as Record<string, unknown>;
      const tickets = completenessOf(connectionAt(record, 'tickets'));
      const transactions = completenessOf(connectionAt(record, 'transactions'));
      if (tickets === 'cut' || transactions === 'cut') {
        const fetched = await fetchOrder(client, order.id, {
          token: options.token,
          query: options.orderQuery,
        });
        data = fetched.order;
        isComplete = fetched.isComplete;
      } else if (tickets === 'unknown') {
        isComplete = false;
      }
      if (isComplete) {
        snapshots.push({ contextId: order.id, body: envelope(order.id, data) });
        continue;
      }
      const eventId = order.event?.id;
      if (eventId === undefined) {
        report.quarantined.push({
          contextId: order.id,
          error: 'event.id: missing (the order cannot be tied to an event)',
        });
        continue;
      }
      const reread = listedOrderSchema.safeParse(data);
      const { rows, unreadable } = rowsOf(reread.success ? reread.data : order);
      report.orders += 1;
      report.partial += 1;
      report.partialTickets += rows.length;
      report.unreadableTickets += unreadable;
      const known = partialRows.get(eventId) ?? [];
      for (const row of rows) known.push(row);
      partialRows.set(eventId, known);
    }
    const results = await Promise.all(
      snapshots.map(({ body }) =>
        store.ingestDelivery({ body, receivedAt: new Date().toISOString(), origin: 'backfill' }),
      ),
    );
    results.forEach((result, index) => count(snapshots[index]?.contextId ?? '?', result));
    for (const [eventId, rows] of partialRows) await applyPartial(store, eventId, rows, report);
    options.onPage?.(pageIndex, page.items.length);
    if (!page.pageInfo?.hasNextPage || page.items.length === 0) break;
  }
  return report;
}

/**
 * Tickets from a list that may be cut short, applied one by one and revoking none it does not list.
 * Fail safe on doubt: what the API calls not valid is applied as the newest word (an authoritative
 * import); what it calls valid only fills in tickets no webhook has spoken for.
 */
async function applyPartial(
  store: RelayStore,
  eventId: string,
  rows: readonly ImportRow[],
  report: BackfillReport,
): Promise<void> {
  const source = 'moshtix api backfill (ticket list not known complete)';
  const revoked = rows.filter((row) => !row.valid);
  const valid = rows.filter((row) => row.valid);
  if (revoked.length > 0) {
    const result = await store.importTickets(eventId, source, revoked, { isAuthoritative: true });
    report.partialChanged += result.changed;
  }
  if (valid.length > 0) {
    const result = await store.importTickets(eventId, source, valid);
    report.partialChanged += result.changed;
  }
}
