/**
 * Door rules end to end: a real relay process, real gate processes (`gatehouse gate …`), Moshtix
 * deliveries posted to the webhook route. Exits at a gate that never saw the entry, an event
 * cancelled and lifted by EVENT_SAVED, capacity from every gate's movements, attention flags from
 * ticket-type tags, and the flags that set these rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addGateToken,
  makeTempDir,
  orderDelivery,
  postDelivery,
  runGatehouse,
  startRelayProcess,
  tonight,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import { gateArgs, startGateProcess, ticketOf, type GateProcess } from './support.js';

const EVENT = 132218;
let dir: TempDir;
let relay: RelayProcess;
let gateA: GateProcess;
let gateB: GateProcess;
let exitGate: GateProcess;

async function post(body: Record<string, unknown>): Promise<void> {
  const result = await postDelivery(relay.url, body);
  expect(result.status, result.text).toBeLessThan(300);
}

async function known(gate: GateProcess, barcode: string): Promise<void> {
  await waitFor(async () => (await ticketOf(gate, barcode))?.valid === true, { message: `${barcode} known` });
}

async function seen(gate: GateProcess, barcode: string, scanId: string): Promise<void> {
  await waitFor(async () => (await ticketOf(gate, barcode))?.history.some((scan) => scan.id === scanId), {
    message: `scan ${scanId} of ${barcode} at the gate`,
  });
}

/** An EVENT_SAVED delivery for the test event, with extra fields (the cancellation mark). */
function eventSaved(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    eventType: 'event-saved-prepare-full-message',
    contextId: EVENT,
    data: { id: EVENT, name: 'Test API Event', ...tonight(), venue: { name: 'The Hall' }, ...extra },
  };
}

async function cancelled(gate: GateProcess): Promise<boolean> {
  const { events } = await gate.value('events');
  return events.find((event) => event.id === String(EVENT))?.isCancelled === true;
}

beforeAll(async () => {
  dir = makeTempDir();
  const db = dir.file('relay.db');
  const [tokenA, tokenB, tokenExit] = [
    await addGateToken(db, 'Gate A'),
    await addGateToken(db, 'Gate B'),
    await addGateToken(db, 'Exit'),
  ];
  relay = await startRelayProcess({ dbPath: db });
  const events = [String(EVENT)];
  [gateA, gateB, exitGate] = await Promise.all([
    startGateProcess(
      gateArgs(dir.file('a'), relay.url, {
        name: 'Gate A',
        token: tokenA,
        events,
        extra: [
          '--reentry',
          'after_exit',
          '--attention',
          '18+=Check ID: 18+',
          '--attention=vip=VIP wristband',
        ],
      }),
    ),
    startGateProcess(gateArgs(dir.file('b'), relay.url, { name: 'Gate B', token: tokenB, events })),
    startGateProcess(
      gateArgs(dir.file('exit'), relay.url, {
        name: 'Exit',
        token: tokenExit,
        events,
        extra: ['--mode', 'exit'],
      }),
    ),
  ]);
  for (const gate of [gateA, gateB, exitGate]) {
    await waitFor(async () => (await gate.value('status')).connection === 'online', {
      message: 'gate online',
    });
  }
});

afterAll(async () => {
  await Promise.all([gateA, gateB, exitGate].map((gate) => gate?.stop()));
  await relay?.stop();
  dir?.remove();
});

describe('door rules through a real relay and gates', () => {
  it('records an exit at a gate that never saw the entry, and that exit allows re-entry once shared', async () => {
    await post(orderDelivery({ orderId: 6001, tickets: [{ barcode: 'PASS-OUT-1' }] }));
    await known(gateA, 'PASS-OUT-1');
    await known(exitGate, 'PASS-OUT-1');
    // The exit gate loses the relay: it will not hear of the entry.
    await exitGate.value('updateSettings', { changes: { relayUrl: 'http://127.0.0.1:9' } });
    await waitFor(async () => (await exitGate.value('status')).connection === 'offline', {
      message: 'exit gate offline',
    });

    const entry = await gateA.value('scan', { barcode: 'PASS-OUT-1' });
    expect(entry).toMatchObject({ result: 'admit', reason: 'admitted' });
    const exit = await exitGate.value('scan', { barcode: 'PASS-OUT-1' });
    expect(exit).toMatchObject({ result: 'admit', reason: 'exited', message: 'Exit recorded' });
    expect(await gateA.value('scan', { barcode: 'PASS-OUT-1' })).toMatchObject({
      reason: 'already_admitted',
    });

    await exitGate.value('updateSettings', { changes: { relayUrl: relay.url } });
    await seen(gateA, 'PASS-OUT-1', exit.scanId);
    await seen(exitGate, 'PASS-OUT-1', entry.scanId);
    expect(await gateA.value('scan', { barcode: 'PASS-OUT-1' })).toMatchObject({
      result: 'admit',
      reason: 'readmitted',
    });
  });

  it('denies the tickets of an event an EVENT_SAVED marks cancelled, until a later one lifts it', async () => {
    await post(orderDelivery({ orderId: 6002, tickets: [{ barcode: 'CXL-1' }, { barcode: 'CXL-2' }] }));
    await known(gateB, 'CXL-2');

    await post(eventSaved({ cancelled: true }));
    await waitFor(() => cancelled(gateB), { message: 'the cancellation at gate B' });
    const denied = await gateB.value('scan', { barcode: 'CXL-1' });
    expect(denied).toMatchObject({ result: 'deny', reason: 'event_cancelled' });
    expect(denied.message).toMatch(
      /^Event cancelled: Test API Event on \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d$/,
    );
    // An order's partial event reference says nothing about cancellation: it does not lift it.
    await post(orderDelivery({ orderId: 6003, tickets: [{ barcode: 'CXL-3' }] }));
    await known(gateB, 'CXL-3');
    expect(await gateB.value('scan', { barcode: 'CXL-3' })).toMatchObject({ reason: 'event_cancelled' });

    await post(eventSaved({ status: 'ON_SALE' }));
    await waitFor(async () => !(await cancelled(gateB)), { message: 'the lifted cancellation' });
    expect(await gateB.value('scan', { barcode: 'CXL-1' })).toMatchObject({
      result: 'admit',
      reason: 'admitted',
    });

    await post(eventSaved({ status: 'Event Cancelled' }));
    await waitFor(() => cancelled(gateB), { message: 'the second cancellation' });
    expect(await gateB.value('scan', { barcode: 'CXL-2' })).toMatchObject({ reason: 'event_cancelled' });
    await post(eventSaved({}));
    await waitFor(async () => !(await cancelled(gateB)), { message: 'lifted again' });
  });

  it('stops entry at capacity from admissions and exits at every gate; exits pass; staff override', async () => {
    const barcodes = ['CAP-1', 'CAP-2', 'CAP-3'];
    await post(orderDelivery({ orderId: 6004, tickets: barcodes.map((barcode) => ({ barcode })) }));
    await known(gateA, 'CAP-3');
    await known(gateB, 'CAP-3');
    const before = await gateA.value('stats');
    await gateA.value('updateSettings', { changes: { capacity: before.insideNow + 1 } });

    const atB = await gateB.value('scan', { barcode: 'CAP-1' });
    await seen(gateA, 'CAP-1', atB.scanId);
    expect(await gateA.value('stats')).toMatchObject({ insideNow: before.insideNow + 1 });
    expect(await gateA.value('scan', { barcode: 'CAP-2' })).toMatchObject({
      result: 'deny',
      reason: 'capacity_reached',
      message: `Venue full: ${before.insideNow + 1} inside, capacity ${before.insideNow + 1}`,
    });
    expect(await gateA.value('scan', { barcode: 'CAP-1', direction: 'out' })).toMatchObject({
      reason: 'exited',
    });
    expect(await gateA.value('scan', { barcode: 'CAP-2' })).toMatchObject({ reason: 'admitted' });
    expect(await gateA.value('scan', { barcode: 'CAP-3' })).toMatchObject({ reason: 'capacity_reached' });
    expect(
      await gateA.value('manualAdmit', { barcode: 'CAP-3', note: 'wheelchair companion' }),
    ).toMatchObject({
      result: 'admit',
    });
    await gateA.value('updateSettings', { changes: { capacity: null } });
  });

  it('admits a ticket whose type carries a matching tag with its attention text', async () => {
    await post(
      orderDelivery({
        orderId: 6005,
        tickets: [
          {
            barcode: 'TAG-1',
            ticketTypeId: 9001,
            ticketTypeName: 'Late Session',
            ticketTypeTags: ['18+ only'],
          },
          { barcode: 'TAG-2', ticketTypeId: 9002, ticketTypeName: 'VIP 18+' },
          { barcode: 'TAG-3', ticketTypeId: 9003, ticketTypeName: 'General' },
        ],
      }),
    );
    await known(gateA, 'TAG-3');
    expect(await gateA.value('scan', { barcode: 'TAG-1' })).toMatchObject({
      result: 'admit',
      attention: 'Check ID: 18+',
    });
    expect((await gateA.value('scan', { barcode: 'TAG-2' })).attention).toBe('Check ID: 18+ · VIP wristband');
    expect((await gateA.value('scan', { barcode: 'TAG-3' })).attention).toBeUndefined();
  });

  it('saves the door-rule flags as settings', async () => {
    expect(await gateA.value('getSettings')).toMatchObject({
      dateWindow: { beforeHours: 12, afterHours: 6 },
      dayStarts: '06:00',
      attention: [
        { match: '18+', text: 'Check ID: 18+' },
        { match: 'vip', text: 'VIP wristband' },
      ],
    });
  });
});

describe('door-rule flags', () => {
  it.each([
    [['--date-window', '12'], /--date-window must be BEFORE:AFTER in hours .* got "12"/],
    [['--date-window', '-1:6'], /--date-window must be BEFORE:AFTER/],
    [['--date-window', '1000:6'], /--date-window must be BEFORE:AFTER in hours \(0 to 720/],
    [['--day-starts', '6am'], /--day-starts must be HH:MM \(00:00 to 23:59\), got "6am"/],
    [['--day-starts', '24:00'], /--day-starts must be HH:MM/],
    [['--capacity', '0'], /--capacity must be a whole number of people above 0, or off, got "0"/],
    [['--capacity', 'lots'], /--capacity must be a whole number/],
    [['--attention', 'VIP'], /--attention must be MATCH=TEXT, e\.g\. "18\+=Check ID", got "VIP"/],
    [['--attention', '=Check ID'], /--attention must be MATCH=TEXT/],
  ])('refuses %j with exit 2, naming the problem', async (flags, problem) => {
    const temp = makeTempDir();
    try {
      const result = await runGatehouse(['gate', '--data', temp.path, ...flags]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(problem);
    } finally {
      temp.remove();
    }
  });

  it('turns the date window off, sets the day start and a capacity, and clears the capacity again', async () => {
    const temp = makeTempDir();
    const args = ['--data', temp.path, '--listen', '127.0.0.1:0'];
    try {
      let gate = await startGateProcess([
        ...args,
        '--date-window',
        'off',
        '--day-starts',
        '04:30',
        '--capacity',
        '800',
      ]);
      expect(await gate.value('getSettings')).toMatchObject({
        dateWindow: null,
        dayStarts: '04:30',
        capacity: 800,
      });
      await gate.stop();
      gate = await startGateProcess([...args, '--date-window', '2.5:1', '--capacity', 'off']);
      expect(await gate.value('getSettings')).toMatchObject({
        dateWindow: { beforeHours: 2.5, afterHours: 1 },
        dayStarts: '04:30',
        capacity: null,
      });
      await gate.stop();
    } finally {
      temp.remove();
    }
  });
});
