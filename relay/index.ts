/**
 * The relay's in-process API, for the CLI, the demo and the benchmarks:
 *   const relay = await startRelay({ dbPath, webhookSecret, port: 0 });
 *   const token = await addGate(dbPath, 'Gate 1');
 *   ...; await relay.stop();
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from './hub/hub.js';
import type { OtherEventsWindow } from './hub/other-events-window.js';
import type { MoshtixCredentials } from './moshtix/link.js';
import type { UpstreamOptions } from './upstream/link.js';
import { DEFAULT_RETENTION, RelayService } from './server.js';
import { openStore } from './store/open.js';
import type { GateRow, RelayStore } from './store/types.js';

export { DEFAULT_RETENTION, RelayService } from './server.js';
export { openSqliteStore, SqliteRelayStore } from './store/sqlite.js';
export { openPgStore, PgRelayStore } from './store/pg/store.js';
export { openStore, isPostgresUrl } from './store/open.js';
export { SchemaTooNewError } from './store/migrations.js';
export type * from './store/types.js';
export { hashToken } from './hub/hub.js';

export interface StartRelayOptions {
  /** A SQLite file path, or a `postgres://` URL (several replicas may share that database). */
  dbPath: string;
  webhookSecret: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Log entries kept for catch-up; a gate further behind gets a snapshot. */
  retention?: number;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  /** Which other events' tickets gates get as keyed hashes (default 2 days back, 14 ahead). */
  otherEventsWindow?: OtherEventsWindow;
  /** Moshtix API credentials (subscription checks, tie resolution). */
  moshtix?: MoshtixCredentials;
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  /** A venue relay: mirror this upstream relay and forward this relay's gates' scans to it. */
  upstream?: Omit<UpstreamOptions, 'store'>;
  /** Announce `_gatehouse._tcp` on the LAN by mDNS. */
  advertise?: { name?: string };
}

export interface RunningRelay {
  url: string;
  port: number;
  host: string;
  /** Revokes a gate and disconnects it at once. */
  revokeGate(name: string): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startRelay(options: StartRelayOptions): Promise<RunningRelay> {
  // SQLite commits (and their fsyncs) run on a worker thread: the HTTP and websocket thread never
  // waits on disk. PostgreSQL commits run on the server.
  const store = await openStore(options.dbPath, {
    role: 'serve',
    forwardsScans: options.upstream !== undefined,
  });
  const service = new RelayService({
    store,
    webhookSecret: options.webhookSecret,
    host: options.host,
    port: options.port ?? 0,
    retention: options.retention ?? DEFAULT_RETENTION,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs,
    otherEventsWindow: options.otherEventsWindow,
    moshtix: options.moshtix,
    maxConnections: options.maxConnections,
    maxConnectionsPerAddress: options.maxConnectionsPerAddress,
    upstream: options.upstream,
    advertise: options.advertise,
  });
  let address;
  try {
    address = await service.start();
  } catch (error) {
    await store.close();
    throw error;
  }
  let stopping: Promise<void> | null = null;
  return {
    url: service.url,
    port: address.port,
    host: address.address,
    async revokeGate(name) {
      const isRevoked = await store.revokeGate(name);
      service.hub.disconnectGate(name);
      return isRevoked;
    },
    stop() {
      stopping ??= service.stop();
      return stopping;
    },
  };
}

/** Opens the store at dbPath (file or postgres:// URL), runs `work`, closes it: for admin commands. */
export async function withStore<T>(dbPath: string, work: (store: RelayStore) => Promise<T>): Promise<T> {
  const store = await openStore(dbPath, { role: 'admin' });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** A new gate token: 32 random bytes, URL-safe. Only its SHA-256 is stored. */
export function generateGateToken(): string {
  return `gh_${randomBytes(32).toString('base64url')}`;
}

/**
 * Registers a gate and returns its token (shown once; the relay keeps only its hash). A venue token
 * is a venue relay's: it uploads scans on behalf of the venue's own gates.
 */
export async function addGate(
  dbPath: string,
  name: string,
  options: { isVenue?: boolean; token?: string } = {},
): Promise<string> {
  // A given token: one a gate already holds from another relay (venue relay and internet relay).
  const token = options.token ?? generateGateToken();
  await withStore(dbPath, (store) => store.addGate(name, hashToken(token), { isVenue: options.isVenue }));
  return token;
}

export function listGates(dbPath: string): Promise<GateRow[]> {
  return withStore(dbPath, (store) => store.listGates());
}

export function revokeGate(dbPath: string, name: string): Promise<boolean> {
  return withStore(dbPath, (store) => store.revokeGate(name));
}
