import { describe, expect, it } from 'vitest';
import { parseGateFrame, parseRelayFrame, PROTOCOL_VERSION, type RelayFrame } from './protocol.js';
import type { ScanRecord } from './scans.js';
import type { TicketState } from './tickets.js';

const scan: ScanRecord = {
  id: '0b3f6a52-4c1e-4b7a-9f3e-2d6f8a1c5e90',
  barcode: 'ABC',
  eventId: '1',
  gate: 'Gate 1',
  at: '2026-01-01T19:42:10.000Z',
  direction: 'in',
  result: 'admit',
  reason: 'admitted',
  kind: 'scan',
  note: null,
  annuls: null,
};
const ticket: TicketState = {
  barcode: 'ABC',
  ticketId: '1',
  orderId: '2',
  eventId: '1',
  ticketTypeId: null,
  ticketTypeName: null,
  holderName: null,
  customerName: null,
  email: null,
  valid: true,
  cause: 'sold',
  changedAt: 'now',
  version: { source: 'webhook', txId: 3, seq: 4 },
};

describe('gate → relay frames', () => {
  it('parses every frame type', () => {
    for (const frame of [
      { type: 'hello', protocol: PROTOCOL_VERSION, cursor: 0, events: ['1'] },
      { type: 'scan', scan },
      { type: 'ack', cursor: 12 },
      { type: 'ping', t: 1 },
      { type: 'pong', t: 1 },
    ]) {
      expect(parseGateFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
    }
  });

  it('rejects what is not a frame, naming the failing path', () => {
    expect(parseGateFrame('nope')).toEqual({ ok: false, error: '(frame): not JSON' });
    expect(parseGateFrame('{"type":"shout"}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^type: /),
    });
    expect(parseGateFrame('{"type":"hello","protocol":1,"cursor":-1,"events":[]}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^cursor: /),
    });
    expect(
      parseGateFrame(JSON.stringify({ type: 'scan', scan: { ...scan, id: 'not-a-uuid' } })),
    ).toMatchObject({ ok: false, error: expect.stringMatching(/^scan\.id: /) });
    expect(
      parseGateFrame(
        JSON.stringify({
          type: 'hello',
          protocol: 1,
          cursor: 0,
          events: Array.from({ length: 101 }, (_, index) => String(index)),
        }),
      ),
    ).toMatchObject({ ok: false });
  });
});

describe('relay → gate frames', () => {
  it('parses every frame type', () => {
    const frames: RelayFrame[] = [
      {
        type: 'welcome',
        protocol: PROTOCOL_VERSION,
        gate: 'Gate 1',
        head: 9,
        events: [{ id: '1', name: 'Show', startDate: null, endDate: null, venueName: null, ticketTypes: [] }],
        time: 1_790_000_000_000,
        quarantined: 2,
      },
      { type: 'snapshot-begin', tickets: 1, scans: 1, cursor: 9 },
      { type: 'snapshot-chunk', events: [], tickets: [ticket], scans: [{ seq: 5, scan }] },
      { type: 'snapshot-end', cursor: 9 },
      {
        type: 'entries',
        entries: [
          { seq: 10, kind: 'ticket', ticket },
          { seq: 11, kind: 'scan', scan },
        ],
      },
      { type: 'scan-ack', id: scan.id, seq: 11 },
      { type: 'ping', t: 1_790_000_000_000, quarantined: 0 },
      { type: 'error', code: 'protocol_mismatch', message: 'old gate' },
    ];
    for (const frame of frames) expect(parseRelayFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
  });

  it('rejects log entries without a positive seq or with an unknown kind', () => {
    expect(
      parseRelayFrame(JSON.stringify({ type: 'entries', entries: [{ seq: 0, kind: 'ticket', ticket }] })),
    ).toMatchObject({ ok: false, error: expect.stringMatching(/^entries\.0\.seq: /) });
    expect(
      parseRelayFrame(JSON.stringify({ type: 'entries', entries: [{ seq: 1, kind: 'gossip' }] })),
    ).toMatchObject({ ok: false });
  });
});
