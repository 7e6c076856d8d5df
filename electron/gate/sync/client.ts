/**
 * The sync client: one websocket to the relay's `/gate`, authenticated with the gate token. Says
 * hello with the cursor and selected events, applies what comes back through the SyncTarget (which
 * owns the transactions), uploads pending scans, keeps the line alive with heartbeats and reconnects
 * with capped, jittered backoff. Bad or revoked tokens stop the retries and are reported.
 *
 * Time: heartbeats and timeouts run on the monotonic clock, so a wall-clock jump neither drops a
 * healthy link nor keeps a dead one. The relay's wall clock (welcome, pings) is compared with ours:
 * status.clockSkewMs. Frames are read item by item (frames.ts): a bad item is recorded and skipped,
 * a frame that cannot be read at all makes the gate dial again, so its cursor never passes it.
 */
import WebSocket from 'ws';
import {
  CLOSE_CODES,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  PROTOCOL_VERSION,
  type GateFrame,
  type LogEntry,
} from '../../../shared/protocol.js';
import type { ConnectionState, RejectedReason } from '../../../shared/gate-api.js';
import type { ScanRecord } from '../../../shared/scans.js';
import { createLogger } from '../../../shared/logger.js';
import type { EventInfo } from '../../../shared/tickets.js';
import { describeApplyError, type SnapshotChunk } from '../apply.js';
import type { ApplyError } from '../store/apply-errors.js';
import { Backoff, gateSocketUrl } from './backoff.js';
import { readRelayFrame, type ReadFrame } from './frames.js';
import { Turns } from './turns.js';
import { monotonicNow, RelayClock } from './relay-clock.js';

const log = createLogger('gate.sync');
const UPLOAD_BATCH = 500;
/** A new clock reading is reported when it moved by at least this much (no status churn per ping). */
const SKEW_STEP_MS = 1_000;

/** Frames waiting to be handled before the gate stops reading the socket (250 tickets each, from our relay). */
const INBOX_HIGH_WATER = 8;

export interface SyncTarget {
  /** The relays to try in order (replicas of one relay), and the gate token. */
  connection(): { relayUrls: readonly string[]; token: string | null };
  cursor(): number;
  events(): string[];
  pendingScans(limit: number): ScanRecord[];
  /**
   * `gate` is the name the relay authenticated this gate's token as. Returns 'resync' when the gate
   * must start over from a fresh snapshot (a new index key).
   */
  welcome(events: EventInfo[], gate: string, indexKey?: string): 'kept' | 'resync';
  /** A snapshot as of `cursor` starts: anything buffered from an earlier, interrupted one is dropped. */
  snapshotBegin?(cursor?: number): void;
  /** The connection is gone (closed, lost or stopped): whatever it sent that is not stored yet is dropped. */
  disconnected?(): void;
  /** Takes a chunk (applied now or batched with the next ones); returns how many tickets were stored now. */
  snapshotChunk(chunk: SnapshotChunk): number;
  /**
   * Applies entries and records the unreadable ones of the same frame; returns the cursor after them
   * and what could not be applied, in words.
   */
  entries(
    entries: LogEntry[],
    unreadable: ApplyError[],
  ): { cursor: number; errors: string[]; stored?: Promise<void> };
  /** Records items that could not be read; returns them in words. */
  recordApplyErrors(problems: ApplyError[]): string[];
  /**
   * The snapshot is complete as of `cursor`. A promise, when the target stores it later: the ack waits
   * for it (the relay takes an ack as proof the gate holds what it was sent, e.g. the index).
   */
  snapshotEnd(cursor: number): Promise<void> | void;
  /**
   * While the target is still storing earlier frames: settles when it has caught up. The client stops
   * reading from the relay meanwhile (backpressure), so frames never pile up in memory.
   */
  backlog?(): Promise<void> | null;
  scanAcked(id: string, seq: number): void;
  /** The relay refused an uploaded scan (it will refuse it again): stop uploading it. */
  scanRefused(id: string, reason: string): void;
  changed(): void;
}

export interface SyncStatus {
  connection: ConnectionState;
  lastError: string | null;
  /** Set while `connection` is `rejected`. */
  rejectedReason: RejectedReason | null;
  head: number | null;
  snapshot: { received: number; total: number } | null;
  /** Our wall clock minus the relay's (ms), from its last welcome or ping; null before any. */
  clockSkewMs: number | null;
  /** The relay's quarantine backlog, from its last welcome or ping; null before any. */
  relayQuarantined: number | null;
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

/** Closes after which retrying cannot help: staff must act. A refused token is its own state. */
const FATAL_CLOSES: Record<number, { message: string; rejected: RejectedReason | null }> = {
  [CLOSE_CODES.badToken]: { message: 'the relay rejected the gate token', rejected: 'bad_token' },
  [CLOSE_CODES.revoked]: { message: 'the gate token was revoked', rejected: 'revoked' },
  [CLOSE_CODES.protocolMismatch]: {
    message: 'the relay speaks another protocol version; update Gatehouse',
    rejected: null,
  },
};
type Fatal = (typeof FATAL_CLOSES)[number];

export class SyncClient {
  private socket: WebSocket | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** Monotonic ms when the relay was last heard. */
  private lastHeard = 0;
  private readonly relayClock = new RelayClock();
  /** Reading is paused until the target catches up: the relay's silence is then our own doing. */
  private isPaused = false;
  /** Frames received, not yet handled (see inboxPush). */
  private readonly inbox: Buffer[] = [];
  private isDraining = false;
  private isInboxFull = false;
  private isRunning = false;
  private isWelcomed = false;
  /** More scans were waiting than one upload batch: fresh ones wait their turn behind them. */
  private hasBacklog = false;
  /**
   * Unreadable frames since the last one applied: a relay sends the same one again after each
   * reconnect, so it is recorded once and the retries back off instead of starting fast every time.
   */
  private unreadableStreak = 0;
  private readonly inFlight = new Set<string>();
  private readonly backoff: Backoff;
  /** Which of the relay URLs to dial: kept while it works, moved on after each failure. */
  private relayIndex = 0;
  private state: SyncStatus = {
    connection: 'offline',
    lastError: null,
    rejectedReason: null,
    head: null,
    snapshot: null,
    clockSkewMs: null,
    relayQuarantined: null,
  };

  constructor(
    private readonly target: SyncTarget,
    private readonly timing: SyncTiming = DEFAULT_SYNC_TIMING,
    /** Shared with the apply queue: a frame and a slice never run in one turn. */
    private readonly turns: Turns = new Turns(),
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
      this.target.disconnected?.();
    }
    this.update({ connection: 'offline', snapshot: null });
  }

  /** Drops the connection and connects again with the current settings (token, URL, events). */
  restart(): void {
    if (!this.isRunning) return;
    this.stop();
    this.update({ lastError: null, rejectedReason: null });
    this.start();
  }

  /**
   * Sends a fresh local scan now when online and no older one is waiting; otherwise it waits in the
   * pending queue. Scans go up in the order they were made, so the relay's seqs keep that order.
   */
  upload(scan: ScanRecord): void {
    if (!this.isWelcomed || this.inFlight.has(scan.id) || this.hasBacklog) return;
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
    const { relayUrls, token } = this.target.connection();
    const relayUrl = relayUrls.length > 0 ? relayUrls[this.relayIndex % relayUrls.length] : undefined;
    if (!relayUrl || !token) {
      this.update({
        connection: 'offline',
        rejectedReason: null,
        lastError: relayUrl ? 'no gate token set' : 'no relay URL set',
      });
      return;
    }
    log.debug('dialling relay', { relay: relayUrl, of: relayUrls.length });
    if (!isRetry) this.update({ connection: 'connecting', rejectedReason: null });
    const socket = new WebSocket(gateSocketUrl(relayUrl), {
      headers: { Authorization: `Bearer ${token}` },
      maxPayload: 64 * 1024 * 1024,
    });
    this.socket = socket;
    this.isPaused = false;
    this.isWelcomed = false;
    this.hasBacklog = false;
    this.inFlight.clear();
    socket.on('open', () => {
      this.lastHeard = monotonicNow();
      this.relayClock.helloSent();
      this.send({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        cursor: this.target.cursor(),
        events: this.target.events(),
      });
      this.heartbeatTimer = setInterval(() => this.heartbeat(), this.timing.heartbeatIntervalMs);
    });
    socket.on('message', (data) => this.inboxPush(socket, data as Buffer));
    socket.on('unexpected-response', (_request, response) => {
      const code = response.statusCode ?? 0;
      const fatal = code === 401 || code === 403 ? FATAL_CLOSES[CLOSE_CODES.badToken] : undefined;
      this.closed(fatal?.message ?? `relay answered HTTP ${code}`, fatal);
    });
    socket.on('error', (error) => this.update({ lastError: error.message }));
    socket.on('close', (code, reason) => {
      const fatal = FATAL_CLOSES[code];
      this.closed(
        fatal?.message ?? (reason.length ? reason.toString() : (this.state.lastError ?? `closed (${code})`)),
        fatal,
      );
    });
  }

  private closed(
    reason: string,
    fatal?: Fatal,
    { isSameRelay = false }: { isSameRelay?: boolean } = {},
  ): void {
    const socket = this.socket;
    if (!socket) return;
    socket.removeAllListeners();
    socket.on('error', () => {});
    socket.terminate();
    this.socket = null;
    this.target.disconnected?.();
    this.isWelcomed = false;
    // Also drops what the closed connection sent and was not handled yet: the relay sends it again.
    this.clearTimers();
    const rejected = fatal?.rejected ?? null;
    this.update({
      connection: rejected === null ? 'offline' : 'rejected',
      rejectedReason: rejected,
      lastError: reason,
      snapshot: null,
    });
    if (fatal) {
      log.error('not retrying', { reason });
      return;
    }
    if (!this.isRunning) return;
    // Fail over: the next attempt dials the next relay (replicas share the log, so the cursor holds). A
    // relay that answered with another log (another index key: a venue relay and the internet relay)
    // is dialled again for a fresh sync: it is working, the cursor only had to start over.
    if (!isSameRelay) this.relayIndex += 1;
    const delay = this.backoff.next();
    log.info('reconnecting', { reason, delayMs: delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect({ isRetry: true });
    }, delay);
  }

  /**
   * Frames are handled one per turn of the event loop, never several back to back: reading and
   * checking a frame of tickets takes milliseconds, and a socket read can hold several frames, so a
   * scan arriving meanwhile waits for one frame at most, not for all of them (see Turns).
   */
  private inboxPush(socket: WebSocket, data: Buffer): void {
    this.lastHeard = monotonicNow();
    this.inbox.push(data);
    if (this.inbox.length >= INBOX_HIGH_WATER && !this.isInboxFull) {
      this.isInboxFull = true;
      socket.pause();
    }
    this.drainInbox();
  }

  /** Handles the oldest frame in a turn of its own (see Turns); frames in the inbox are the open socket's. */
  private drainInbox(): void {
    if (this.isDraining) return;
    this.isDraining = true;
    this.turns.take(() => {
      this.isDraining = false;
      const socket = this.socket;
      const data = this.inbox.shift();
      if (!socket || data === undefined) return;
      this.receive(String(data));
      if (this.socket !== socket) return;
      this.holdWhileBehind(socket);
      if (this.isInboxFull && this.inbox.length <= INBOX_HIGH_WATER / 2) {
        this.isInboxFull = false;
        if (!this.isPaused) socket.resume();
      }
      if (this.inbox.length > 0) this.drainInbox();
    });
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
      this.lastHeard = monotonicNow();
      if (!this.isInboxFull) socket.resume();
    });
  }

  private heartbeat(): void {
    if (!this.isPaused && monotonicNow() - this.lastHeard > this.timing.heartbeatTimeoutMs) {
      this.closed('relay went silent (heartbeat timeout)');
      return;
    }
    // The relay echoes `t` in its pong: our monotonic time, for the round trip.
    this.send({ type: 'ping', t: monotonicNow() });
  }

  private receive(text: string): void {
    this.lastHeard = monotonicNow();
    const reading = readRelayFrame(text);
    if (!reading.ok && reading.isUnknownType) {
      log.warn('ignoring a frame of a type this gate does not know', { problem: reading.error });
      return;
    }
    try {
      if (reading.ok) this.handle(reading.frame);
      else this.unreadable(text, reading.error);
    } catch (error) {
      // A batch that cannot be applied is not acknowledged: reconnect and get it again.
      const type = reading.ok ? reading.frame.type : 'frame';
      log.error('could not apply a frame', { type, error: (error as Error).message });
      this.closed(`could not apply ${type}: ${(error as Error).message}`);
    }
  }

  /**
   * A frame that cannot be read at all: what it held cannot be told good or bad, so it is recorded
   * and the gate dials again; the relay sends everything after the cursor once more.
   */
  private unreadable(text: string, error: string): void {
    this.unreadableStreak += 1;
    const problem: ApplyError = { seq: null, what: 'a frame from the relay', error, item: text };
    const [message = describeApplyError(problem)] =
      this.unreadableStreak === 1 ? this.target.recordApplyErrors([problem]) : [];
    log.error('could not read a frame; reconnecting', { problem: error, times: this.unreadableStreak });
    this.closed(message);
  }

  /** What could not be applied shows in status.lastError (and in the counter the engine keeps). */
  private reportErrors(errors: readonly string[]): void {
    if (errors.length === 0) return;
    for (const error of errors) log.warn('skipped an item the gate could not apply', { error });
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    this.update({ lastError: `${errors[0]}${more}` });
  }

  /** The relay's wall clock (welcome, pings) against ours. */
  private relayTime(relayEpochMs: number): void {
    const skew = this.relayClock.skewMs(relayEpochMs);
    const previous = this.state.clockSkewMs;
    if (previous === null || Math.abs(skew - previous) >= SKEW_STEP_MS) this.update({ clockSkewMs: skew });
  }

  /**
   * Acks a frame once what it carried is stored, on the connection that sent it. Stores complete in
   * arrival order, so acks still go out one per frame, in order; a frame a closed connection queued
   * is dropped unstored and never acked.
   */
  private ackWhenStored(cursor: number, stored: Promise<void> | void): void {
    if (!stored) {
      this.send({ type: 'ack', cursor });
      return;
    }
    const socket = this.socket;
    void stored.then(() => {
      if (this.socket === socket) this.send({ type: 'ack', cursor });
    });
  }

  private handle(frame: ReadFrame): void {
    switch (frame.type) {
      case 'welcome':
        if (this.target.welcome(frame.events, frame.gate, frame.indexKey) === 'resync') {
          this.closed('the relay changed its index key; syncing afresh', undefined, { isSameRelay: true });
          return;
        }
        this.isWelcomed = true;
        if (this.unreadableStreak === 0) this.backoff.reset();
        this.relayClock.welcomed();
        this.update({
          connection: 'online',
          lastError: null,
          head: frame.head,
          relayQuarantined: frame.quarantined,
        });
        this.relayTime(frame.time);
        this.uploadPending();
        return;
      case 'snapshot-begin':
        this.target.snapshotBegin?.(frame.cursor);
        this.update({
          snapshot: { received: 0, total: frame.tickets },
          head: Math.max(this.state.head ?? 0, frame.cursor),
        });
        return;
      case 'snapshot-chunk': {
        if (frame.unreadable.length > 0) this.reportErrors(this.target.recordApplyErrors(frame.unreadable));
        // Progress counts tickets stored, not merely received: what the gate could admit if cut off now.
        const stored = this.target.snapshotChunk(frame);
        if (stored === 0) return;
        const progress = this.state.snapshot ?? { received: 0, total: 0 };
        this.update({ snapshot: { received: progress.received + stored, total: progress.total } });
        return;
      }
      case 'snapshot-end':
        this.unreadableStreak = 0;
        this.ackWhenStored(frame.cursor, this.target.snapshotEnd(frame.cursor));
        this.update({ snapshot: null });
        return;
      case 'entries': {
        const applied = this.target.entries(frame.entries, frame.unreadable);
        this.unreadableStreak = 0;
        const newest = frame.entries.reduce((max, entry) => Math.max(max, entry.seq), applied.cursor);
        this.ackWhenStored(applied.cursor, applied.stored);
        this.update({ head: Math.max(this.state.head ?? 0, newest) });
        this.reportErrors(applied.errors);
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
        this.relayTime(frame.t);
        if (frame.quarantined !== undefined && frame.quarantined !== this.state.relayQuarantined)
          this.update({ relayQuarantined: frame.quarantined });
        return;
      case 'pong':
        this.relayClock.pong(frame.t, this.timing.heartbeatTimeoutMs);
        return;
      case 'error':
        log.warn('relay reported an error', { code: frame.code, message: frame.message });
        this.update({ lastError: `${frame.code}: ${frame.message}` });
        if (frame.scanId !== undefined) {
          // Refused for good (another gate's name, an event outside the hello, …): retrying cannot help.
          this.target.scanRefused(frame.scanId, `${frame.code}: ${frame.message}`);
          this.inFlight.delete(frame.scanId);
          if (this.inFlight.size === 0) this.uploadPending();
        }
        return;
      default: {
        const impossible: never = frame;
        throw new Error(`unknown frame ${JSON.stringify(impossible)}`);
      }
    }
  }

  /** Sends the oldest waiting scans (one batch); called when online and nothing is in flight. */
  private uploadPending(): void {
    const pending = this.target.pendingScans(UPLOAD_BATCH);
    this.hasBacklog = false;
    for (const scan of pending) this.upload(scan);
    this.hasBacklog = pending.length >= UPLOAD_BATCH;
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
    this.inbox.length = 0;
    this.isInboxFull = false;
  }
}
