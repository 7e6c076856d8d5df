/**
 * One connected gate: the protocol state machine after authentication. A session waits for hello,
 * then sends welcome, a snapshot when the gate's cursor needs one, the log entries after its cursor,
 * and finally goes live. Live entries that arrive while it is still catching up are buffered and sent
 * once the catch-up reaches them, so nothing is skipped and nothing is sent twice. Other events'
 * tickets reach the gate only as the keyed-hash index (other-events.ts), with the snapshot and the
 * log, and again whole whenever the gate's set of other events changes.
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
import type { RelayStore, Snapshot, StoredEntry } from '../store/types.js';
import { recordedScan, refusalOf, type Uploader } from './authorize.js';
import type { OtherEvents, OtherEventsIndex, Selection } from './other-events.js';

const log = createLogger('relay.session');
const PAGE = 1_000;
/**
 * Snapshot frames are small: a gate reads and checks one frame per turn of its event loop, between
 * scans (electron/gate/sync/turns.ts), so a frame's size bounds how long a scan can wait behind it.
 * 250 tickets is about 90 KB of JSON and 1–2 ms of work at a gate (1,000 took 5–10 ms); index entries
 * are a fifth the size.
 */
const SNAPSHOT_CHUNK = 250;
const INDEX_CHUNK = 1_250;

/**
 * The JSON of snapshot chunks, per snapshot read: gates asking for the same events at once share
 * one read (store/reader.ts), and with this one serialisation too, instead of one per gate on the
 * thread that answers webhooks. Dropped with the snapshot.
 */
const chunkTexts = new WeakMap<Snapshot, Map<string, Buffer>>();

/** A chunk frame as UTF-8 bytes, made once per snapshot read (sent as a text frame). */
function chunkText(snapshot: Snapshot, key: string, frame: () => RelayFrame): Buffer {
  let texts = chunkTexts.get(snapshot);
  if (!texts) {
    texts = new Map();
    chunkTexts.set(snapshot, texts);
  }
  let text = texts.get(key);
  if (text === undefined) {
    text = Buffer.from(JSON.stringify(frame()), 'utf8');
    texts.set(key, text);
  }
  return text;
}

export type SessionState = 'awaiting-hello' | 'catching-up' | 'live' | 'closed';

export interface SessionContext {
  store: RelayStore;
  index: OtherEventsIndex;
  countScan(): void;
}

export class GateSession {
  state: SessionState = 'awaiting-hello';
  events = new Set<string>();
  /** The events whose tickets this gate gets as index entries. */
  others: OtherEvents = { ids: new Set(), key: '' };
  /** Highest seq sent (or covered by a snapshot) to this gate. */
  sent = 0;
  /** Highest seq the gate said it applied. */
  acked = 0;
  /** When the gate was last heard, on the monotonic clock: a wall-clock jump must not drop it. */
  lastSeen = performance.now();
  private buffer: StoredEntry[] = [];
  /**
   * Entries frames and snapshot ends sent, and acks heard: a gate acks each, in order, so the ack
   * that matches a snapshot end proves the gate stored the index it carried.
   */
  private framesToAck = 0;
  private acksHeard = 0;
  private unconfirmed: { others: OtherEvents; frame: number } | null = null;

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

  /** The entries as this gate gets them (see OtherEventsIndex.select). */
  select(entries: readonly StoredEntry[]): Selection {
    return this.context.index.select(entries, this.events, this.others);
  }

  send(frame: RelayFrame): Promise<void> {
    return this.sendText(JSON.stringify(frame));
  }

  /** Resolves when the frame has been handed to the kernel: the catch-up's backpressure. */
  sendText(text: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState !== this.socket.OPEN) {
        resolve();
        return;
      }
      this.socket.send(text, { binary: false }, () => resolve());
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
    if (!last || last.seq <= this.sent) return;
    // A catch-up page can read entries committed but not yet announced: those went out with it.
    const isFresh = (entries[0]?.seq ?? 0) > this.sent;
    const sent = this.sent;
    this.sent = last.seq;
    this.framesToAck += 1;
    if (isFresh) this.socket.send(frame, { binary: false });
    else this.socket.send(entriesFrame(entries.filter((entry) => entry.seq > sent)), { binary: false });
  }

  /**
   * Sends the whole index again when the gate's other events changed (the window moved, an event's
   * dates changed): live entries wait meanwhile, as during a catch-up.
   */
  async refreshIndex(): Promise<void> {
    if (this.state !== 'live') return;
    const others = this.context.index.othersOf(this.events);
    if (others.key === this.others.key) return;
    this.state = 'catching-up';
    this.others = others;
    await this.sendIndexSnapshot(this.sent);
    await this.catchUp();
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
        this.acksHeard += 1;
        if (this.unconfirmed && this.acksHeard >= this.unconfirmed.frame) {
          this.context.index.confirm(this.gate, this.unconfirmed.others);
          this.unconfirmed = null;
        }
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
    const { store, index } = this.context;
    this.others = index.othersOf(this.events);
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
      indexKey: index.keyText,
    });
    // A cursor ahead of the head belongs to another database: start the gate over from a snapshot.
    const needsSnapshot =
      frame.cursor === 0 || frame.cursor < stats.oldestRetained - 1 || frame.cursor > stats.logHead;
    if (needsSnapshot) this.sent = await this.sendSnapshot();
    else {
      this.sent = frame.cursor;
      // The log after the cursor carries index changes, but not a change of the gate's other events
      // (the window moved, an event was redated, another selection) while it was away: unless this
      // process saw the gate confirm the index for exactly this set, it gets the whole of it again.
      if (!index.isConfirmed(this.gate, this.others)) await this.sendIndexSnapshot(frame.cursor);
    }
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
    const eventsKey = [...this.events].sort().join(',');
    for (let index = 0; index < chunks; index += 1) {
      const from = index * SNAPSHOT_CHUNK;
      await this.sendText(
        chunkText(snapshot, `${eventsKey}:${index}`, () => ({
          type: 'snapshot-chunk',
          events: index === 0 ? events : [],
          tickets: snapshot.tickets.slice(from, from + SNAPSHOT_CHUNK),
          scans: snapshot.scans.slice(from, from + SNAPSHOT_CHUNK),
        })),
      );
    }
    await this.sendIndexChunks(snapshot.cursor);
    await this.endSnapshot(snapshot.cursor);
    return snapshot.cursor;
  }

  /** A snapshot of index rows only, at the gate's cursor: its tickets and scans are left as they are. */
  private async sendIndexSnapshot(cursor: number): Promise<void> {
    await this.send({ type: 'snapshot-begin', tickets: 0, scans: 0, cursor });
    await this.sendIndexChunks(cursor);
    await this.endSnapshot(cursor);
  }

  /** The index rows, read at or after the snapshot's cursor (the entries after it go on top). */
  private async sendIndexChunks(cursor: number): Promise<void> {
    const others = this.others;
    const rows = await this.context.index.snapshotRows(others, cursor);
    for (let from = 0; from < rows.length; from += INDEX_CHUNK) {
      await this.send({
        type: 'snapshot-chunk',
        events: [],
        tickets: [],
        scans: [],
        index: rows.slice(from, from + INDEX_CHUNK),
      });
    }
  }

  private async endSnapshot(cursor: number): Promise<void> {
    this.framesToAck += 1;
    this.unconfirmed = { others: this.others, frame: this.framesToAck };
    await this.send({ type: 'snapshot-end', cursor });
  }

  private async catchUp(): Promise<void> {
    let after = this.sent;
    for (;;) {
      const events = [...this.events, ...this.others.ids];
      const page = await this.context.store.readEntries(after, events, PAGE);
      after = page[page.length - 1]?.seq ?? after;
      const { entries, key } = this.select(page);
      const last = entries[entries.length - 1];
      if (last) {
        this.framesToAck += 1;
        // The page as read, shared by gates catching up alike, unless some of it became index entries.
        await this.sendText(key === '*' ? sharedEntriesFrame(page) : entriesFrame(entries));
        this.sent = last.seq;
      }
      if (page.length < PAGE || this.state !== 'catching-up') break;
    }
    if (this.state !== 'catching-up') return;
    const pending = this.buffer.filter((entry) => entry.seq > after);
    this.buffer = [];
    this.state = 'live';
    const last = pending[pending.length - 1];
    if (last) {
      this.sent = last.seq;
      this.framesToAck += 1;
      await this.sendText(entriesFrame(pending));
    }
    // The window may have moved while this gate caught up.
    await this.refreshIndex();
  }
}

/** Catch-up pages shared by several gates (store/reader.ts) are framed and encoded once. */
const pageFrames = new WeakMap<readonly StoredEntry[], Buffer>();

function sharedEntriesFrame(page: readonly StoredEntry[]): Buffer {
  let frame = pageFrames.get(page);
  if (!frame) {
    frame = Buffer.from(entriesFrame(page), 'utf8');
    pageFrames.set(page, frame);
  }
  return frame;
}

/** Builds an `entries` frame from stored JSON without parsing and re-serialising each entry. */
export function entriesFrame(entries: readonly StoredEntry[]): string {
  return `{"type":"entries","entries":[${entries.map((entry) => entry.json).join(',')}]}`;
}
