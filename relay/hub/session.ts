/**
 * One connected gate: the protocol state machine after authentication. A session waits for hello,
 * then sends welcome, a snapshot when the gate's cursor needs one, the log entries after its cursor,
 * and finally goes live. Live entries that arrive while it is still catching up are buffered and sent
 * once the catch-up reaches them, so nothing is skipped and nothing is sent twice.
 */
import type { WebSocket } from 'ws';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  parseGateFrame,
  type GateFrame,
  type RelayFrame,
} from '../../shared/protocol.js';
import { createLogger } from '../../shared/logger.js';
import type { ScanRecord } from '../../shared/scans.js';
import type { RelayStore, StoredEntry } from '../store/types.js';
import { recordedScan, refusalOf, type Uploader } from './authorize.js';

const log = createLogger('relay.session');
const PAGE = 1_000;
const SNAPSHOT_CHUNK = 1_000;

export type SessionState = 'awaiting-hello' | 'catching-up' | 'live' | 'closed';

export interface SessionContext {
  store: RelayStore;
  countScan(): void;
}

export class GateSession {
  state: SessionState = 'awaiting-hello';
  events = new Set<string>();
  /** Highest seq sent (or covered by a snapshot) to this gate. */
  sent = 0;
  /** Highest seq the gate said it applied. */
  acked = 0;
  /** When the gate was last heard, on the monotonic clock: a wall-clock jump must not drop it. */
  lastSeen = performance.now();
  private buffer: StoredEntry[] = [];

  constructor(
    readonly gate: string,
    readonly socket: WebSocket,
    private readonly context: SessionContext,
    /** A venue relay's token: it uploads scans on behalf of the venue's own gates. */
    readonly isVenue = false,
  ) {}

  private get uploader(): Uploader {
    return { gate: this.gate, events: this.events, isVenue: this.isVenue };
  }

  matches(entry: StoredEntry): boolean {
    return entry.kind === 'event' || (entry.eventId !== null && this.events.has(entry.eventId));
  }

  send(frame: RelayFrame): Promise<void> {
    return this.sendText(JSON.stringify(frame));
  }

  /** Resolves when the frame has been handed to the kernel: the catch-up's backpressure. */
  sendText(text: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState !== this.socket.OPEN) {
        resolve();
        return;
      }
      this.socket.send(text, () => resolve());
    });
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.socket.close(code, reason);
  }

  /** Live entries from the hub, already filtered for this gate; buffered while catching up. */
  deliver(entries: readonly StoredEntry[], frame: Buffer): void {
    if (this.state === 'catching-up') {
      this.buffer.push(...entries);
      return;
    }
    if (this.state !== 'live') return;
    const last = entries[entries.length - 1];
    if (last) this.sent = last.seq;
    this.socket.send(frame, { binary: false });
  }

  async receive(text: string): Promise<void> {
    this.lastSeen = performance.now();
    const parsed = parseGateFrame(text);
    if (!parsed.ok) {
      log.warn('bad frame from gate', { gate: this.gate, error: parsed.error });
      await this.send({ type: 'error', code: 'bad_frame', message: parsed.error });
      this.close(CLOSE_CODES.badFrame, 'bad frame');
      return;
    }
    await this.handle(parsed.frame);
  }

  private async handle(frame: GateFrame): Promise<void> {
    switch (frame.type) {
      case 'hello':
        return this.hello(frame);
      case 'scan': {
        if (this.state === 'awaiting-hello') return this.close(CLOSE_CODES.badFrame, 'hello first');
        if (!(await this.isScanAllowed(frame.scan))) return;
        this.context.countScan();
        const result = await this.context.store.appendScan(recordedScan(this.uploader, frame.scan));
        await this.send({ type: 'scan-ack', id: frame.scan.id, seq: result.seq });
        return;
      }
      case 'ack':
        this.acked = Math.max(this.acked, frame.cursor);
        return;
      case 'ping':
        await this.send({ type: 'pong', t: frame.t });
        return;
      case 'pong':
        return;
      default: {
        const never: never = frame;
        throw new Error(`unhandled frame ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * A scan this gate may upload; otherwise an error frame naming it (the gate stops retrying it) and
   * nothing stored. A re-upload of a scan already stored for this gate (its ack was lost) passes.
   */
  private async isScanAllowed(scan: ScanRecord): Promise<boolean> {
    const known = await this.context.store.findScan(scan.id);
    if (known !== null && known.scan.gate === recordedScan(this.uploader, scan).gate) return true;
    const refusal = await refusalOf(this.uploader, scan, this.context.store);
    if (refusal === null) return true;
    log.warn('scan refused', { gate: this.gate, scanId: scan.id, reason: refusal });
    await this.send({ type: 'error', code: 'scan_refused', message: refusal, scanId: scan.id });
    return false;
  }

  private async hello(frame: Extract<GateFrame, { type: 'hello' }>): Promise<void> {
    if (this.state !== 'awaiting-hello') return this.close(CLOSE_CODES.badFrame, 'hello twice');
    if (frame.protocol !== PROTOCOL_VERSION) {
      await this.send({
        type: 'error',
        code: 'protocol_mismatch',
        message: `relay speaks protocol ${PROTOCOL_VERSION}, gate sent ${frame.protocol}`,
      });
      return this.close(CLOSE_CODES.protocolMismatch, 'protocol mismatch');
    }
    this.state = 'catching-up';
    this.events = new Set(frame.events);
    this.acked = frame.cursor;
    const { store } = this.context;
    const stats = await store.stats();
    await this.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      gate: this.gate,
      head: stats.logHead,
      events: await store.listEvents(),
      // The relay's wall clock, so the gate can tell staff when its own is off.
      time: Date.now(),
      quarantined: stats.quarantined,
    });
    // A cursor ahead of the head belongs to another database: start the gate over from a snapshot.
    const needsSnapshot =
      frame.cursor === 0 || frame.cursor < stats.oldestRetained - 1 || frame.cursor > stats.logHead;
    this.sent = needsSnapshot ? await this.sendSnapshot() : frame.cursor;
    await this.catchUp();
  }

  private async sendSnapshot(): Promise<number> {
    const snapshot = await this.context.store.readSnapshot([...this.events]);
    await this.send({
      type: 'snapshot-begin',
      tickets: snapshot.tickets.length,
      scans: snapshot.scans.length,
      cursor: snapshot.cursor,
    });
    const events = snapshot.events.filter((event) => this.events.has(event.id));
    const chunks = Math.max(
      1,
      Math.ceil(Math.max(snapshot.tickets.length, snapshot.scans.length) / SNAPSHOT_CHUNK),
    );
    for (let index = 0; index < chunks; index += 1) {
      const from = index * SNAPSHOT_CHUNK;
      await this.send({
        type: 'snapshot-chunk',
        events: index === 0 ? events : [],
        tickets: snapshot.tickets.slice(from, from + SNAPSHOT_CHUNK),
        scans: snapshot.scans.slice(from, from + SNAPSHOT_CHUNK),
      });
    }
    await this.send({ type: 'snapshot-end', cursor: snapshot.cursor });
    return snapshot.cursor;
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.context.store.readEntries(this.sent, [...this.events], PAGE);
      const last = page[page.length - 1];
      if (last) {
        await this.sendText(entriesFrame(page));
        this.sent = last.seq;
      }
      if (page.length < PAGE || this.state !== 'catching-up') break;
    }
    if (this.state !== 'catching-up') return;
    const pending = this.buffer.filter((entry) => entry.seq > this.sent);
    this.buffer = [];
    this.state = 'live';
    const last = pending[pending.length - 1];
    if (last) {
      this.sent = last.seq;
      await this.sendText(entriesFrame(pending));
    }
  }
}

/** Builds an `entries` frame from stored JSON without parsing and re-serialising each entry. */
export function entriesFrame(entries: readonly StoredEntry[]): string {
  return `{"type":"entries","entries":[${entries.map((entry) => entry.json).join(',')}]}`;
}
