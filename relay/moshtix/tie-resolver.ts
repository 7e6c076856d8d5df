/**
 * Ties: two snapshots of an order with the same transactions but different content (a change that
 * added no transaction). The merge rule keeps such a tie fail-safe; with API credentials the relay
 * also asks Moshtix for the order as it is now and ingests the answer (origin `api`) as the newest
 * version. One fetch per order at a time; a failure is logged and the fail-safe state stands.
 */
import { createLogger } from '../../shared/logger.js';
import type { DeliveryInput, IngestResult } from '../store/types.js';
import type { MoshtixGraphqlClient } from './graphql.js';
import { fetchOrder, idVariable } from './order-pages.js';

const log = createLogger('relay.moshtix.ties');

/** The envelope eventType of an order fetched to resolve a tie (an open set: it reads as an order). */
export const API_ORDER_EVENT_TYPE = 'order-api-fetch';

/** Orders the store saw tied in this delivery (a field the store may not report yet). */
export function tiedOrdersOf(result: IngestResult): readonly string[] {
  if (result.status !== 'accepted' || !('tiedOrders' in result)) return [];
  const ties: unknown = result.tiedOrders;
  return Array.isArray(ties) ? ties.filter((id): id is string => typeof id === 'string') : [];
}

export interface TieResolverOptions {
  client: MoshtixGraphqlClient;
  token: string;
  store: { ingestDelivery(input: DeliveryInput): Promise<IngestResult> };
  /** Order query text (default DEFAULT_ORDER_QUERY). */
  orderQuery?: string;
}

export class TieResolver {
  private readonly running = new Map<string, Promise<void>>();
  resolved = 0;
  failed = 0;

  constructor(private readonly options: TieResolverOptions) {}

  /** Starts resolving the ties a delivery reported; answers of the API itself are never re-resolved. */
  notice(result: IngestResult, origin: string): void {
    if (origin === 'api') return;
    for (const orderId of tiedOrdersOf(result)) void this.resolve(orderId);
  }

  resolve(orderId: string): Promise<void> {
    const existing = this.running.get(orderId);
    if (existing) return existing;
    const work = this.fetchAndIngest(orderId).finally(() => this.running.delete(orderId));
    this.running.set(orderId, work);
    return work;
  }

  private async fetchAndIngest(orderId: string): Promise<void> {
    try {
      const fetched = await fetchOrder(this.options.client, orderId, {
        token: this.options.token,
        query: this.options.orderQuery,
      });
      if (!fetched.isComplete) {
        // An answer that may lack tickets must not stand as the newest version: keep the fail-safe tie.
        this.failed += 1;
        log.warn('tie left as is: Moshtix did not say the order ticket list was complete', { orderId });
        return;
      }
      const body = JSON.stringify({
        eventType: API_ORDER_EVENT_TYPE,
        contextId: idVariable(orderId),
        data: fetched.order,
      });
      const result = await this.options.store.ingestDelivery({
        body,
        receivedAt: new Date().toISOString(),
        origin: 'api',
      });
      this.resolved += 1;
      log.info('tie resolved from the Moshtix API', {
        orderId,
        outcome: result.status === 'accepted' ? result.outcome : result.error,
      });
    } catch (error) {
      this.failed += 1;
      log.warn('tie left as is: the Moshtix API did not answer', {
        orderId,
        error: (error as Error).message,
      });
    }
  }

  /** Resolves once every fetch started so far has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }
}
