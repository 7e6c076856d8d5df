/**
 * The gate side of the other-events index and of capacity, against a STAND-IN relay (the real relay
 * does not build the index yet): a scripted websocket server speaking shared/protocol.ts, an
 * in-process gate engine on a real SQLite file. The hashes here are computed independently of the
 * gate's code, so they pin the algorithm: HMAC-SHA256(key, barcode) truncated to 16 bytes.
 */
import Database from 'better-sqlite3';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, startGate, type GateEngine } from '../../electron/gate/index.js';
import type { EditableSettings } from '../../shared/gate-api.js';
import { PROTOCOL_VERSION, type IndexEntry, type RelayFrame } from '../../shared/protocol.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';
import { indexHash } from '../../electron/gate/other-events.js';
import { makeTempDir, waitFor } from '../relay/support.js';
import { scanRecord, ticketState } from './fixtures.js';
import { startStandIn, type StandInConnection } from './stand-in-relay.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const NOW = new Date('2026-12-05T21:00:00.000Z');
const KEY = Buffer.alloc(32, 7);
const FRIDAY: EventInfo = {
  id: 'E1',
  name: 'Friday Show',
  startDate: '2026-12-05T20:00:00.000Z',
  endDate: '2026-12-05T23:30:00.000Z',
  venueName: 'The Venue',
  ticketTypes: [{ id: 'T1', name: 'General' }],
};
const SATURDAY: EventInfo = {
  ...FRIDAY,
  id: 'E2',
  name: 'Saturday Show',
  startDate: '2026-12-06T20:00:00.000Z',
};

function hashOf(barcode: string, key = KEY): string {
  return createHmac('sha256', key).update(barcode, 'utf8').digest().subarray(0, 16).toString('base64');
}

function entry(barcode: string, eventId: string, isPresent = true, key = KEY): IndexEntry {
  return { hash: hashOf(barcode, key), eventId, isPresent };
}

function welcome(key: Buffer | null = KEY, events: EventInfo[] = [FRIDAY, SATURDAY]): RelayFrame {
  return {
    type: 'welcome',
    protocol: PROTOCOL_VERSION,
    gate: 'Gate S',
    head: 0,
    events,
    time: Date.now(),
    quarantined: 0,
    ...(key ? { indexKey: key.toString('base64') } : {}),
  };
}

function sendSnapshot(
  connection: StandInConnection,
  cursor: number,
  content: { tickets?: TicketState[]; index?: IndexEntry[] },
): void {
  const tickets = content.tickets ?? [];
  const index = content.index ?? [];
  connection.send({ type: 'snapshot-begin', tickets: tickets.length, scans: 0, cursor });
  connection.send({ type: 'snapshot-chunk', events: [FRIDAY, SATURDAY], tickets, scans: [] });
  for (let from = 0; from < index.length; from += 5_000) {
    connection.send({
      type: 'snapshot-chunk',
      events: [],
      tickets: [],
      scans: [],
      index: index.slice(from, from + 5_000),
    });
  }
  connection.send({ type: 'snapshot-end', cursor });
}

/** A stand-in relay that welcomes every gate and sends it one snapshot; closed after the test. */
async function snapshotRelay(
  cursor: number,
  content: { tickets?: TicketState[]; index?: IndexEntry[] },
  events?: EventInfo[],
) {
  const relay = await startStandIn(
    (connection, frame) => {
      if (frame.type !== 'hello') return;
      connection.send(welcome(KEY, events));
      sendSnapshot(connection, cursor, content);
    },
    { answersPings: true },
  );
  cleanups.push(() => relay.close());
  return relay;
}

async function gate(relayUrl: string, settings: Partial<EditableSettings> = {}) {
  const dir = makeTempDir();
  // A clock that moves a second per reading, so no two of this gate's records share a time.
  let clock = NOW.getTime();
  const engine = await startGate({
    dataDir: dir.path,
    settings: { gateName: 'Gate S', events: ['E1'], relayUrl, token: 'stand-in-token', ...settings },
    now: () => new Date((clock += 1_000)),
    timeZone: 'UTC',
    syncTiming: {
      heartbeatIntervalMs: 1_000,
      heartbeatTimeoutMs: 5_000,
      backoffBaseMs: 20,
      backoffCapMs: 100,
    },
  });
  cleanups.push(
    () => dir.remove(),
    () => engine.stop(),
  );
  return { engine, dbPath: join(dir.path, DATABASE_FILE) };
}

async function reachCursor(engine: GateEngine, cursor: number): Promise<void> {
  await waitFor(
    async () => {
      const status = await engine.handlers.status({});
      return status.ok && status.value.cursor === cursor && status.value.connection === 'online';
    },
    { message: `cursor ${cursor}`, timeoutMs: 30_000 },
  );
}

async function scan(engine: GateEngine, barcode: string, direction?: 'in' | 'out') {
  const answer = await engine.handlers.scan({ barcode, ...(direction ? { direction } : {}) });
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value;
}

/** Every value in every table of the gate database, as text (blobs as hex and as UTF-8). */
function everyValue(dbPath: string): string[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((row) => row.name);
    return tables.flatMap((table) =>
      db
        .prepare(`SELECT * FROM "${table}"`)
        .all()
        .flatMap((row) =>
          Object.values(row as Record<string, unknown>).map((value) =>
            Buffer.isBuffer(value) ? `${value.toString('hex')} ${value.toString('utf8')}` : String(value),
          ),
        ),
    );
  } finally {
    db.close();
  }
}

function databaseBytes(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    // Through the WAL: the committed size, whether or not it has been checkpointed yet.
    return (
      Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }))
    );
  } finally {
    db.close();
  }
}

describe('the other-events index at a gate', () => {
  it('hashes a barcode exactly as pinned: HMAC-SHA256(key, barcode) truncated to 16 bytes', () => {
    expect(indexHash(KEY, 'F2D705C60392480385CD7BEF6C0A70DF').toString('base64')).toBe(
      'rtg8HKh0fbP4XYha7azpWg==',
    );
  });

  it('names another night’s ticket on a fresh gate, never admits from the index, and stores no personal data', async () => {
    const relay = await snapshotRelay(10, {
      tickets: [ticketState('FRI-1', { eventId: 'E1' })],
      index: [entry('SAT-1', 'E2'), entry('SUN-1', 'E3'), entry('FRI-2', 'E1')],
    });
    const { engine, dbPath } = await gate(relay.url);
    await reachCursor(engine, 10);

    // Before any scan: the index holds hashes and event ids only.
    const values = everyValue(dbPath).join('\n');
    for (const barcode of ['SAT-1', 'SUN-1', 'FRI-2']) expect(values).not.toContain(barcode);
    const db = new Database(dbPath, { readonly: true });
    const columns = db.prepare("SELECT name FROM pragma_table_info('other_event_tickets')").all();
    const rows = db.prepare<[], { hash: Buffer }>('SELECT hash FROM other_event_tickets').all();
    db.close();
    expect(columns).toEqual([{ name: 'hash' }, { name: 'event_id' }, { name: 'seq' }]);
    expect(rows.map((row) => row.hash.length)).toEqual([16, 16, 16]);

    expect(await scan(engine, 'SAT-1')).toMatchObject({
      result: 'deny',
      reason: 'wrong_event',
      message: 'Ticket is for Saturday Show on Sun 6 Dec 2026, 20:00',
    });
    expect((await scan(engine, 'SUN-1')).message).toBe('Ticket is for event E3');
    expect(await scan(engine, 'SAT-1', 'out')).toMatchObject({ result: 'deny', reason: 'wrong_event' });
    // An index entry naming one of this gate's own events never admits a barcode it does not hold.
    expect(await scan(engine, 'FRI-2')).toMatchObject({ result: 'deny', reason: 'unknown_barcode' });
    expect(await scan(engine, 'NOBODY-1')).toMatchObject({ result: 'deny', reason: 'unknown_barcode' });
    expect(await scan(engine, 'FRI-1')).toMatchObject({ result: 'admit', reason: 'admitted' });
  });

  it('keeps the index current on a live gate: an entry added names the night, one removed (a refund) does not', async () => {
    const relay = await snapshotRelay(10, {});
    const { engine } = await gate(relay.url);
    await reachCursor(engine, 10);
    const live = relay.connections[0];
    expect(await scan(engine, 'SAT-2')).toMatchObject({ reason: 'unknown_barcode' });

    live?.send({ type: 'entries', entries: [{ seq: 11, kind: 'index', index: entry('SAT-2', 'E2') }] });
    await reachCursor(engine, 11);
    expect(await scan(engine, 'SAT-2')).toMatchObject({ reason: 'wrong_event' });

    live?.send({
      type: 'entries',
      entries: [{ seq: 12, kind: 'index', index: entry('SAT-2', 'E2', false) }],
    });
    await reachCursor(engine, 12);
    expect(await scan(engine, 'SAT-2')).toMatchObject({ reason: 'unknown_barcode' });
  });

  it('lets a completed snapshot drop what it no longer holds, and starts afresh when the key changes', async () => {
    const key2 = Buffer.alloc(32, 9);
    const relay = await startStandIn(
      (connection, frame) => {
        if (frame.type !== 'hello') return;
        const number = relay.connections.indexOf(connection);
        if (number === 0) {
          connection.send(welcome());
          sendSnapshot(connection, 10, { index: [entry('SAT-1', 'E2')] });
          connection.send({
            type: 'entries',
            entries: [{ seq: 11, kind: 'index', index: entry('SAT-3', 'E2') }],
          });
        } else if (number === 1) {
          // After a new event selection: a new snapshot, in which SAT-1 is gone (refunded meanwhile).
          connection.send(welcome());
          sendSnapshot(connection, 20, { index: [entry('SAT-3', 'E2')] });
        } else if (number === 2) {
          connection.send(welcome(key2));
        } else {
          connection.send(welcome(key2));
          sendSnapshot(connection, 30, { index: [entry('SAT-4', 'E2', true, key2)] });
        }
      },
      { answersPings: true },
    );
    const standIn = relay;
    cleanups.push(() => standIn.close());
    const { engine } = await gate(relay.url);
    await reachCursor(engine, 11);
    expect(await scan(engine, 'SAT-1')).toMatchObject({ reason: 'wrong_event' });

    await engine.handlers.updateSettings({ changes: { events: ['E1', 'E5'] } });
    await reachCursor(engine, 20);
    expect(await scan(engine, 'SAT-1')).toMatchObject({ reason: 'unknown_barcode' });
    expect(await scan(engine, 'SAT-3')).toMatchObject({ reason: 'wrong_event' });

    relay.connections[1]?.socket.terminate();
    await reachCursor(engine, 30);
    expect(relay.connections[2]?.frames[0]).toMatchObject({ type: 'hello', cursor: 20 });
    expect(relay.connections[3]?.frames[0]).toMatchObject({ type: 'hello', cursor: 0 });
    expect(await scan(engine, 'SAT-3')).toMatchObject({ reason: 'unknown_barcode' });
    expect(await scan(engine, 'SAT-4')).toMatchObject({
      reason: 'wrong_event',
      message: 'Ticket is for Saturday Show on Sun 6 Dec 2026, 20:00',
    });
  });

  it('holds 100,000 indexed tickets in under 10 MB', async () => {
    const count = 100_000;
    const relay = await startStandIn(
      (connection, frame) => {
        if (frame.type !== 'hello') return;
        connection.send(welcome());
        if (relay.connections.indexOf(connection) === 0) sendSnapshot(connection, 1, {});
        else
          sendSnapshot(connection, 2, {
            index: Array.from({ length: count }, (_, index) => entry(`OTHER-${index}`, `9${index % 20}`)),
          });
      },
      { answersPings: true },
    );
    const standIn = relay;
    cleanups.push(() => standIn.close());
    const { engine, dbPath } = await gate(relay.url);
    await reachCursor(engine, 1);
    const before = databaseBytes(dbPath);
    await engine.handlers.updateSettings({ changes: { events: ['E1', 'E5'] } });
    await reachCursor(engine, 2);
    const growth = databaseBytes(dbPath) - before;
    console.log(`100,000 index entries: the gate database grew by ${(growth / 1e6).toFixed(2)} MB`);
    expect(growth).toBeLessThan(10_000_000);
    expect(await scan(engine, 'OTHER-99999')).toMatchObject({
      reason: 'wrong_event',
      message: 'Ticket is for event 919',
    });
  });
});

describe('capacity at a gate', () => {
  it('counts admissions minus exits known from every gate; exits pass; staff override when full', async () => {
    const tickets = ['C1', 'C2', 'C3', 'C4', 'C5'].map((barcode) => ticketState(barcode, { eventId: 'E1' }));
    const relay = await snapshotRelay(5, { tickets });
    const { engine } = await gate(relay.url, { capacity: 2 });
    await reachCursor(engine, 5);
    const inside = async () => {
      const stats = await engine.handlers.stats({});
      return stats.ok ? stats.value : null;
    };

    expect(await scan(engine, 'C1')).toMatchObject({ reason: 'admitted' });
    const at = new Date(NOW.getTime() - 120_000).toISOString();
    const later = new Date(NOW.getTime() - 60_000).toISOString();
    relay.connections[0]?.send({
      type: 'entries',
      entries: [{ seq: 6, kind: 'scan', scan: scanRecord({ barcode: 'C2', gate: 'Gate 2', at }) }],
    });
    await reachCursor(engine, 6);
    expect(await inside()).toMatchObject({ insideNow: 2, capacity: 2 });
    expect(await scan(engine, 'C3')).toMatchObject({
      result: 'deny',
      reason: 'capacity_reached',
      message: 'Venue full: 2 inside, capacity 2',
    });

    // An exit at another gate brings the count down; an exit here passes even while full.
    relay.connections[0]?.send({
      type: 'entries',
      entries: [
        {
          seq: 7,
          kind: 'scan',
          scan: scanRecord({ barcode: 'C2', gate: 'Exit', at: later, direction: 'out', reason: 'exited' }),
        },
      ],
    });
    await reachCursor(engine, 7);
    expect(await inside()).toMatchObject({ insideNow: 1 });
    expect(await scan(engine, 'C3')).toMatchObject({ reason: 'admitted' });
    expect(await scan(engine, 'C1', 'out')).toMatchObject({ result: 'admit', reason: 'exited' });
    expect(await scan(engine, 'C4')).toMatchObject({ reason: 'admitted' });
    expect(await scan(engine, 'C5')).toMatchObject({ reason: 'capacity_reached' });

    const manual = await engine.handlers.manualAdmit({ barcode: 'C5', note: 'band guest, manager ok' });
    expect(manual.ok && manual.value).toMatchObject({ result: 'admit' });
    expect(await inside()).toMatchObject({ insideNow: 3, capacity: 2 });
  });

  it('admits a flagged ticket with its attention text, from tags stored in SQLite', async () => {
    const tickets = [
      ticketState('ID-1', { eventId: 'E1', ticketTypeTags: ['Over 18+'] }),
      ticketState('PLAIN-1', { eventId: 'E1' }),
    ];
    const relay = await snapshotRelay(5, { tickets });
    const { engine } = await gate(relay.url, { attention: [{ match: '18+', text: 'Check ID: 18+' }] });
    await reachCursor(engine, 5);
    expect(await scan(engine, 'ID-1')).toMatchObject({ result: 'admit', attention: 'Check ID: 18+' });
    expect((await scan(engine, 'PLAIN-1')).attention).toBeUndefined();
  });
});

describe('conflicts of a multi-day pass', () => {
  it('does not call admissions on two days of a festival a conflict, but does on one night', async () => {
    const festival: EventInfo = {
      ...FRIDAY,
      id: 'F1',
      name: 'Three Day Fest',
      startDate: '2026-12-04T12:00:00.000Z',
      endDate: '2026-12-06T23:00:00.000Z',
    };
    const tickets = [ticketState('PASS-1', { eventId: 'F1' }), ticketState('NIGHT-1', { eventId: 'E1' })];
    const relay = await snapshotRelay(5, { tickets }, [FRIDAY, festival]);
    const { engine } = await gate(relay.url, { events: ['E1', 'F1'] });
    await reachCursor(engine, 5);
    // Admitted here today; another gate's admissions arrive late (it was offline).
    expect(await scan(engine, 'PASS-1')).toMatchObject({ reason: 'admitted' });
    expect(await scan(engine, 'NIGHT-1')).toMatchObject({ reason: 'admitted' });
    const yesterday = '2026-12-04T20:00:00.000Z';
    const tonight = '2026-12-05T20:30:00.000Z';
    relay.connections[0]?.send({
      type: 'entries',
      entries: [
        {
          seq: 6,
          kind: 'scan',
          scan: scanRecord({ barcode: 'PASS-1', eventId: 'F1', gate: 'Gate 2', at: yesterday }),
        },
        {
          seq: 7,
          kind: 'scan',
          scan: scanRecord({ barcode: 'NIGHT-1', eventId: 'E1', gate: 'Gate 2', at: tonight }),
        },
      ],
    });
    await reachCursor(engine, 7);
    const conflicts = await engine.handlers.conflicts({});
    expect(conflicts.ok && conflicts.value.conflicts.map((conflict) => conflict.barcode)).toEqual([
      'NIGHT-1',
    ]);
  });
});
