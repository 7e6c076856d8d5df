/**
 * The websocket hub at /gate: authenticates gates by bearer token, runs one GateSession per socket,
 * fans committed log entries out to the live sessions whose events they concern, keeps heartbeats,
 * and disconnects gates revoked by another process (noticed by a cheap poll of the database).
 * Heartbeat timeouts run on the monotonic clock; pings carry the relay's wall clock and quarantine
 * backlog, so gates can show a clock that is off and webhooks the relay could not read. Other
 * events' tickets go out as the keyed-hash index (other-events.ts); the window it covers is looked at
 * again every minute and whenever an event's details change.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLogger } from '../../shared/logger.js';
import {
  CLOSE_CODES,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  type RelayFrame,
} from '../../shared/protocol.js';
import type { GateLag } from '../metrics.js';
import type { RelayStore, StoredEntry } from '../store/types.js';
import { OtherEventsIndex } from './other-events.js';
import { DEFAULT_OTHER_EVENTS_WINDOW, type OtherEventsWindow } from './other-events-window.js';
import { entriesFrame, GateSession } from './session.js';

const log = createLogger('relay.hub');
/** A live gate that falls this far behind is dropped; it reconnects and catches up from its cursor. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export interface HubOptions {
  store: RelayStore;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  /** How often to look for other processes' writes (revocations, imports). */
  pollMs?: number;
  /** Which other events' tickets each gate gets as index entries (default 2 days back, 14 ahead). */
  otherEventsWindow?: OtherEventsWindow;
  /** How often the window is looked at again as time passes. */
  windowCheckMs?: number;
  countScan(): void;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

function bearerToken(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

export class GateHub {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: 256 * 1024,
    perMessageDeflate: false,
  });
  private readonly sessions = new Set<GateSession>();
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  private isPolling = false;
  /** The quarantine backlog as last read, sent with pings; refreshed once per heartbeat, not per gate. */
  private quarantined: number | null = null;
  private isReadingQuarantine = false;
  private readonly index: OtherEventsIndex;

  constructor(private readonly options: HubOptions) {
    this.index = new OtherEventsIndex({
      store: options.store,
      window: options.otherEventsWindow ?? DEFAULT_OTHER_EVENTS_WINDOW,
    });
  }

  async start(): Promise<void> {
    this.unsubscribe = this.options.store.onEntries((entries) => this.fanOut(entries));
    await this.index.start();
    await this.readQuarantine();
    this.timers.push(
      setInterval(() => this.heartbeat(), this.options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS),
    );
    this.timers.push(setInterval(() => void this.poll(), this.options.pollMs ?? 250));
    this.timers.push(
      setInterval(() => {
        this.index.reevaluate();
        this.refreshIndexes();
      }, this.options.windowCheckMs ?? 60_000),
    );
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    this.unsubscribe?.();
    for (const session of this.sessions) session.close(CLOSE_CODES.shuttingDown, 'relay shutting down');
    this.sessions.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get connected(): number {
    return this.sessions.size;
  }

  /**
   * Per-gate lag in sequence numbers: how far the gate's acknowledged cursor trails what it has been
   * sent (entries of other events are never sent to it, so they do not count against it).
   */
  lags(): GateLag[] {
    return [...this.sessions].map((session) => ({
      gate: session.gate,
      lag: Math.max(0, session.sent - session.acked),
    }));
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (webSocket) => {
      void this.admit(request, webSocket);
    });
  }

  /** Closes every session of a gate (revoked in this process). */
  disconnectGate(name: string): void {
    for (const session of this.sessions) {
      if (session.gate === name) session.close(CLOSE_CODES.revoked, 'gate revoked');
    }
  }

  private async admit(request: IncomingMessage, socket: WebSocket): Promise<void> {
    // Queue frames that arrive while the token is checked; they are handled once the session exists.
    const early: string[] = [];
    const hold = (data: Buffer) => early.push(data.toString('utf8'));
    socket.on('message', hold);
    const token = bearerToken(request);
    const gate = token ? await this.options.store.findGate(hashToken(token)) : null;
    socket.off('message', hold);
    if (!gate) {
      socket.close(CLOSE_CODES.badToken, 'bad token');
      return;
    }
    if (gate.revokedAt !== null) {
      socket.close(CLOSE_CODES.revoked, 'gate revoked');
      return;
    }
    // The gate may have hung up while its token was checked: then there is no session to run.
    if (socket.readyState !== socket.OPEN) return;
    const session = new GateSession(
      gate.name,
      socket,
      { store: this.options.store, index: this.index, countScan: this.options.countScan },
      gate.isVenue,
    );
    this.sessions.add(session);
    log.info('gate connected', { gate: gate.name, ...(gate.isVenue ? { isVenue: true } : {}) });
    // Frames are handled one at a time, in order: a scan never overtakes the hello before it.
    let queue = Promise.resolve();
    const receive = (text: string) => {
      queue = queue
        .then(() => session.receive(text))
        .catch((error: unknown) => {
          log.error('gate frame failed', { gate: gate.name, error: (error as Error).message });
          session.close(1011, 'internal error');
        });
    };
    socket.on('message', (data: Buffer) => receive(data.toString('utf8')));
    socket.on('close', () => {
      session.state = 'closed';
      this.sessions.delete(session);
      log.info('gate disconnected', { gate: gate.name });
    });
    socket.on('error', () => socket.terminate());
    for (const text of early) receive(text);
  }

  private fanOut(entries: readonly StoredEntry[]): void {
    const isEventChanged = this.index.noteEntries(entries);
    // Gates of the same events get the same bytes: build each distinct frame once.
    const frames = new Map<string, { entries: StoredEntry[]; frame: Buffer }>();
    for (const session of this.sessions) {
      if (session.state !== 'live' && session.state !== 'catching-up') continue;
      const selection = session.select(entries);
      if (selection.entries.length === 0) continue;
      let built = frames.get(selection.key);
      if (!built) {
        built = { entries: selection.entries, frame: Buffer.from(entriesFrame(selection.entries)) };
        frames.set(selection.key, built);
      }
      if (session.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        log.warn('gate too slow, dropping it to catch up later', { gate: session.gate });
        session.socket.terminate();
        continue;
      }
      session.deliver(built.entries, built.frame);
    }
    // An event's dates changed: gates whose other events changed with them get the index again.
    if (isEventChanged) this.refreshIndexes();
  }

  private refreshIndexes(): void {
    for (const session of this.sessions) {
      session.refreshIndex().catch((error: unknown) => {
        log.error('could not send the index again', { gate: session.gate, error: (error as Error).message });
        session.close(1011, 'internal error');
      });
    }
  }

  private heartbeat(): void {
    const now = performance.now();
    const timeout = this.options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
    const frame: RelayFrame = {
      type: 'ping',
      t: Date.now(),
      ...(this.quarantined === null ? {} : { quarantined: this.quarantined }),
    };
    const ping = JSON.stringify(frame);
    if (this.sessions.size > 0) void this.readQuarantine();
    for (const session of this.sessions) {
      if (now - session.lastSeen > timeout) {
        log.warn('gate silent, dropping it', { gate: session.gate });
        session.close(CLOSE_CODES.heartbeatTimeout, 'heartbeat timeout');
        continue;
      }
      if (session.state === 'live' || session.state === 'awaiting-hello') void session.sendText(ping);
    }
  }

  private async readQuarantine(): Promise<void> {
    if (this.isReadingQuarantine) return;
    this.isReadingQuarantine = true;
    try {
      this.quarantined = (await this.options.store.stats()).quarantined;
    } catch (error) {
      log.error('could not read the quarantine backlog', { error: (error as Error).message });
    } finally {
      this.isReadingQuarantine = false;
    }
  }

  private async poll(): Promise<void> {
    if (this.isPolling) return;
    this.isPolling = true;
    try {
      const hasChanged = await this.options.store.pollExternalChanges();
      if (!hasChanged || this.sessions.size === 0) return;
      const revoked = new Set(
        (await this.options.store.listGates())
          .filter((gate) => gate.revokedAt !== null)
          .map((gate) => gate.name),
      );
      for (const session of this.sessions) {
        if (revoked.has(session.gate)) {
          log.info('gate revoked, disconnecting', { gate: session.gate });
          session.close(CLOSE_CODES.revoked, 'gate revoked');
        }
      }
    } catch (error) {
      log.error('poll failed', { error: (error as Error).message });
    } finally {
      this.isPolling = false;
    }
  }
}
