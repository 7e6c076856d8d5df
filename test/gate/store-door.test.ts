/**
 * Gate migration 4 (door rules) over a real SQLite file: a database written before it keeps its
 * events, tickets and scans, reads them with no tags and not cancelled, and then stores the new fields.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { GateStore } from '../../electron/gate/store/index.js';
import { MIGRATIONS } from '../../electron/gate/store/migrations.js';
import { makeTempDir, type TempDir } from '../relay/support.js';
import { eventInfo, ticketState } from './fixtures.js';

let dir: TempDir | null = null;
afterEach(() => {
  dir?.remove();
  dir = null;
});

describe('gate migration 4 (door rules)', () => {
  it('upgrades a version 2 database without losing a row, then stores tags, the mark and the index', () => {
    dir = makeTempDir();
    const path = dir.file('gate.db');
    const old = new Database(path);
    old.exec(MIGRATIONS[0] ?? '');
    old.exec(MIGRATIONS[1] ?? '');
    old.pragma('user_version = 2');
    old
      .prepare(
        `INSERT INTO events (id, name, start_date, end_date, venue_name, ticket_types)
         VALUES ('E1', 'Old Show', '2026-12-05T20:00:00.000Z', NULL, NULL, '[{"id":"T1","name":"General"}]')`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO tickets VALUES ('OLD-1', '1', 'O1', 'E1', 'T1', 'General', 'Fred Durst', 'Fred Durst',
         'fred@example.com', 1, 'sold', '2026-12-01T00:00:00.000Z', 'webhook', 10, 1)`,
      )
      .run();
    old.close();

    const store = new GateStore(path);
    try {
      expect(store.tickets.event('E1')).toEqual({
        id: 'E1',
        name: 'Old Show',
        startDate: '2026-12-05T20:00:00.000Z',
        endDate: null,
        venueName: null,
        ticketTypes: [{ id: 'T1', name: 'General' }],
      });
      expect(store.tickets.get('OLD-1')).toMatchObject({ barcode: 'OLD-1', valid: true });
      expect(store.tickets.get('OLD-1')).not.toHaveProperty('ticketTypeTags');
      expect(store.otherEvents.key()).toBeNull();
      expect(store.otherEvents.count()).toBe(0);

      const marked = {
        ...eventInfo('E2'),
        tags: ['18+'],
        isCancelled: true,
        ticketTypes: [{ id: 'T9', name: 'Late', tags: ['ID'] }],
      };
      store.tickets.upsertEvent(marked);
      expect(store.tickets.event('E2')).toEqual(marked);
      store.tickets.upsertEvent(eventInfo('E2'));
      expect(store.tickets.event('E2')).toEqual(eventInfo('E2'));
      store.tickets.apply(ticketState('NEW-1', { ticketTypeTags: ['VIP', '18+'] }));
      expect(store.tickets.get('NEW-1')?.ticketTypeTags).toEqual(['VIP', '18+']);
    } finally {
      store.close();
    }
  });
});
