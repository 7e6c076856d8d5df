/**
 * The relay service: one node:http server with the webhook route, /healthz, /metrics and the gate
 * websocket, over one store. start() listens; stop() stops taking work, lets in-flight deliveries
 * commit and answer, closes the gates and then the store.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createLogger } from '../shared/logger.js';
import { GateHub } from './hub/hub.js';
import type { OtherEventsWindow } from './hub/other-events-window.js';
import { createIngestRoute, sendJson, type IngestRoute } from './ingest.js';
import { RelayMetrics } from './metrics.js';
import { MoshtixLink, type MoshtixCredentials } from './moshtix/link.js';
import { isVenueRelayStore, type AppliedDelivery, type RelayStore } from './store/types.js';
import { UpstreamLink, type UpstreamOptions } from './upstream/link.js';
import { RelayAdvertiser } from './advertise.js';

const log = createLogger('relay.server');
const PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * Limits against slow and piling clients: headers within 10 s, a whole request (a webhook body of
 * up to 1 MiB from the internet) within 20 s, else 408 and the connection closes. Keep-alive stays
 * longer than a load balancer's usual 60 s idle timeout, so the balancer closes first.
 */
export const RELAY_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 20_000,
  keepAliveTimeout: 65_000,
  connectionsCheckingInterval: 1_000,
} as const;
/** Defaults of --max-connections and --max-connections-per-address (behind a proxy, one address is the proxy). */
export const DEFAULT_MAX_CONNECTIONS = 4_096;
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1_024;

export interface RelayServiceOptions {
  store: RelayStore;
  webhookSecret: string;
  host?: string;
  port?: number;
  /** Log entries kept for catch-up; a gate further behind gets a snapshot instead. */
  retention?: number;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  /** Which other events' tickets gates get as keyed hashes (default 2 days back, 14 ahead). */
  otherEventsWindow?: OtherEventsWindow;
  /** How often the window is looked at again as time passes (default a minute). */
  windowCheckMs?: number;
  /** Moshtix API credentials: subscription checks for /healthz, and ties resolved by asking Moshtix. */
  moshtix?: MoshtixCredentials & { checkIntervalMs?: number };
  /** Open connections at most, overall and from one client address. */
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  /**
   * A venue relay: its log mirrors this upstream relay's (for the given events, or all), its gates'
   * scans are forwarded there, and it takes no webhooks (they go to the upstream relay).
   */
  upstream?: Omit<UpstreamOptions, 'store'>;
  /** Announce `_gatehouse._tcp` on the LAN by mDNS (relay serve --advertise). */
  advertise?: { name?: string };
}

export const DEFAULT_RETENTION = 1_000_000;

export class RelayService {
  readonly metrics = new RelayMetrics();
  readonly hub: GateHub;
  private readonly server: Server;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly ingest: IngestRoute;
  private pruneTimer: NodeJS.Timeout | null = null;
  private unsubscribeApplied: (() => void) | null = null;
  private address: AddressInfo | null = null;
  readonly moshtix: MoshtixLink | null;
  readonly upstream: UpstreamLink | null;
  private readonly advertiser: RelayAdvertiser | null;

  constructor(private readonly options: RelayServiceOptions) {
    if (options.upstream && options.moshtix)
      throw new Error('a venue relay (with an upstream) does not talk to Moshtix: the upstream relay does');
    if (!options.upstream && options.webhookSecret.length === 0)
      throw new Error('a webhook secret is required');
    const venueStore = isVenueRelayStore(options.store) ? options.store : null;
    if (options.upstream && !venueStore)
      throw new Error(
        'a venue relay (with an upstream) keeps its own SQLite database: give --db a file path',
      );
    this.upstream =
      options.upstream && venueStore ? new UpstreamLink({ ...options.upstream, store: venueStore }) : null;
    this.advertiser = options.advertise
      ? new RelayAdvertiser({ name: options.advertise.name, isVenue: options.upstream !== undefined })
      : null;
    this.hub = new GateHub({
      store: options.store,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs,
      otherEventsWindow: options.otherEventsWindow,
      windowCheckMs: options.windowCheckMs,
      countScan: () => this.metrics.countScan(),
    });
    const store = options.store;
    this.moshtix = options.moshtix
      ? new MoshtixLink({ ...options.moshtix, store, webhookSecret: options.webhookSecret })
      : null;
    // Accepted webhooks' outcomes and ties reach /metrics and the resolver once applied (applied()).
    const ingest = createIngestRoute(store, this.metrics, options.webhookSecret);
    this.ingest = ingest;
    this.server = createServer(
      {
        headersTimeout: RELAY_TIMEOUTS.headersTimeout,
        requestTimeout: RELAY_TIMEOUTS.requestTimeout,
        connectionsCheckingInterval: RELAY_TIMEOUTS.connectionsCheckingInterval,
      },
      (request, response) => {
        const url = request.url ?? '/';
        const query = url.indexOf('?');
        const path = query < 0 ? url : url.slice(0, query);
        const method = request.method ?? 'GET';
        // The webhook, the one hot route, answers without a promise of its own (ingest.ts).
        if (path === '/webhooks/moshtix' && method === 'POST' && !this.upstream) {
          ingest.handle(request, response);
          return;
        }
        const work = this.route(method, path, request, response).catch((error: unknown) => {
          // A client cut off (408) or gone leaves nothing to answer.
          if (request.destroyed || response.destroyed) return;
          log.error('request failed', { error: (error as Error).message });
          if (!response.headersSent) sendJson(response, 500, { status: 'error', error: 'internal error' });
        });
        this.inFlight.add(work);
        void work.finally(() => this.inFlight.delete(work));
      },
    );
    this.server.keepAliveTimeout = RELAY_TIMEOUTS.keepAliveTimeout;
    this.capConnections(
      options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    );
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
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    if (path === '/webhooks/moshtix' && this.upstream) {
      return sendJson(response, 404, {
        status: 'error',
        error: `this is a venue relay: Moshtix webhooks go to the internet relay (${this.upstream.url}), not here`,
      });
    }
    if (path === '/webhooks/moshtix') return sendJson(response, 405, { status: 'error', error: 'POST only' });
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
        ...(this.upstream ? { upstream: await this.upstream.health() } : {}),
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

  /** Node drops connections beyond the overall cap; those beyond one address's share are closed here. */
  private capConnections(total: number, perAddress: number): void {
    this.server.maxConnections = total;
    const counts = new Map<string, number>();
    let lastWarned = 0;
    this.server.on('connection', (socket: Socket) => {
      const address = (socket.remoteAddress ?? '?').replace(/^::ffff:/, '');
      const count = (counts.get(address) ?? 0) + 1;
      if (count > perAddress) {
        if (Date.now() - lastWarned > 10_000) {
          lastWarned = Date.now();
          log.warn('too many connections from one address; refusing more', { address, limit: perAddress });
        }
        socket.destroy();
        return;
      }
      counts.set(address, count);
      socket.once('close', () => {
        const left = (counts.get(address) ?? 1) - 1;
        if (left <= 0) counts.delete(address);
        else counts.set(address, left);
      });
    });
  }

  /** Accepted deliveries, once applied: their outcomes for /metrics, their ties to the resolver. */
  private applied(deliveries: readonly AppliedDelivery[]): void {
    for (const { origin, result } of deliveries) {
      if (origin === 'webhook')
        this.metrics.countDelivery(result.status === 'accepted' ? result.outcome : 'quarantined');
      this.moshtix?.noticeDelivery(result, origin);
    }
  }

  /**
   * Listens, then starts the periodic work. A failure to listen (a busy port) stops whatever had
   * started, so nothing keeps the process alive and the caller can report one error and exit.
   */
  async start(): Promise<AddressInfo> {
    const host = this.options.host ?? '127.0.0.1';
    const port = this.options.port ?? 0;
    this.unsubscribeApplied = this.options.store.onApplied((deliveries) => this.applied(deliveries));
    await this.hub.start();
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(port, host, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await this.hub.stop();
      this.unsubscribeApplied?.();
      this.unsubscribeApplied = null;
      const code = (error as NodeJS.ErrnoException).code;
      const cause = code === 'EADDRINUSE' ? 'address already in use (EADDRINUSE)' : (error as Error).message;
      throw new Error(`cannot listen on ${host}:${port}: ${cause}`, { cause: error });
    }
    const retention = this.options.retention ?? DEFAULT_RETENTION;
    const prune = () => {
      void this.options.store
        .pruneLog(retention)
        .catch((error: unknown) => log.warn('prune failed', { error: (error as Error).message }));
    };
    prune();
    this.pruneTimer = setInterval(prune, PRUNE_INTERVAL_MS);
    this.moshtix?.start();
    this.upstream?.start();
    this.address = this.server.address() as AddressInfo;
    this.advertiser?.start(this.address.port);
    return this.address;
  }

  get url(): string {
    if (!this.address) throw new Error('relay not started');
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = null;
    await this.advertiser?.stop();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await this.hub.stop();
    await Promise.allSettled([...this.inFlight, this.ingest.settled()]);
    this.server.closeAllConnections();
    await closed;
    await this.moshtix?.stop();
    this.unsubscribeApplied?.();
    await this.upstream?.stop();
    await this.options.store.close();
  }
}
