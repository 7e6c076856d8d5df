/**
 * The default GraphQL texts the relay sends to Moshtix, in the 2018 schema's shape (see
 * moshtix-api.md). They ask only for what the gate uses — no money (unitCost, bookingFee, totalCost,
 * discount), no telephone or IP address — so a token without access to those can run them, and they
 * page every nested list. Operators adjust them to the live schema with --query-file and
 * --order-query-file.
 */

/** What the gate keeps of an order besides its tickets and transactions. */
const ORDER_FIELDS = 'id customer { firstName lastName email } event { id name startDate endDate }';
const TICKET_FIELDS = 'id firstName lastName valid barcode ticketType { id name }';
const TRANSACTION_FIELDS = 'id type status';
const PAGE_FIELDS = 'pageInfo { hasNextPage pageIndex pageSize } totalCount';

/**
 * Pages of orders. Variables: $token, $pageIndex, $pageSize, $ticketPageSize (and $eventIds with
 * --event, for a query file whose live schema can filter by event; the relay filters too).
 */
export const DEFAULT_ORDERS_QUERY = `query Backfill($token: String!, $pageIndex: Int!, $pageSize: Int!, $ticketPageSize: Int!) {
  viewer(token: $token) {
    getOrders(pageIndex: $pageIndex, pageSize: $pageSize) {
      items {
        ${ORDER_FIELDS}
        tickets(pageIndex: 0, pageSize: $ticketPageSize) { items { ${TICKET_FIELDS} } ${PAGE_FIELDS} }
        transactions(pageIndex: 0, pageSize: $ticketPageSize) { items { ${TRANSACTION_FIELDS} } ${PAGE_FIELDS} }
      }
      ${PAGE_FIELDS}
    }
  }
}
`;

/**
 * One order, one page of its tickets and transactions at a time: for orders whose listed tickets
 * were cut short, and for ties the relay resolves. Variables: $token, $orderId, $pageIndex, $pageSize.
 */
export const DEFAULT_ORDER_QUERY = `query Order($token: String!, $orderId: Int!, $pageIndex: Int!, $pageSize: Int!) {
  viewer(token: $token) {
    getOrder(id: $orderId) {
      ${ORDER_FIELDS}
      tickets(pageIndex: $pageIndex, pageSize: $pageSize) { items { ${TICKET_FIELDS} } ${PAGE_FIELDS} }
      transactions(pageIndex: $pageIndex, pageSize: $pageSize) { items { ${TRANSACTION_FIELDS} } ${PAGE_FIELDS} }
    }
  }
}
`;

/** The largest page the API is known to take (getEvents' IntBetween1and200). */
export const MAX_PAGE_SIZE = 200;
