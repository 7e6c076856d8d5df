/** Builders of ticket states, events and scan records for gate tests. */
import { randomUUID } from 'node:crypto';
import type { ScanRecord } from '../../shared/scans.js';
import type { EventInfo, TicketState } from '../../shared/tickets.js';

/** Tonight's show by default: it started an hour before this test process did (door rules read the date). */
const TONIGHT_START = new Date(Date.now() - 60 * 60_000).toISOString();

export function eventInfo(id: string, name = `Show ${id}`): EventInfo {
  return {
    id,
    name,
    startDate: TONIGHT_START,
    endDate: null,
    venueName: 'The Venue',
    ticketTypes: [{ id: 'T1', name: 'General' }],
  };
}

export function ticketState(barcode: string, overrides: Partial<TicketState> = {}): TicketState {
  return {
    barcode,
    ticketId: `id-${barcode}`,
    orderId: 'O1',
    eventId: 'E1',
    ticketTypeId: 'T1',
    ticketTypeName: 'General',
    holderName: 'Fred Durst',
    customerName: 'Fred Durst',
    email: 'fred@example.com',
    valid: true,
    cause: 'sold',
    changedAt: '2026-11-27T08:00:00.000Z',
    version: { source: 'webhook', txId: 10, seq: 1 },
    ...overrides,
  };
}

export function scanRecord(overrides: Partial<ScanRecord> = {}): ScanRecord {
  return {
    id: randomUUID(),
    barcode: 'B1',
    eventId: 'E1',
    gate: 'Gate 2',
    at: new Date().toISOString(),
    direction: 'in',
    result: 'admit',
    reason: 'admitted',
    kind: 'scan',
    note: null,
    annuls: null,
    ...overrides,
  };
}
