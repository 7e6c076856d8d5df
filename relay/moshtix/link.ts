/**
 * What `relay serve` does with Moshtix API credentials: checks the webhook subscription at start and
 * every 10 minutes (for /healthz), and resolves ties by asking Moshtix for the order. Owns its timer;
 * stop() clears it and waits for the check and fetches in flight.
 */
import { createLogger } from '../../shared/logger.js';
import type { DeliveryInput, IngestResult } from '../store/types.js';
import type { MoshtixGraphqlClient } from './graphql.js';
import { checkSubscription, type SubscriptionStatus } from './subscription.js';
import { TieResolver } from './tie-resolver.js';

const log = createLogger('relay.moshtix');

export const SUBSCRIPTION_CHECK_INTERVAL_MS = 10 * 60_000;

export interface MoshtixCredentials {
  client: MoshtixGraphqlClient;
  token: string;
  /** Client account id; without it the subscription cannot be checked and stays "unknown". */
  clientId?: number;
  /** Order query text for ties (default DEFAULT_ORDER_QUERY). */
  orderQuery?: string;
}

export interface MoshtixLinkOptions extends MoshtixCredentials {
  store: { ingestDelivery(input: DeliveryInput): Promise<IngestResult> };
  webhookSecret: string;
  checkIntervalMs?: number;
}

export class MoshtixLink {
  readonly ties: TieResolver;
  private status: SubscriptionStatus = 'unknown';
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private checks = 0;

  constructor(private readonly options: MoshtixLinkOptions) {
    this.ties = new TieResolver({
      client: options.client,
      token: options.token,
      store: options.store,
      orderQuery: options.orderQuery,
    });
  }

  get subscription(): SubscriptionStatus {
    return this.status;
  }

  /** How many subscription checks have finished (for tests and logs). */
  get checksDone(): number {
    return this.checks;
  }

  start(): void {
    if (this.options.clientId === undefined) {
      log.warn('no Moshtix client id (--moshtix-client): the webhook subscription is not checked');
      return;
    }
    void this.check();
    this.timer = setInterval(
      () => void this.check(),
      this.options.checkIntervalMs ?? SUBSCRIPTION_CHECK_INTERVAL_MS,
    );
  }

  /** Runs one check unless one is already running; never throws (a failure means "unknown"). */
  check(): Promise<void> {
    const clientId = this.options.clientId;
    if (clientId === undefined) return Promise.resolve();
    this.checking ??= checkSubscription(this.options.client, {
      token: this.options.token,
      clientId,
      webhookSecret: this.options.webhookSecret,
    })
      .then(
        (result) => {
          // Say so when it changes, and keep saying so while it is not enabled.
          if (result.status !== 'enabled')
            log.warn('Moshtix subscription disabled: webhooks may not arrive', { reason: result.reason });
          else if (this.status !== 'enabled')
            log.info('Moshtix subscription enabled', { reason: result.reason });
          this.status = result.status;
        },
        (error: unknown) => {
          this.status = 'unknown';
          log.warn('Moshtix subscription check failed', { error: (error as Error).message });
        },
      )
      .finally(() => {
        this.checks += 1;
        this.checking = null;
      });
    return this.checking;
  }

  noticeDelivery(result: IngestResult, origin: string): void {
    this.ties.notice(result, origin);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checking;
    await this.ties.settled();
  }
}
