/**
 * Issue 12 item 1 end to end: a real relay process builds the index of other events' tickets (a keyed
 * hash and an event id per ticket) and real gate processes name another night's ticket from it. The
 * frames the relay sends are sniffed raw on a socket of our own, and the gate's database is read, for
 * anything personal. Hashes are computed here independently: HMAC-SHA256(key, barcode), 16 bytes.
 */
import Database from 'better-sqlite3';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../electron/gate/index.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import {
  addGateToken,
  makeTempDir,
  orderDelivery,
  runGatehouse,
  startRelayProcess,
  waitFor,
  type OrderSpec,
  type RelayProcess,
} from '../relay/support.js';
import { accept, eventDelivery, MAIN_EVENT, type Stack } from './guarantee-support.js';
import { gateArgs, startGateProcess, ticketOf, type GateProcess } from './support.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const stack = {} as Stack;
const started: GateProcess[] = [];

/** Tomorrow (UTC) at 20:00: inside the default window (2 days back, 14 ahead). */
const tomorrowEight = (() => {
  const date = new Date(Date.now() + DAY);
  date.setUTCHours(20, 0, 0, 0);
  return date;
})();

interface OtherEvent {
  id: number;
  name: string;
  start: Date;
}

const SATURDAY: OtherEvent = { id: 7301, name: 'Saturday Show', start: tomorrowEight };
const SUNDAY: OtherEvent = { id: 7302, name: 'Sunday Show', start: new Date(tomorrowEight.getTime() + DAY) };
const FAR: OtherEvent = { id: 7303, name: 'Far Future Show', start: new Date(Date.now() + 30 * DAY) };
const PAST: OtherEvent = { id: 7304, name: 'Last Week Show', start: new Date(Date.now() - 5 * DAY) };
const LATER: OtherEvent = { id: 7305, name: 'Later Show', start: new Date(Date.now() + 20 * DAY) };
const AWAY: OtherEvent = { id: 7306, name: 'While Away Show', start: new Date(Date.now() + 25 * DAY) };
/** Started 36 hours ago: inside the window's two days back. */
const RECENT: OtherEvent = { id: 7307, name: 'Recent Show', start: new Date(Date.now() - 36 * HOUR) };

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (value: number) => String(value).padStart(2, '0');

/** The pinned words, "<event name> on <day date, time>", in UTC (the gates run with TZ=UTC). */
function named(event: OtherEvent, start = event.start): string {
  const day = `${WEEKDAYS[start.getUTCDay()]} ${start.getUTCDate()} ${MONTHS[start.getUTCMonth()]} ${start.getUTCFullYear()}`;
  return `Ticket is for ${event.name} on ${day}, ${two(start.getUTCHours())}:${two(start.getUTCMinutes())}`;
}

function eventSaved(event: OtherEvent, start = event.start): Record<string, unknown> {
  return eventDelivery({
    id: event.id,
    name: event.name,
    startDate: start.toISOString(),
    endDate: new Date(start.getTime() + 4 * HOUR).toISOString(),
  });
}

/** The holder's details of other events' orders: none of them may ever reach a gate. */
const HOLDER = { firstName: 'Wilhelmina', lastName: 'Quackenbush', email: 'wilhelmina.q@example.org' };
const PHONE = '0400999001';
const PERSONAL = [HOLDER.firstName, HOLDER.lastName, HOLDER.email, PHONE];

/** An order of another event, its customer and ticket holders named HOLDER. */
function otherOrder(event: OtherEvent, spec: Omit<OrderSpec, 'eventId'>): Record<string, unknown> {
  const body = orderDelivery({
    ...spec,
    eventId: event.id,
    startDate: event.start.toISOString(),
    endDate: new Date(event.start.getTime() + 4 * HOUR).toISOString(),
  });
  const data = body.data as Record<string, unknown> & { tickets: { items: Record<string, unknown>[] } };
  data.customer = { id: 999_001, ...HOLDER, telephone: PHONE };
  for (const ticket of data.tickets.items) Object.assign(ticket, HOLDER);
  return body;
}

function hashOf(key: Buffer, barcode: string): string {
  return createHmac('sha256', key).update(barcode, 'utf8').digest().subarray(0, 16).toString('base64');
}

/** One token per gate data folder, as a gate PC keeps its own. */
const tokens = new Map<string, string>();

async function gate(name: string, options: { dataDir?: string; relayUrl?: string } = {}) {
  const dataDir = options.dataDir ?? stack.dir.file(`${name.replace(/\W+/g, '-')}-${started.length}`);
  const token =
    tokens.get(dataDir) ?? (await addGateToken(stack.dir.file('relay.db'), `${name} ${started.length}`));
  tokens.set(dataDir, token);
  const process = await startGateProcess(
    gateArgs(dataDir, options.relayUrl ?? stack.relay.url, { name, token, events: [MAIN_EVENT] }),
    { env: { TZ: 'UTC' } },
  );
  started.push(process);
  await waitFor(async () => (await process.value('status')).connection === 'online', {
    timeoutMs: 20_000,
    message: `${name} online`,
  });
  return { process, dataDir };
}

/** Waits until the gate has applied the log up to `seq` (the seq a delivery's answer names). */
/** Posts a delivery; the relay answers once it is durable, and applies it in order after. */
async function post(body: Record<string, unknown>): Promise<void> {
  await accept(stack, body);
}

/** Posts a delivery of the gate's own event and waits for it: everything posted earlier is applied. */
let markers = 0;
async function settle(door: GateProcess): Promise<void> {
  markers += 1;
  const barcode = `IDX-MARKER-${markers}`;
  await post(orderDelivery({ orderId: 950_000 + markers, tickets: [{ barcode }] }));
  await waitFor(async () => (await ticketOf(door, barcode)) !== null, {
    timeoutMs: 20_000,
    message: `marker ${barcode}`,
  });
}

async function scan(door: GateProcess, barcode: string) {
  return door.value('scan', { barcode });
}

/** Reads the gate database: every value of every table, and the index rows. */
function readGateDatabase(dataDir: string) {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((row) => row.name);
    const values = tables.flatMap((table) =>
      db
        .prepare(`SELECT * FROM "${table}"`)
        .all()
        .flatMap((row) =>
          Object.values(row as Record<string, unknown>).map((value) =>
            Buffer.isBuffer(value) ? `${value.toString('hex')} ${value.toString('latin1')}` : String(value),
          ),
        ),
    );
    const columns = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('other_event_tickets')")
      .all()
      .map((row) => row.name);
    const index = db
      .prepare<[], { hash: Buffer; event_id: string }>('SELECT hash, event_id FROM other_event_tickets')
      .all()
      .map((row) => ({ hash: row.hash.toString('base64'), eventId: row.event_id }));
    return { values: values.join('\n'), columns, index };
  } finally {
    db.close();
  }
}

/** A gate's socket of our own: says hello and keeps every frame the relay sends, as raw text. */
class Sniffer {
  readonly texts: string[] = [];
  private readonly socket: WebSocket;
  readonly opened: Promise<void>;

  constructor(relayUrl: string, token: string, cursor = 0) {
    this.socket = new WebSocket(`${relayUrl.replace(/^http/, 'ws')}/gate`, {
      headers: { authorization: `Bearer ${token}` },
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => {
        this.socket.send(
          JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, cursor, events: [MAIN_EVENT] }),
        );
        resolve();
      });
      this.socket.once('error', reject);
    });
    this.socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      this.texts.push(text);
      const frame = JSON.parse(text) as { type: string; t?: number };
      if (frame.type === 'ping') this.socket.send(JSON.stringify({ type: 'pong', t: frame.t }));
    });
  }

  /** Every index entry received (snapshot and log), in order. */
  indexEntries(): { hash: string; eventId: string; isPresent: boolean }[] {
    return this.texts.flatMap((text) => {
      const frame = JSON.parse(text) as {
        type: string;
        index?: { hash: string; eventId: string; isPresent: boolean }[];
        entries?: { kind: string; index?: { hash: string; eventId: string; isPresent: boolean } }[];
      };
      if (frame.type === 'snapshot-chunk') return frame.index ?? [];
      if (frame.type === 'entries')
        return (frame.entries ?? []).flatMap((entry) => (entry.index ? [entry.index] : []));
      return [];
    });
  }

  key(): Buffer {
    const welcome = this.texts.map((text) => JSON.parse(text) as { type: string; indexKey?: string })[0];
    if (welcome?.type !== 'welcome' || !welcome.indexKey) throw new Error('no index key in the welcome');
    return Buffer.from(welcome.indexKey, 'base64');
  }

  close(): void {
    this.socket.close();
  }
}

const ORDERS = {
  fridays: 8_675_300,
  saturday: 8_675_301,
  refunded: 8_675_302,
  moved: 8_675_303,
  movedAway: 8_675_304,
  far: 8_675_305,
  past: 8_675_306,
  later: 8_675_307,
  away: 8_675_308,
  saturdayLive: 8_675_309,
  sundaySniffed: 8_675_310,
  recent: 8_675_311,
};

beforeAll(async () => {
  stack.dir = makeTempDir();
  stack.relay = await startRelayProcess({ dbPath: stack.dir.file('relay.db') });
  for (const event of [SATURDAY, SUNDAY, FAR, PAST, LATER, AWAY, RECENT]) await post(eventSaved(event));
  await post(orderDelivery({ orderId: ORDERS.fridays, tickets: [{ barcode: 'FRI-1' }] }));
  const sales: [OtherEvent, number, string[]][] = [
    // SAT-QUIET is never scanned anywhere: it may only ever appear at a gate as a hash.
    [SATURDAY, ORDERS.saturday, ['SAT-1', 'SAT-QUIET']],
    [SATURDAY, ORDERS.refunded, ['SAT-REFUND']],
    [SATURDAY, ORDERS.moved, ['SAT-MOVE']],
    [SATURDAY, ORDERS.movedAway, ['SAT-AWAY']],
    [FAR, ORDERS.far, ['FAR-1']],
    [PAST, ORDERS.past, ['PAST-1']],
    [LATER, ORDERS.later, ['LATER-1']],
    [AWAY, ORDERS.away, ['AWAY-1']],
    [RECENT, ORDERS.recent, ['RECENT-1']],
  ];
  for (const [event, orderId, barcodes] of sales)
    await post(otherOrder(event, { orderId, tickets: barcodes.map((barcode) => ({ barcode })) }));
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((door) => door.stop()));
  await stack.relay?.stop();
  stack.dir?.remove();
});

describe('the other-events index through a real relay', () => {
  let live: GateProcess;
  let liveDir: string;

  it('names another night’s ticket on a fresh gate, and never admits it', async () => {
    ({ process: live, dataDir: liveDir } = await gate('Index Live'));
    await settle(live);
    const result = await scan(live, 'SAT-1');
    expect(result).toMatchObject({ result: 'deny', reason: 'wrong_event', message: named(SATURDAY) });
    expect(await ticketOf(live, 'SAT-1')).toBeNull();
    expect(await scan(live, 'FRI-1')).toMatchObject({ result: 'admit' });
  });

  it('indexes the events whose dates meet the window only (2 days back, 14 ahead)', async () => {
    expect(await scan(live, 'RECENT-1')).toMatchObject({ reason: 'wrong_event', message: named(RECENT) });
    expect(await scan(live, 'FAR-1')).toMatchObject({ result: 'deny', reason: 'unknown_barcode' });
    expect(await scan(live, 'PAST-1')).toMatchObject({ result: 'deny', reason: 'unknown_barcode' });
  });

  it('keeps a live gate current: a sale named, a refund and a move away no longer, a move named anew', async () => {
    await post(otherOrder(SATURDAY, { orderId: ORDERS.saturdayLive, tickets: [{ barcode: 'SAT-2' }] }));
    await settle(live);
    expect(await scan(live, 'SAT-2')).toMatchObject({ reason: 'wrong_event', message: named(SATURDAY) });
    for (const barcode of ['SAT-REFUND', 'SAT-MOVE', 'SAT-AWAY'])
      expect(await scan(live, barcode), barcode).toMatchObject({ reason: 'wrong_event' });

    // A refund: the same order with a newer transaction, the ticket no longer valid.
    await post(
      otherOrder(SATURDAY, {
        orderId: ORDERS.refunded,
        tickets: [{ barcode: 'SAT-REFUND', valid: false }],
        transactions: [{ id: ORDERS.refunded }, { id: ORDERS.refunded + 50, type: 'REFUND' }],
      }),
    );
    // Moves: exchanged to Sunday (inside the window), and to the far show (outside it).
    await post(
      otherOrder(SUNDAY, {
        orderId: ORDERS.moved,
        tickets: [{ barcode: 'SAT-MOVE' }],
        transactions: [{ id: ORDERS.moved }, { id: ORDERS.moved + 50, type: 'EXCHANGE' }],
      }),
    );
    await post(
      otherOrder(FAR, {
        orderId: ORDERS.movedAway,
        tickets: [{ barcode: 'SAT-AWAY' }],
        transactions: [{ id: ORDERS.movedAway }, { id: ORDERS.movedAway + 50, type: 'EXCHANGE' }],
      }),
    );
    await settle(live);
    expect(await scan(live, 'SAT-REFUND')).toMatchObject({ result: 'deny', reason: 'unknown_barcode' });
    expect(await scan(live, 'SAT-MOVE')).toMatchObject({ reason: 'wrong_event', message: named(SUNDAY) });
    expect(await scan(live, 'SAT-AWAY')).toMatchObject({ reason: 'unknown_barcode' });
    expect(await scan(live, 'SAT-1')).toMatchObject({ reason: 'wrong_event', message: named(SATURDAY) });

    // A gate synced afresh now agrees.
    const { process: fresh } = await gate('Index Fresh');
    await settle(fresh);
    for (const [barcode, reason] of [
      ['SAT-REFUND', 'unknown_barcode'],
      ['SAT-AWAY', 'unknown_barcode'],
      ['SAT-MOVE', 'wrong_event'],
      ['SAT-2', 'wrong_event'],
    ] as const) {
      expect(await scan(fresh, barcode), barcode).toMatchObject({ reason });
    }
  });

  it('names an event that enters the window while a gate is live, and one that entered while it was away', async () => {
    expect(await scan(live, 'LATER-1')).toMatchObject({ reason: 'unknown_barcode' });
    const moved = new Date(tomorrowEight.getTime() + 2 * DAY);
    await post(eventSaved(LATER, moved));
    await waitFor(async () => (await scan(live, 'LATER-1')).reason === 'wrong_event', {
      timeoutMs: 20_000,
      message: 'LATER-1 named after its event moved into the window',
    });
    expect(await scan(live, 'LATER-1')).toMatchObject({ message: named(LATER, moved) });

    // Stopped, the event dated into the window meanwhile, started again on the same database.
    expect(await scan(live, 'AWAY-1')).toMatchObject({ reason: 'unknown_barcode' });
    await live.stop();
    const awayStart = new Date(tomorrowEight.getTime() + 3 * DAY);
    await post(eventSaved(AWAY, awayStart));
    ({ process: live } = await gate('Index Live', { dataDir: liveDir }));
    await settle(live);
    expect(await scan(live, 'AWAY-1')).toMatchObject({
      reason: 'wrong_event',
      message: named(AWAY, awayStart),
    });
  });

  it('keeps only hashes and event ids at the gate: no barcode, name, e-mail or order id', async () => {
    const { values, columns, index } = readGateDatabase(liveDir);
    expect(columns).toEqual(['hash', 'event_id', 'seq']);
    expect(index.length).toBeGreaterThan(0);
    const indexed = [SATURDAY, SUNDAY, LATER, AWAY, RECENT].map((event) => String(event.id));
    for (const row of index) {
      expect(Buffer.from(row.hash, 'base64')).toHaveLength(16);
      expect(indexed).toContain(row.eventId);
    }
    // Never scanned here, so only the relay could have put them in this database.
    for (const secret of [...PERSONAL, 'SAT-QUIET', String(ORDERS.saturday)])
      expect(values, secret).not.toContain(secret);
  });

  it('sends gates only keyed hashes of other events’ tickets: sniffed frames, snapshot and live', async () => {
    const token = await addGateToken(stack.dir.file('relay.db'), 'Sniffer');
    const sniffer = new Sniffer(stack.relay.url, token);
    await sniffer.opened;
    await waitFor(() => sniffer.texts.some((text) => text.startsWith('{"type":"snapshot-end"')), {
      message: 'snapshot end',
    });
    const key = sniffer.key();
    expect(key).toHaveLength(32);
    const orderId = ORDERS.sundaySniffed;
    await post(otherOrder(SUNDAY, { orderId, tickets: [{ barcode: 'SUN-SNIFF' }] }));
    await post(
      otherOrder(SUNDAY, {
        orderId,
        tickets: [{ barcode: 'SUN-SNIFF', valid: false }],
        transactions: [{ id: orderId }, { id: orderId + 50, type: 'REFUND' }],
      }),
    );
    await waitFor(
      () =>
        sniffer.indexEntries().some((entry) => entry.hash === hashOf(key, 'SUN-SNIFF') && !entry.isPresent),
      { message: 'the refund as an index entry' },
    );
    sniffer.close();
    const entries = sniffer.indexEntries();
    const saturday = String(SATURDAY.id);
    const sunday = String(SUNDAY.id);
    expect(entries).toContainEqual({ hash: hashOf(key, 'SAT-QUIET'), eventId: saturday, isPresent: true });
    expect(entries).toContainEqual({ hash: hashOf(key, 'SUN-SNIFF'), eventId: sunday, isPresent: true });
    const hashes = entries.map((entry) => entry.hash);
    for (const barcode of ['FAR-1', 'PAST-1', 'SAT-REFUND', 'FRI-1'])
      expect(hashes, barcode).not.toContain(hashOf(key, barcode));
    for (const entry of entries) expect(Object.keys(entry).sort()).toEqual(['eventId', 'hash', 'isPresent']);
    const wire = sniffer.texts.join('\n');
    const orderIds = [ORDERS.saturday, ORDERS.refunded, ORDERS.sundaySniffed].map(String);
    for (const secret of [...PERSONAL, 'SAT-QUIET', 'SUN-SNIFF', ...orderIds])
      expect(wire, secret).not.toContain(secret);
  });
});

describe('relay serve --other-events-window-days', () => {
  it('widens the window: a show 30 days ahead is named', async () => {
    const relay: RelayProcess = await startRelayProcess({
      dbPath: stack.dir.file('relay.db'),
      extraArgs: ['--other-events-window-days', '0:40'],
    });
    try {
      const { process: door } = await gate('Wide Window', { relayUrl: relay.url });
      await settle(door);
      expect(await scan(door, 'FAR-1')).toMatchObject({ reason: 'wrong_event', message: named(FAR) });
      // Zero days back: last week's show is not indexed.
      expect(await scan(door, 'PAST-1')).toMatchObject({ reason: 'unknown_barcode' });
      await door.stop();
    } finally {
      await relay.stop();
    }
  });

  it.each([['3'], ['2:'], ['-1:5'], ['a:b'], ['2:14:1'], ['1e9:2']])(
    'refuses %s with exit 2 and a line naming the problem',
    async (value) => {
      const result = await runGatehouse(
        [
          'relay',
          'serve',
          '--db',
          stack.dir.file('never.db'),
          '--port',
          '0',
          '--other-events-window-days',
          value,
        ],
        { env: { GATEHOUSE_WEBHOOK_SECRET: 'secret' } },
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--other-events-window-days must be BEFORE:AFTER in days');
      expect(result.stderr).toContain(`"${value}"`);
    },
  );
});
