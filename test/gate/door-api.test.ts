/**
 * The door-staff API methods on a real engine (startGate on a temp data dir, real SQLite, tickets
 * stored through the real apply step): lookup says which field matched and counts admissible tickets
 * per order, whole-order check-in admits each ticket as its own admission and lists the rest, conflict
 * reviews close a conflict once, hide-names keeps names and emails out of every answer, and testing a
 * relay needs the PIN before it may send the stored token anywhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applySnapshotChunk } from '../../electron/gate/apply.js';
import { startGate, type GateEngine } from '../../electron/gate/index.js';
import { GateStore } from '../../electron/gate/store/index.js';
import { makeTempDir } from '../relay/support.js';
import { eventInfo, scanRecord, ticketState } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TICKETS = [
  ticketState('ORDER-A-1', {
    orderId: 'A100',
    holderName: 'Isla Smith',
    customerName: 'Isla Smith',
    email: 'isla@example.com',
  }),
  ticketState('ORDER-A-2', {
    orderId: 'A100',
    holderName: 'Isla Smith',
    customerName: 'Isla Smith',
    email: 'isla@example.com',
  }),
  ticketState('ORDER-A-3', {
    orderId: 'A100',
    holderName: 'Isla Smith',
    customerName: 'Isla Smith',
    email: 'isla@example.com',
    valid: false,
    cause: 'refunded',
  }),
  ticketState('ORDER-B-1', {
    orderId: 'B200',
    holderName: 'Mia Chen',
    customerName: 'Oliver Chen',
    email: 'oliver@example.com',
  }),
];

/** A gate whose database already holds the tickets (and, optionally, some scans from elsewhere). */
async function gate(
  settings: Parameters<typeof startGate>[0]['settings'] = {},
  scans = [] as ReturnType<typeof scanRecord>[],
) {
  const dir = makeTempDir();
  const store = new GateStore(`${dir.path}/gate.db`);
  applySnapshotChunk(
    store,
    'Gate 1',
    {
      events: [eventInfo('E1')],
      tickets: TICKETS,
      scans: scans.map((scan, index) => ({ seq: index + 1, scan })),
    },
    new Date().toISOString(),
  );
  await store.closeFully();
  const engine: GateEngine = await startGate({
    dataDir: dir.path,
    settings: { gateName: 'Gate 1', events: ['E1'], ...settings },
  });
  cleanups.push(
    () => dir.remove(),
    () => engine.stop(),
  );
  return engine;
}

async function ok<T>(
  answer: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>,
): Promise<T> {
  const result = await answer;
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('door-staff API', () => {
  it('lookup says which field matched and how many tickets of each order are admissible', async () => {
    const engine = await gate();
    const byEmail = await ok(engine.handlers.lookup({ query: 'oliver@' }));
    expect(byEmail.results.map((result) => [result.barcode, result.match])).toEqual([
      ['ORDER-B-1', 'buyer_email'],
    ]);
    const byBuyer = await ok(engine.handlers.lookup({ query: 'oliver' }));
    expect(byBuyer.results[0]?.match).toBe('buyer_name');
    const byOrder = await ok(engine.handlers.lookup({ query: 'a100' }));
    expect(byOrder.results.every((result) => result.match === 'order')).toBe(true);
    expect(byOrder.orders).toEqual([{ orderId: 'A100', buyerName: 'Isla Smith', tickets: 3, admissible: 2 }]);
    expect(byOrder.isTruncated).toBe(false);
  });

  it('admits the admissible tickets of an order, each its own admission, and lists the rest with the reason', async () => {
    const engine = await gate();
    const outcome = await ok(engine.handlers.admitOrder({ orderId: 'A100' }));
    expect(outcome.admitted.map((line) => line.barcode)).toEqual(['ORDER-A-1', 'ORDER-A-2']);
    expect(new Set(outcome.admitted.map((line) => line.scanId)).size).toBe(2);
    expect(outcome.refused).toEqual([
      expect.objectContaining({
        barcode: 'ORDER-A-3',
        reason: 'not_valid',
        message: expect.stringMatching(/^Ticket refunded/),
      }),
    ]);
    // No denial was recorded for the refunded ticket: only the two admissions exist.
    const activity = await ok(engine.handlers.activity({}));
    expect(activity.scans.map((scan) => [scan.barcode, scan.result])).toEqual(
      expect.arrayContaining([
        ['ORDER-A-1', 'admit'],
        ['ORDER-A-2', 'admit'],
      ]),
    );
    expect(activity.scans).toHaveLength(2);
    const again = await ok(engine.handlers.admitOrder({ orderId: 'A100' }));
    expect(again.admitted).toEqual([]);
    expect(again.refused.map((line) => line.reason)).toEqual([
      'already_admitted',
      'already_admitted',
      'not_valid',
    ]);
    expect(await engine.handlers.admitOrder({ orderId: 'NOPE' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('asks for the staff PIN for a whole-order check-in when one is set', async () => {
    const engine = await gate({ pin: '2468' });
    expect(await engine.handlers.admitOrder({ orderId: 'A100' })).toMatchObject({
      ok: false,
      error: { code: 'pin_required' },
    });
    expect((await ok(engine.handlers.admitOrder({ orderId: 'A100', pin: '2468' }))).admitted).toHaveLength(2);
  });

  it('a conflict is reviewed once, with a note, and no longer counts on the badge', async () => {
    const first = scanRecord({ barcode: 'ORDER-B-1', gate: 'Gate 2', at: '2026-11-27T10:00:00.000Z' });
    const second = scanRecord({ barcode: 'ORDER-B-1', gate: 'Gate 3', at: '2026-11-27T10:00:05.000Z' });
    const engine = await gate({}, [first, second]);
    expect((await ok(engine.handlers.status({}))).conflicts).toBe(1);
    const [conflict] = (await ok(engine.handlers.conflicts({}))).conflicts;
    expect(conflict).toMatchObject({ holderName: 'Mia Chen', ticketType: 'General', review: null });
    const id = conflict?.id ?? '';
    expect(await engine.handlers.reviewConflict({ conflictId: id, note: '' })).toMatchObject({
      ok: false,
      error: { message: 'note: is required' },
    });
    const review = await ok(
      engine.handlers.reviewConflict({ conflictId: id, note: 'same person, let back in' }),
    );
    expect((await ok(engine.handlers.status({}))).conflicts).toBe(0);
    expect((await ok(engine.handlers.conflicts({}))).conflicts[0]?.review).toMatchObject({
      gate: 'Gate 1',
      note: 'same person, let back in',
    });
    expect(await engine.handlers.reviewConflict({ conflictId: id, note: 'again' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    // The review waits to be uploaded like any scan, and does not count as a movement.
    expect((await ok(engine.handlers.status({}))).pendingScans).toBe(1);
    expect(
      (await ok(engine.handlers.ticket({ barcode: 'ORDER-B-1' }))).history.map((scan) => scan.id),
    ).toContain(review.scanId);
    expect((await ok(engine.handlers.scan({ barcode: 'ORDER-B-1' }))).reason).toBe('already_admitted');
  });

  it('hide-names: no name or email in any answer, and no lookup by name', async () => {
    const engine = await gate({ hideNames: true });
    expect((await ok(engine.handlers.lookup({ query: 'Isla' }))).results).toEqual([]);
    const answers = JSON.stringify([
      await ok(engine.handlers.lookup({ query: 'ORDER' })),
      await ok(engine.handlers.scan({ barcode: 'ORDER-B-1' })),
      await ok(engine.handlers.ticket({ barcode: 'ORDER-A-1' })),
      await ok(engine.handlers.activity({})),
      await ok(engine.handlers.admitOrder({ orderId: 'A100' })),
    ]);
    for (const word of ['Isla', 'Smith', 'Mia', 'Chen', 'Oliver', '@example.com'])
      expect(answers).not.toContain(word);
    expect(answers).toContain('ORDER-A-1');
  });

  it('testing a relay with the stored token needs the PIN; without any token it says so', async () => {
    const engine = await gate({ pin: '2468' });
    expect(await engine.handlers.testRelay({ relayUrl: 'http://127.0.0.1:9' })).toMatchObject({
      ok: false,
      error: { code: 'pin_required' },
    });
    expect(await engine.handlers.testRelay({ relayUrl: 'http://127.0.0.1:9', pin: '2468' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringMatching(/^token: is required/) },
    });
    expect(
      await ok(engine.handlers.testRelay({ relayUrl: 'http://127.0.0.1:9', token: 'some-gate-token' })),
    ).toMatchObject({
      isReachable: false,
      isTokenAccepted: false,
      problem: expect.stringMatching(/^Cannot reach a relay at http:\/\/127\.0\.0\.1:9/),
    });
  });
});
