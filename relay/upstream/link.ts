/**
 * The upstream link of a venue relay: one websocket to the internet relay's `/gate`, authenticated
 * with a venue token, speaking the gate protocol as a gate would. What comes down (entries, or a
 * snapshot) is mirrored into this relay's own log with the upstream cursor in the same transaction
 * (store.mirrorUpstream); the scans of this relay's own gates go up from the durable outbox
 * (forwarder.ts). Heartbeats on the monotonic clock; lost links retry with the usual capped, jittered
 * backoff and resume from the stored cursor; a refused token stops the retries (state `rejected`).
 */
import WebSocket from 'ws';
import { Backoff, gateSocketUrl } from '../../shared/backoff.js';
import { createLogger } from '../../shared/logger.js';
import {
  CLOSE_CODES,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  PROTOCOL_VERSION,
  parseRelayFrame,
  type GateFrame,
  type RelayFrame,
} from '../../shared/protocol.js';
import type { ScanRecord } from '../../shared/scans.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';
import type { VenueRelayStore } from '../store/types.js';
import { eventsToFollow, sameEvents } from './events.js';
import { Forwarder } from './forwarder.js';

const log = createLogger('relay.upstream');

export type UpstreamConnection = 'connecting' | 'online' | 'offline' | 'rejected';

export interface UpstreamHealth {
  state: UpstreamConnection;
  /** The upstream seq applied here. */
  cursor: number;
  /** Upstream seqs not applied yet, as of the upstream head last heard (welcome, entries). */
  lag: number;
  /** Scans of this relay's gates not yet stored upstream. */
  pendingUploads: number;
  /** Scans the upstream refused (e.g. the token is not a venue token): kept here, not forwarded. */
  refusedUploads: number;
  lastError: string | null;
}

export interface UpstreamOptions {
  url: string;
  token: string;
  /** Events to follow; empty: every event the upstream relay knows (newest 100). */
  events: readonly string[];
  store: VenueRelayStore;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
}

interface Snapshot {
  kind: 'snapshot';
  cursor: number;
  events: EventInfo[];
  tickets: TicketState[];
  scans: { seq: number; scan: ScanRecord }[];
}

const FATAL: Record<number, string> = {
  [CLOSE_CODES.badToken]: 'the upstream relay rejected the venue token',
  [CLOSE_CODES.revoked]: 'the venue token was revoked upstream',
  [CLOSE_CODES.protocolMismatch]: 'the upstream relay speaks another protocol version; update Gatehouse',
};

export class UpstreamLink {
  private socket: WebSocket | null = null;
  private state: UpstreamConnection = 'offline';
  private lastError: string | null = null;
  private isRunning = false;
  private readonly backoff = new Backoff();
  private readonly forwarder: Forwarder;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastHeard = 0;
  private upstreamHead = 0;
  /** Events the upstream relay announced (welcome, event entries): "follow all" follows these. */
  private readonly known = new Map<string, EventInfo>();
  private helloEvents: string[] = [];
  /** Start over from a snapshot: first link, or more events to follow than the last hello named. */
  private needsSnapshot = false;
  private snapshot: Snapshot | null = null;
  /** Frames are handled one at a time, in order, each after the previous one's write committed. */
  private work: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly options: UpstreamOptions) {
    this.forwarder = new Forwarder(options.store);
  }

  start(): void {
    this.isRunning = true;
    // A scan of one of this relay's gates was committed (with its outbox row): forward it.
    this.unsubscribe = this.options.store.onEntries((entries) => {
      if (entries.some((entry) => entry.kind === 'scan')) this.forwarder.pump();
    });
    void this.connect();
  }

  async stop(): Promise<void> {
    this.isRunning = false;
    this.unsubscribe?.();
    this.drop();
    this.state = 'offline';
    await this.work;
    await this.forwarder.idle();
  }

  /** The upstream relay's URL, as given (for messages). */
  get url(): string {
    return this.options.url;
  }

  async health(): Promise<UpstreamHealth> {
    const { cursor, pendingUploads, refusedUploads } = await this.options.store.upstreamState();
    return {
      state: this.state,
      cursor,
      lag: Math.max(0, this.upstreamHead - cursor),
      pendingUploads,
      refusedUploads,
      lastError: this.lastError,
    };
  }

  /** The hello: the stored cursor (0 when a snapshot is needed) and the events to follow. */
  private async plan(): Promise<{ cursor: number; events: string[] }> {
    const { store } = this.options;
    const { cursor } = await store.upstreamState();
    const local = await store.listEvents();
    for (const event of local) if (!this.known.has(event.id)) this.known.set(event.id, event);
    const events = eventsToFollow(this.options.events, this.known.values());
    const localIds = new Set(local.map((event) => event.id));
    // An event followed but never heard of here: its earlier entries are behind the cursor.
    if (cursor === 0 || events.some((id) => !localIds.has(id))) this.needsSnapshot = true;
    return { cursor: this.needsSnapshot ? 0 : cursor, events };
  }

  private async connect(): Promise<void> {
    this.retryTimer = null;
    if (!this.isRunning) return;
    let hello: { cursor: number; events: string[] };
    try {
      hello = await this.plan();
    } catch (error) {
      log.error('could not read the upstream cursor', { error: (error as Error).message });
      this.retryLater(`could not read the upstream cursor: ${(error as Error).message}`);
      return;
    }
    if (!this.isRunning) return;
    const { cursor, events } = hello;
    this.helloEvents = events;
    // Retries keep `offline` (the venue works from its own log meanwhile): no flicker on each attempt.
    this.state = this.lastError === null ? 'connecting' : 'offline';
    const socket = new WebSocket(gateSocketUrl(this.options.url), {
      headers: { Authorization: `Bearer ${this.options.token}` },
      maxPayload: 256 * 1024 * 1024,
    });
    this.socket = socket;
    this.snapshot = null;
    socket.on('open', () => {
      this.lastHeard = performance.now();
      this.send({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        cursor,
        events,
      });
      this.heartbeatTimer = setInterval(
        () => this.heartbeat(),
        this.options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
      );
    });
    socket.on('message', (data) => {
      const text = String(data);
      this.lastHeard = performance.now();
      this.work = this.work
        .then(() => this.receive(socket, text))
        .catch((error: unknown) => log.error('upstream frame failed', { error: (error as Error).message }));
    });
    socket.on('unexpected-response', (_request, response) => {
      const code = response.statusCode ?? 0;
      this.closed(socket, `upstream answered HTTP ${code}`, code === 401 || code === 403);
    });
    socket.on('error', (error) => (this.lastError = error.message));
    socket.on('close', (code, reason) => {
      const fatal = FATAL[code];
      this.closed(socket, fatal ?? (reason.length > 0 ? reason.toString() : `closed (${code})`), !!fatal);
    });
  }

  private drop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.retryTimer = null;
    this.heartbeatTimer = null;
    this.forwarder.offline();
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.removeAllListeners();
    socket.on('error', () => {});
    socket.terminate();
  }

  /** The link is gone: retry after the backoff (at once when resyncing), unless staff must act. */
  private closed(socket: WebSocket, reason: string, isFatal = false, delayMs?: number): void {
    if (socket !== this.socket) return;
    this.drop();
    this.lastError = reason;
    this.state = isFatal ? 'rejected' : 'offline';
    if (isFatal) {
      log.error('upstream link stopped; not retrying', { reason });
      return;
    }
    this.retryLater(reason, delayMs);
  }

  private retryLater(reason: string, delayMs?: number): void {
    if (!this.isRunning) return;
    const delay = delayMs ?? this.backoff.next();
    log.info('upstream link lost; reconnecting', { reason, delayMs: delay });
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private heartbeat(): void {
    const socket = this.socket;
    if (!socket) return;
    if (performance.now() - this.lastHeard > (this.options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS)) {
      this.closed(socket, 'upstream relay went silent (heartbeat timeout)');
      return;
    }
    this.send({ type: 'ping', t: performance.now() });
  }

  private send(frame: GateFrame): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private async receive(socket: WebSocket, text: string): Promise<void> {
    if (socket !== this.socket) return;
    const parsed = parseRelayFrame(text);
    if (!parsed.ok) {
      // The cursor stays before it: the upstream sends it again after the reconnect.
      log.error('unreadable frame from the upstream relay; reconnecting', { error: parsed.error });
      this.closed(socket, `unreadable frame: ${parsed.error}`);
      return;
    }
    try {
      await this.handle(socket, parsed.frame);
    } catch (error) {
      log.error('could not apply a frame from the upstream relay', { error: (error as Error).message });
      this.closed(socket, `could not apply ${parsed.frame.type}: ${(error as Error).message}`);
    }
  }

  /** Follows every event: one it has not followed yet means starting over from a snapshot. */
  private widens(events: readonly EventInfo[]): boolean {
    for (const event of events) this.known.set(event.id, event);
    if (this.options.events.length > 0) return false;
    return !sameEvents(eventsToFollow([], this.known.values()), this.helloEvents);
  }

  private resync(socket: WebSocket): void {
    this.needsSnapshot = true;
    this.closed(socket, 'following more events; syncing afresh', false, 0);
  }

  private async handle(socket: WebSocket, frame: RelayFrame): Promise<void> {
    const { store } = this.options;
    switch (frame.type) {
      case 'welcome':
        this.upstreamHead = frame.head;
        if (this.widens(frame.events)) return this.resync(socket);
        this.state = 'online';
        this.lastError = null;
        this.backoff.reset();
        log.info('upstream link online', {
          head: frame.head,
          as: frame.gate,
          events: this.helloEvents.length,
        });
        this.forwarder.online((scan) => this.send({ type: 'scan', scan }));
        return;
      case 'snapshot-begin':
        this.snapshot = { kind: 'snapshot', cursor: frame.cursor, events: [], tickets: [], scans: [] };
        return;
      case 'snapshot-chunk':
        // Held until the end: the snapshot and its cursor are applied in one transaction.
        this.snapshot?.events.push(...frame.events);
        for (const ticket of frame.tickets) this.snapshot?.tickets.push(ticket);
        for (const scan of frame.scans) this.snapshot?.scans.push(scan);
        return;
      case 'snapshot-end': {
        const snapshot = this.snapshot;
        this.snapshot = null;
        if (!snapshot) throw new Error('snapshot-end without snapshot-begin');
        await store.mirrorUpstream({ ...snapshot, cursor: frame.cursor });
        log.info('upstream snapshot applied', {
          cursor: frame.cursor,
          tickets: snapshot.tickets.length,
          scans: snapshot.scans.length,
        });
        this.needsSnapshot = false;
        this.upstreamHead = Math.max(this.upstreamHead, frame.cursor);
        this.send({ type: 'ack', cursor: frame.cursor });
        return;
      }
      case 'entries': {
        const last = frame.entries[frame.entries.length - 1];
        if (!last) return;
        await store.mirrorUpstream({ kind: 'entries', cursor: last.seq, entries: frame.entries });
        this.upstreamHead = Math.max(this.upstreamHead, last.seq);
        this.send({ type: 'ack', cursor: last.seq });
        const announced = frame.entries.flatMap((entry) => (entry.kind === 'event' ? [entry.event] : []));
        if (this.widens(announced)) this.resync(socket);
        return;
      }
      case 'scan-ack':
        return this.forwarder.settled(frame.id, null);
      case 'error':
        if (frame.scanId !== undefined) {
          this.lastError = `${frame.code}: ${frame.message}`;
          return this.forwarder.settled(frame.scanId, this.lastError);
        }
        log.warn('the upstream relay reported an error', { code: frame.code, message: frame.message });
        this.lastError = `${frame.code}: ${frame.message}`;
        return;
      case 'ping':
        this.send({ type: 'pong', t: frame.t });
        return;
      case 'pong':
        return;
      default: {
        const never: never = frame;
        throw new Error(`unknown frame ${JSON.stringify(never)}`);
      }
    }
  }
}
