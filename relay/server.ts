/**
 * The relay service: one node:http server with the webhook route, /healthz, /metrics and the gate
 * websocket, over one store. start() listens; stop() stops taking work, lets in-flight deliveries
 * commit and answer, closes the gates and then the store.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../shared/logger.js';
import { GateHub } from './hub/hub.js';
import { createIngestRoute, sendJson } from './ingest.js';
import { RelayMetrics } from './metrics.js';
import { MoshtixLink, type MoshtixCredentials } from './moshtix/link.js';
import type { AppliedDelivery, RelayStore } from './store/types.js';

const log = createLogger('relay.server');
const PRUNE_INTERVAL_MS = 10 * 60_000;

export interface RelayServiceOptions {
  store: RelayStore;
  webhookSecret: string;
  host?: string;
  port?: number;
  /** Log entries kept for catch-up; a gate further behind gets a snapshot instead. */
  retention?: number;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  /** Moshtix API credentials: subscription checks for /healthz, and ties resolved by asking Moshtix. */
  moshtix?: MoshtixCredentials & { checkIntervalMs?: number };
}

export const DEFAULT_RETENTION = 1_000_000;

export class RelayService {
  readonly metrics = new RelayMetrics();
  readonly hub: GateHub;
  private readonly server: Server;
  private readonly inFlight = new Set<Promise<void>>();
  private pruneTimer: NodeJS.Timeout | null = null;
  private unsubscribeApplied: (() => void) | null = null;
  private address: AddressInfo | null = null;
  readonly moshtix: MoshtixLink | null;

  constructor(private readonly options: RelayServiceOptions) {
    if (options.webhookSecret.length === 0) throw new Error('a webhook secret is required');
    this.hub = new GateHub({
      store: options.store,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs,
      countScan: () => this.metrics.countScan(),
    });
    const store = options.store;
    this.moshtix = options.moshtix
      ? new MoshtixLink({ ...options.moshtix, store, webhookSecret: options.webhookSecret })
      : null;
    const ingest = createIngestRoute(store, this.metrics, options.webhookSecret);
    this.server = createServer((request, response) => {
      const work = this.route(
        request.method ?? 'GET',
        (request.url ?? '/').split('?')[0] ?? '/',
        ingest,
        request,
        response,
      ).catch((error: unknown) => {
        log.error('request failed', { error: (error as Error).message });
        if (!response.headersSent) sendJson(response, 500, { status: 'error', error: 'internal error' });
      });
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    this.server.keepAliveTimeout = 65_000;
    this.server.on('upgrade', (request, socket, head) => {
      if ((request.url ?? '').split('?')[0] !== '/gate') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.hub.handleUpgrade(request, socket, head);
    });
  }

  private async route(
    method: string,
    path: string,
    ingest: ReturnType<typeof createIngestRoute>,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    if (path === '/webhooks/moshtix') {
      if (method !== 'POST') return sendJson(response, 405, { status: 'error', error: 'POST only' });
      return ingest.handle(request, response);
    }
    if (path === '/healthz' && method === 'GET') {
      const stats = await this.options.store.stats();
      return sendJson(response, 200, {
        status: 'ok',
        deliveries: stats.deliveries,
        logHead: stats.logHead,
        skippedTickets: stats.skippedTickets,
        quarantined: stats.quarantined,
        lastDeliveryAt: stats.lastDeliveryAt,
        pendingDeliveries: stats.pendingDeliveries,
        subscription: this.moshtix?.subscription ?? 'unknown',
      });
    }
    if (path === '/metrics' && method === 'GET') {
      const stats = await this.options.store.stats();
      const text = this.metrics.render({
        logHead: stats.logHead,
        gates: this.hub.lags(),
        quarantined: stats.quarantined,
        skippedTickets: stats.skippedTickets,
      });
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(text);
      return;
    }
    sendJson(response, 404, { status: 'error', error: `no route ${method} ${path}` });
  }

  /** Accepted deliveries, once applied: their outcomes for /metrics, their ties to the resolver. */
  private applied(deliveries: readonly AppliedDelivery[]): void {
    for (const { origin, result } of deliveries) {
      if (origin === 'webhook')
        this.metrics.countDelivery(result.status === 'accepted' ? result.outcome : 'quarantined');
      this.moshtix?.noticeDelivery(result, origin);
    }
  }

  async start(): Promise<AddressInfo> {
    this.unsubscribeApplied = this.options.store.onApplied((deliveries) => this.applied(deliveries));
    await this.hub.start();
    const retention = this.options.retention ?? DEFAULT_RETENTION;
    const prune = () => {
      void this.options.store
        .pruneLog(retention)
        .catch((error: unknown) => log.warn('prune failed', { error: (error as Error).message }));
    };
    prune();
    this.pruneTimer = setInterval(prune, PRUNE_INTERVAL_MS);
    this.moshtix?.start();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
    return this.address;
  }

  get url(): string {
    if (!this.address) throw new Error('relay not started');
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await this.hub.stop();
    await Promise.allSettled([...this.inFlight]);
    this.server.closeAllConnections();
    await closed;
    await this.moshtix?.stop();
    this.unsubscribeApplied?.();
    await this.options.store.close();
  }
}
