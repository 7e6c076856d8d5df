/**
 * The sync client: one websocket to the relay's `/gate`, authenticated with the gate token. Says
 * hello with the cursor and selected events, applies what comes back through the SyncTarget (which
 * owns the transactions), uploads pending scans, keeps the line alive with heartbeats and reconnects
 * with capped, jittered backoff. Bad or revoked tokens stop the retries and are reported.
 */
import WebSocket from 'ws';
import {
  CLOSE_CODES,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  PROTOCOL_VERSION,
  parseRelayFrame,
  type GateFrame,
  type LogEntry,
  type RelayFrame,
} from '../../../shared/protocol.js';
import type { ConnectionState } from '../../../shared/gate-api.js';
import type { ScanRecord } from '../../../shared/scans.js';
import { createLogger } from '../../../shared/logger.js';
import type { EventInfo } from '../../../shared/tickets.js';
import type { SnapshotChunk } from '../apply.js';
import { Backoff, gateSocketUrl } from './backoff.js';

const log = createLogger('gate.sync');
const UPLOAD_BATCH = 500;

export interface SyncTarget {
  connection(): { relayUrl: string | null; token: string | null };
  cursor(): number;
  events(): string[];
  pendingScans(limit: number): ScanRecord[];
  welcome(events: EventInfo[]): void;
  /** A snapshot starts: anything buffered from an earlier, interrupted one is dropped. */
  snapshotBegin?(): void;
  /** Takes a chunk (applied now or batched with the next ones); returns how many tickets were stored now. */
  snapshotChunk(chunk: SnapshotChunk): number;
  /** Applies entries; returns the cursor after them. */
  entries(entries: LogEntry[]): number;
  snapshotEnd(cursor: number): void;
  /**
   * While the target is still storing earlier frames: settles when it has caught up. The client stops
   * reading from the relay meanwhile (backpressure), so frames never pile up in memory.
   */
  backlog?(): Promise<void> | null;
  scanAcked(id: string, seq: number): void;
  changed(): void;
}

export interface SyncStatus {
  connection: ConnectionState;
  lastError: string | null;
  head: number | null;
  snapshot: { received: number; total: number } | null;
}

/** Timings; the defaults are the protocol's. Tests shorten them. */
export interface SyncTiming {
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** At most this many tickets per stored slice (see apply-queue.ts; slices are sized by time). */
  snapshotBatchTickets?: number;
}

export const DEFAULT_SYNC_TIMING: SyncTiming = {
  heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
  heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
  backoffBaseMs: 250,
  backoffCapMs: 5_000,
};

const FATAL_CLOSES: Record<number, string> = {
  [CLOSE_CODES.badToken]: 'the relay rejected the gate token',
  [CLOSE_CODES.revoked]: 'the gate token was revoked',
  [CLOSE_CODES.protocolMismatch]: 'the relay speaks another protocol version; update Gatehouse',
};

export class SyncClient {
  private socket: WebSocket | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastHeard = 0;
  /** Reading is paused until the target catches up: the relay's silence is then our own doing. */
  private isPaused = false;
  private isRunning = false;
  private isWelcomed = false;
  private readonly inFlight = new Set<string>();
  private readonly backoff: Backoff;
  private state: SyncStatus = { connection: 'offline', lastError: null, head: null, snapshot: null };

  constructor(
    private readonly target: SyncTarget,
    private readonly timing: SyncTiming = DEFAULT_SYNC_TIMING,
  ) {
    this.backoff = new Backoff(timing.backoffBaseMs, timing.backoffCapMs);
  }

  status(): SyncStatus {
    return { ...this.state };
  }

  start(): void {
    this.isRunning = true;
    this.backoff.reset();
    this.connect();
  }

  stop(): void {
    this.isRunning = false;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.close(1000, 'gate stopping');
      socket.terminate();
    }
    this.update({ connection: 'offline', snapshot: null });
  }

  /** Drops the connection and connects again with the current settings (token, URL, events). */
  restart(): void {
    if (!this.isRunning) return;
    this.stop();
    this.update({ lastError: null });
    this.start();
  }

  /** Sends a fresh local scan now when online; otherwise it waits in the pending queue. */
  upload(scan: ScanRecord): void {
    if (!this.isWelcomed || this.inFlight.has(scan.id)) return;
    this.inFlight.add(scan.id);
    this.send({ type: 'scan', scan });
  }

  /**
   * Opens the socket. A retry after a lost or refused connection keeps the state `offline` (the gate
   * is working from its local list until the relay answers), so staff do not see the badge and the
   * offline banner flicker to "connecting" on every attempt.
   */
  private connect({ isRetry = false }: { isRetry?: boolean } = {}): void {
    if (!this.isRunning) return;
    const { relayUrl, token } = this.target.connection();
    if (!relayUrl || !token) {
      this.update({ connection: 'offline', lastError: relayUrl ? 'no gate token set' : 'no relay URL set' });
      return;
    }
    if (!isRetry) this.update({ connection: 'connecting' });
    const socket = new WebSocket(gateSocketUrl(relayUrl), {
      headers: { Authorization: `Bearer ${token}` },
      maxPayload: 64 * 1024 * 1024,
    });
    this.socket = socket;
    this.isPaused = false;
    this.isWelcomed = false;
    this.inFlight.clear();
    socket.on('open', () => {
      this.lastHeard = Date.now();
      this.send({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        cursor: this.target.cursor(),
        events: this.target.events(),
      });
      this.heartbeatTimer = setInterval(() => this.heartbeat(), this.timing.heartbeatIntervalMs);
    });
    socket.on('message', (data) => {
      this.receive(String(data));
      this.holdWhileBehind(socket);
    });
    socket.on('unexpected-response', (_request, response) => {
      const code = response.statusCode ?? 0;
      const fatal = code === 401 || code === 403 ? FATAL_CLOSES[CLOSE_CODES.badToken] : undefined;
      this.closed(fatal ?? `relay answered HTTP ${code}`, fatal !== undefined);
    });
    socket.on('error', (error) => this.update({ lastError: error.message }));
    socket.on('close', (code, reason) => {
      const fatal = FATAL_CLOSES[code];
      this.closed(
        fatal ?? (reason.length ? reason.toString() : (this.state.lastError ?? `closed (${code})`)),
        fatal !== undefined,
      );
    });
  }

  private closed(reason: string, isFatal: boolean): void {
    const socket = this.socket;
    if (!socket) return;
    socket.removeAllListeners();
    socket.on('error', () => {});
    socket.terminate();
    this.socket = null;
    this.isWelcomed = false;
    this.clearTimers();
    this.update({ connection: 'offline', lastError: reason, snapshot: null });
    if (isFatal) {
      log.error('not retrying', { reason });
      return;
    }
    if (!this.isRunning) return;
    const delay = this.backoff.next();
    log.info('reconnecting', { reason, delayMs: delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect({ isRetry: true });
    }, delay);
  }

  /** Stops reading while the target works through a backlog; resumes when it has caught up. */
  private holdWhileBehind(socket: WebSocket): void {
    const backlog = this.isPaused ? null : this.target.backlog?.();
    if (!backlog || this.socket !== socket) return;
    this.isPaused = true;
    socket.pause();
    void backlog.then(() => {
      if (this.socket !== socket) return;
      this.isPaused = false;
      this.lastHeard = Date.now();
      socket.resume();
    });
  }

  private heartbeat(): void {
    if (!this.isPaused && Date.now() - this.lastHeard > this.timing.heartbeatTimeoutMs) {
      this.closed('relay went silent (heartbeat timeout)', false);
      return;
    }
    this.send({ type: 'ping', t: Date.now() });
  }

  private receive(text: string): void {
    this.lastHeard = Date.now();
    const parsed = parseRelayFrame(text);
    if (!parsed.ok) {
      log.warn('ignoring a frame that does not parse', { problem: parsed.error });
      return;
    }
    try {
      this.handle(parsed.frame);
    } catch (error) {
      // A batch that cannot be applied is not acknowledged: reconnect and get it again.
      log.error('could not apply a frame', { type: parsed.frame.type, error: (error as Error).message });
      this.closed(`could not apply ${parsed.frame.type}: ${(error as Error).message}`, false);
    }
  }

  private handle(frame: RelayFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.isWelcomed = true;
        this.backoff.reset();
        this.target.welcome(frame.events);
        this.update({ connection: 'online', lastError: null, head: frame.head });
        this.uploadPending();
        return;
      case 'snapshot-begin':
        this.target.snapshotBegin?.();
        this.update({
          snapshot: { received: 0, total: frame.tickets },
          head: Math.max(this.state.head ?? 0, frame.cursor),
        });
        return;
      case 'snapshot-chunk': {
        // Progress counts tickets stored, not merely received: what the gate could admit if cut off now.
        const stored = this.target.snapshotChunk(frame);
        if (stored === 0) return;
        const progress = this.state.snapshot ?? { received: 0, total: 0 };
        this.update({ snapshot: { received: progress.received + stored, total: progress.total } });
        return;
      }
      case 'snapshot-end':
        this.target.snapshotEnd(frame.cursor);
        this.send({ type: 'ack', cursor: frame.cursor });
        this.update({ snapshot: null });
        return;
      case 'entries': {
        const cursor = this.target.entries(frame.entries);
        const newest = frame.entries.reduce((max, entry) => Math.max(max, entry.seq), 0);
        this.send({ type: 'ack', cursor });
        this.update({ head: Math.max(this.state.head ?? 0, newest) });
        return;
      }
      case 'scan-ack':
        this.target.scanAcked(frame.id, frame.seq);
        this.inFlight.delete(frame.id);
        if (this.inFlight.size === 0) this.uploadPending();
        this.target.changed();
        return;
      case 'ping':
        this.send({ type: 'pong', t: frame.t });
        return;
      case 'pong':
        return;
      case 'error':
        log.warn('relay reported an error', { code: frame.code, message: frame.message });
        this.update({ lastError: `${frame.code}: ${frame.message}` });
        return;
      default: {
        const impossible: never = frame;
        throw new Error(`unknown frame ${JSON.stringify(impossible)}`);
      }
    }
  }

  private uploadPending(): void {
    for (const scan of this.target.pendingScans(UPLOAD_BATCH)) this.upload(scan);
  }

  private send(frame: GateFrame): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private update(changes: Partial<SyncStatus>): void {
    this.state = { ...this.state, ...changes };
    this.target.changed();
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.retryTimer = null;
    this.heartbeatTimer = null;
  }
}
