/**
 * The index of other events' tickets, as each gate gets it (issue 12): for every valid ticket of an
 * event the gate did not select whose dates meet the window (other-events-window.ts), a keyed hash of
 * the barcode and the event id. Enough for a gate to say "this ticket is for Saturday's show"; never
 * a barcode, a name, an e-mail or an order id. Built here from what every store already offers
 * (entries, snapshots) plus `indexKey()`, so a new store needs nothing else.
 *
 * - Log (catch-up and live): a ticket entry of one of the gate's other events goes out as an index
 *   entry with the same seq. Present while the ticket is valid and its current event is one of the
 *   gate's others; otherwise absent, which removes it: a refunded ticket says "unknown" rather than
 *   "wrong night" (nobody should be sent to the box office with it), and a ticket moved away is not
 *   claimed for the event it left (a move logs the ticket under both events).
 * - Snapshot: the valid tickets of the other events, read at or after the snapshot's cursor (entries
 *   after the cursor are applied on top, so a newer reading is as good as an exact one).
 * - The window moves: when a gate's set of other events changes, the session sends the whole index
 *   again as a snapshot of index rows only, at its cursor; the gate drops the rows it did not confirm.
 *
 * Each stored entry is hashed once however many gates it goes to; an event's snapshot rows are read
 * once and kept until one of its tickets changes.
 */
import { z } from 'zod';
import { createLogger } from '../../shared/logger.js';
import { indexEntrySchema, type IndexEntry } from '../../shared/protocol.js';
import { eventInfoSchema, type EventInfo } from '../../shared/tickets.js';
import type { RelayStore, StoredEntry } from '../store/types.js';
import { indexHash, isInWindow, type OtherEventsWindow } from './other-events-window.js';
import { parseJsonOrUndefined } from '../../shared/json.js';

const log = createLogger('relay.index');

/** A gate's other events: the ids, and a key that changes exactly when the set does. */
export interface OtherEvents {
  ids: ReadonlySet<string>;
  key: string;
}

/** What a batch of entries looks like to one gate; gates with equal keys get equal bytes. */
export interface Selection {
  entries: StoredEntry[];
  key: string;
}

/** What the index needs of a ticket entry, worked out once per stored entry. */
interface TicketFacts {
  hash: string;
  eventId: string;
  isValid: boolean;
  present?: StoredEntry;
  absent?: StoredEntry;
}

/** An event's present rows as read at `cursor`. */
interface EventRows {
  cursor: number;
  rows: IndexEntry[];
}

const ticketEntrySchema = z.object({
  ticket: z.object({ barcode: z.string(), eventId: z.string(), valid: z.boolean() }),
});
const eventEntrySchema = z.object({ event: eventInfoSchema });

export interface OtherEventsIndexOptions {
  store: RelayStore;
  window: OtherEventsWindow;
  now?: () => number;
}

export class OtherEventsIndex {
  private key: Buffer = Buffer.alloc(0);
  private readonly events = new Map<string, EventInfo>();
  private inWindow: string[] = [];
  private readonly facts = new WeakMap<StoredEntry, TicketFacts | null>();
  /** Per event, the highest seq of a ticket entry it heard: an event's cached rows older are stale. */
  private readonly changedAt = new Map<string, number>();
  private readonly rows = new Map<string, EventRows>();
  private readonly reading = new Map<string, Promise<EventRows>>();
  /** Every entry up to this seq has been noted (entries are announced in seq order). */
  private seenThrough = 0;
  /** Per gate, the set of other events whose whole index it has confirmed having (acknowledged). */
  private readonly confirmed = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly options: OtherEventsIndexOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Call after subscribing to the store's entries: whatever commits later is noted. */
  async start(): Promise<void> {
    this.key = await this.options.store.indexKey();
    this.seenThrough = (await this.options.store.stats()).logHead;
    for (const event of await this.options.store.listEvents()) this.events.set(event.id, event);
    this.reevaluate();
  }

  /** The key, base64, for the welcome. */
  get keyText(): string {
    return this.key.toString('base64');
  }

  /** Re-reads the window against the clock; drops cached rows of events that left it. */
  reevaluate(): void {
    const now = this.now();
    this.inWindow = [...this.events.values()]
      .filter((event) => isInWindow(event, this.options.window, now))
      .map((event) => event.id)
      .sort();
    const kept = new Set(this.inWindow);
    for (const eventId of this.rows.keys()) if (!kept.has(eventId)) this.rows.delete(eventId);
  }

  othersOf(selected: ReadonlySet<string>): OtherEvents {
    const ids = this.inWindow.filter((eventId) => !selected.has(eventId));
    return { ids: new Set(ids), key: ids.join(',') };
  }

  /** Notes committed entries before they fan out; returns whether an event's details changed. */
  noteEntries(entries: readonly StoredEntry[]): boolean {
    let isEventChanged = false;
    for (const entry of entries) {
      this.seenThrough = Math.max(this.seenThrough, entry.seq);
      if (entry.kind === 'ticket' && entry.eventId !== null) this.changedAt.set(entry.eventId, entry.seq);
      if (entry.kind !== 'event') continue;
      const parsed = eventEntrySchema.safeParse(parseJsonOrUndefined(entry.json));
      if (!parsed.success) continue;
      this.events.set(parsed.data.event.id, parsed.data.event);
      isEventChanged = true;
    }
    if (isEventChanged) this.reevaluate();
    return isEventChanged;
  }

  /**
   * The entries as this gate gets them: its own events' (and event details) as stored, its other
   * events' tickets as index entries with the same seq, nothing else.
   */
  select(entries: readonly StoredEntry[], selected: ReadonlySet<string>, others: OtherEvents): Selection {
    const chosen: StoredEntry[] = [];
    let key = '';
    let isWhole = true;
    for (const entry of entries) {
      const view = this.viewOf(entry, selected, others.ids);
      if (view !== entry) isWhole = false;
      if (view === null) continue;
      chosen.push(view);
      key +=
        view === entry
          ? `${entry.seq},`
          : `${entry.seq}${view === this.facts.get(entry)?.present ? '+' : '-'},`;
    }
    return { entries: chosen, key: isWhole ? '*' : key };
  }

  private viewOf(
    entry: StoredEntry,
    selected: ReadonlySet<string>,
    others: ReadonlySet<string>,
  ): StoredEntry | null {
    if (entry.kind === 'event') return entry;
    if (entry.eventId === null) return null;
    if (selected.has(entry.eventId)) return entry;
    if (entry.kind !== 'ticket' || !others.has(entry.eventId)) return null;
    const facts = this.factsOf(entry);
    if (!facts) return null;
    const isPresent = facts.isValid && others.has(facts.eventId);
    if (isPresent) return (facts.present ??= this.indexEntry(entry.seq, facts, true));
    return (facts.absent ??= this.indexEntry(entry.seq, facts, false));
  }

  private factsOf(entry: StoredEntry): TicketFacts | null {
    const known = this.facts.get(entry);
    if (known !== undefined) return known;
    const parsed = ticketEntrySchema.safeParse(parseJsonOrUndefined(entry.json));
    let facts: TicketFacts | null = null;
    if (parsed.success) {
      const { barcode, eventId, valid } = parsed.data.ticket;
      const hash = indexHash(this.key, barcode);
      if (indexEntrySchema.safeParse({ hash, eventId, isPresent: valid }).success)
        facts = { hash, eventId, isValid: valid };
      else log.warn('ticket left out of the index: its event id does not fit', { seq: entry.seq, eventId });
    }
    this.facts.set(entry, facts);
    return facts;
  }

  private indexEntry(seq: number, facts: TicketFacts, isPresent: boolean): StoredEntry {
    const index: IndexEntry = { hash: facts.hash, eventId: facts.eventId, isPresent };
    return {
      seq,
      kind: 'index',
      eventId: facts.eventId,
      json: JSON.stringify({ seq, kind: 'index', index }),
    };
  }

  /**
   * The present rows of the other events, as of `cursor` or later: each event's rows come from the
   * cache while none of its tickets changed since they were read, else from a fresh store read.
   */
  async snapshotRows(others: OtherEvents, cursor: number): Promise<IndexEntry[]> {
    const all: IndexEntry[] = [];
    for (const eventId of others.ids) {
      // A loop, not push(...rows): an event may hold more tickets than a call takes arguments.
      for (const row of await this.rowsOf(eventId, cursor)) all.push(row);
    }
    return all;
  }

  private async rowsOf(eventId: string, cursor: number): Promise<IndexEntry[]> {
    const cached = this.rows.get(eventId);
    const isFresh =
      cached !== undefined &&
      this.seenThrough >= cursor &&
      (this.changedAt.get(eventId) ?? 0) <= cached.cursor;
    if (cached && isFresh) return cached.rows;
    // Gates asking at once (a relay restart) share one read, when it is recent enough for them.
    const pending = this.reading.get(eventId);
    if (pending) {
      const read = await pending;
      if (read.cursor >= cursor) return read.rows;
    }
    const reading = this.read(eventId);
    this.reading.set(eventId, reading);
    try {
      const read = await reading;
      this.rows.set(eventId, read);
      return read.rows;
    } finally {
      if (this.reading.get(eventId) === reading) this.reading.delete(eventId);
    }
  }

  private async read(eventId: string): Promise<EventRows> {
    const snapshot = await this.options.store.readSnapshot([eventId]);
    const rows: IndexEntry[] = [];
    for (const ticket of snapshot.tickets) {
      // The snapshot also holds tickets that moved away from the event: not its tickets any more.
      if (ticket.eventId !== eventId || !ticket.valid) continue;
      const row = { hash: indexHash(this.key, ticket.barcode), eventId, isPresent: true };
      if (indexEntrySchema.safeParse(row).success) rows.push(row);
    }
    return { cursor: snapshot.cursor, rows };
  }

  /** A gate acknowledged the whole index for this set of other events. */
  confirm(gate: string, others: OtherEvents): void {
    this.confirmed.set(gate, others.key);
  }

  /** Whether the gate holds the whole index for this set (as far as this relay process knows). */
  isConfirmed(gate: string, others: OtherEvents): boolean {
    return this.confirmed.get(gate) === others.key;
  }
}
