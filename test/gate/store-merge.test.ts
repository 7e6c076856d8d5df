/**
 * The gate store applies what the relay sends with the shared merge rule (issue 9), on a real
 * temporary SQLite file: a tie keeps the invalid reading whatever arrives last, a resolved version
 * (Moshtix API answer, authoritative CSV import) outranks webhooks of its transaction and is stored as
 * such, and a gate database from before migration 5 upgrades in place.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEntries, applySnapshotChunks } from '../../electron/gate/apply.js';
import { GateStore } from '../../electron/gate/store/index.js';
import { MIGRATIONS } from '../../electron/gate/store/migrations.js';
import type { TicketState } from '../../shared/tickets.js';
import { makeTempDir } from '../relay/support.js';
import { ticketState } from './fixtures.js';

const NOW = '2026-11-27T10:00:00.000Z';
let dir: ReturnType<typeof makeTempDir>;
let store: GateStore;
let seq = 0;

beforeEach(() => {
  dir = makeTempDir();
  store = new GateStore(join(dir.path, 'gate.db'));
});
afterEach(async () => {
  await store.closeFully();
  dir.remove();
});

function receive(...tickets: TicketState[]): void {
  applyEntries(
    store,
    'Gate 1',
    tickets.map((ticket) => ({ seq: (seq += 1), kind: 'ticket' as const, ticket })),
    NOW,
  );
}

describe('gate store merge', () => {
  it('a first load inserts without looking, yet merges a barcode already stored (a first load resumed after a stop)', () => {
    const refunded = ticketState('KEPT', {
      valid: false,
      cause: 'refunded',
      version: { source: 'webhook', txId: 20, seq: 1 },
    });
    receive(refunded);
    const older = ticketState('KEPT', { version: { source: 'webhook', txId: 10, seq: 2 } });
    const outcome = applySnapshotChunks(
      store,
      'Gate 1',
      [{ events: [], tickets: [ticketState('NEW-1'), older, ticketState('NEW-2')], scans: [], index: [] }],
      NOW,
      0,
      undefined,
      true,
    );
    expect(outcome.ticketsInserted).toBe(2);
    expect(store.tickets.get('KEPT')).toMatchObject({ valid: false, cause: 'refunded' });
    expect(store.tickets.get('NEW-1')).toMatchObject({ valid: true });
    expect(store.tickets.count()).toBe(3);
  });

  it('keeps a ticket invalid when two states of the same version disagree, whatever arrives last', () => {
    const sold = ticketState('TIE', { version: { source: 'webhook', txId: 10, seq: 1 } });
    const cancelled = { ...sold, valid: false, cause: 'cancelled', version: { ...sold.version, seq: 2 } };
    receive(sold, cancelled, { ...sold, version: { ...sold.version, seq: 3 } });
    expect(store.tickets.get('TIE')).toMatchObject({ valid: false, cause: 'cancelled' });
  });

  it('lets a resolved version outrank webhooks of its transaction, and stores where it came from', () => {
    const webhook = ticketState('RES', {
      valid: false,
      cause: 'not_valid',
      version: { source: 'webhook', txId: 10, seq: 1 },
    });
    const answer = ticketState('RES', { version: { source: 'api', txId: 10, seq: 2 } });
    receive(webhook, answer, webhook);
    expect(store.tickets.get('RES')).toMatchObject({ valid: true, version: { source: 'api', txId: 10 } });
    const revoked = ticketState('RES', {
      valid: false,
      cause: 'csv',
      version: { source: 'csv', txId: 10, seq: 1, isAuthoritative: true },
    });
    receive(revoked, answer);
    expect(store.tickets.get('RES')).toEqual(revoked);
    const newer = ticketState('RES', { version: { source: 'webhook', txId: 11, seq: 9 } });
    receive(newer);
    expect(store.tickets.get('RES')).toEqual(newer);
  });

  it('upgrades a database from before migration 5 in place: stored tickets read as not authoritative', () => {
    store.close();
    const path = join(dir.path, 'old.db');
    const raw = new Database(path);
    raw.exec(MIGRATIONS.slice(0, 2).join(';\n'));
    raw.pragma('user_version = 2');
    raw
      .prepare(
        `INSERT INTO tickets (barcode, order_id, event_id, is_valid, cause, changed_at, version_source, version_tx, version_seq)
         VALUES ('OLD', 'O1', 'E1', 1, 'sold', ?, 'webhook', 5, 1)`,
      )
      .run(NOW);
    raw.close();
    store = new GateStore(path);
    expect(store.tickets.get('OLD')?.version).toEqual({ source: 'webhook', txId: 5, seq: 1 });
    const authoritative = ticketState('OLD', {
      orderId: 'O1',
      eventId: 'E1',
      valid: false,
      cause: 'csv',
      version: { source: 'csv', txId: 5, seq: 1, isAuthoritative: true },
    });
    receive(authoritative);
    expect(store.tickets.get('OLD')).toEqual(authoritative);
  });
});
