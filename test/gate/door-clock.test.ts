/**
 * The date rules on the gate's own clock: one real relay, and three real gate processes on the same
 * night whose clocks `faketime` (Debian's libfaketime, preloaded) moves a day back and a day ahead.
 * A three-day pass is admitted once per day; tonight's show is too early yesterday and too late
 * tomorrow; the idle screen's window report says which selected event is not today.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addGateToken,
  makeTempDir,
  orderDelivery,
  postDelivery,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import { gateArgs, startGateProcess, ticketOf, type GateProcess } from './support.js';

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const FESTIVAL = 7001;
const SHOW = 7002;
const NEXT_WEEK = 7003;
const HOUR = 3_600_000;
const now = Date.now();
/** The gates' day starts six hours before now (UTC), so every gate's day has known bounds. */
const DAY_STARTS = new Date(now - 6 * HOUR).toISOString().slice(11, 16);

let dir: TempDir;
let relay: RelayProcess;
let today: GateProcess;
let tomorrow: GateProcess;
let yesterday: GateProcess;

function clockShift(shift: string): NodeJS.ProcessEnv {
  return { LD_PRELOAD: LIBFAKETIME, FAKETIME: shift, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}

async function known(gate: GateProcess, barcode: string): Promise<void> {
  await waitFor(async () => (await ticketOf(gate, barcode))?.valid === true, { message: `${barcode} known` });
}

beforeAll(async () => {
  if (!existsSync(LIBFAKETIME)) throw new Error(`${LIBFAKETIME} missing: apt-get install -y faketime`);
  dir = makeTempDir();
  const db = dir.file('relay.db');
  const tokens = [
    await addGateToken(db, 'Today'),
    await addGateToken(db, 'Tomorrow'),
    await addGateToken(db, 'Yesterday'),
  ];
  relay = await startRelayProcess({ dbPath: db });
  // A three-day festival that began two hours ago, and a show that starts in two hours.
  const festival = {
    startDate: new Date(now - 2 * HOUR).toISOString(),
    endDate: new Date(now + 72 * HOUR).toISOString(),
  };
  const show = {
    startDate: new Date(now + 2 * HOUR).toISOString(),
    endDate: new Date(now + 5 * HOUR).toISOString(),
  };
  for (const delivery of [
    orderDelivery({
      orderId: 7103,
      eventId: NEXT_WEEK,
      startDate: new Date(now + 7 * 24 * HOUR).toISOString(),
      tickets: [{ barcode: 'NEXT-1' }],
    }),
    orderDelivery({ orderId: 7101, eventId: FESTIVAL, ...festival, tickets: [{ barcode: 'FEST-1' }] }),
    orderDelivery({
      orderId: 7102,
      eventId: SHOW,
      ...show,
      tickets: [{ barcode: 'SHOW-1' }, { barcode: 'SHOW-2' }],
    }),
  ]) {
    const result = await postDelivery(relay.url, delivery);
    expect(result.status, result.text).toBe(200);
  }
  const events = [String(FESTIVAL), String(SHOW), String(NEXT_WEEK)];
  const extra = ['--day-starts', DAY_STARTS];
  const start = (name: string, token: string, env: NodeJS.ProcessEnv = {}) =>
    startGateProcess(gateArgs(dir.file(name), relay.url, { name, token, events, extra }), {
      env: { TZ: 'UTC', ...env },
    });
  [today, tomorrow, yesterday] = await Promise.all([
    start('Today', tokens[0] ?? ''),
    start('Tomorrow', tokens[1] ?? '', clockShift('+1d')),
    start('Yesterday', tokens[2] ?? '', clockShift('-1d')),
  ]);
  for (const gate of [today, tomorrow, yesterday]) {
    await known(gate, 'FEST-1');
    await known(gate, 'SHOW-2');
  }
});

afterAll(async () => {
  await Promise.all([today, tomorrow, yesterday].map((gate) => gate?.stop()));
  await relay?.stop();
  dir?.remove();
});

describe('door rules on the gate’s clock (faketime, a day apart)', () => {
  it('runs the shifted gates a day from now', async () => {
    const scan = await tomorrow.value('scan', { barcode: 'NOT-A-TICKET-1' });
    const { scans } = await tomorrow.value('activity', { limit: 5 });
    const at = Date.parse(scans.find((record) => record.id === scan.scanId)?.at ?? '');
    expect(at - Date.now()).toBeGreaterThan(23 * HOUR);
  });

  it('admits a multi-day pass once per day: inside yesterday is not "already admitted" today', async () => {
    const first = await today.value('scan', { barcode: 'FEST-1' });
    expect(first).toMatchObject({ result: 'admit', reason: 'admitted' });
    expect(await today.value('scan', { barcode: 'FEST-1' })).toMatchObject({ reason: 'already_admitted' });
    await waitFor(
      async () => (await ticketOf(tomorrow, 'FEST-1'))?.history.some((scan) => scan.id === first.scanId),
      {
        message: 'today’s admission at tomorrow’s gate',
      },
    );

    expect(await tomorrow.value('scan', { barcode: 'FEST-1' })).toMatchObject({
      result: 'admit',
      reason: 'admitted',
    });
    const again = await tomorrow.value('scan', { barcode: 'FEST-1' });
    expect(again).toMatchObject({ reason: 'already_admitted', previous: { gate: 'Tomorrow' } });
    expect(again.message).toMatch(/^Already admitted today at Tomorrow at \d\d:\d\d:\d\d$/);
  });

  it('denies tonight’s show too early a day before and too late a day after, naming when', async () => {
    expect(await today.value('scan', { barcode: 'SHOW-1' })).toMatchObject({ result: 'admit' });
    const late = await tomorrow.value('scan', { barcode: 'SHOW-2' });
    expect(late).toMatchObject({ result: 'deny', reason: 'too_late' });
    expect(late.message).toMatch(
      /^Too late for Test API Event on \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d: entry closed \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d$/,
    );
    const early = await yesterday.value('scan', { barcode: 'SHOW-2' });
    expect(early).toMatchObject({ result: 'deny', reason: 'too_early' });
    expect(early.message).toMatch(
      /^Too early for Test API Event on .+: entry opens \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d$/,
    );
    expect(await yesterday.value('scan', { barcode: 'FEST-1' })).toMatchObject({ reason: 'too_early' });
  });

  it('reports which selected event is not within its window today', async () => {
    const states = async (gate: GateProcess) =>
      Object.fromEntries(
        (await gate.value('eventWindows')).events.map((event) => [event.eventId, event.state]),
      );
    // Each gate's day runs from six hours before its clock's now to eighteen hours after.
    expect(await states(today)).toEqual({ [FESTIVAL]: 'open', [SHOW]: 'open', [NEXT_WEEK]: 'not_today' });
    expect(await states(tomorrow)).toEqual({ [FESTIVAL]: 'open', [SHOW]: 'over', [NEXT_WEEK]: 'not_today' });
    expect(await states(yesterday)).toEqual({
      [FESTIVAL]: 'later_today',
      [SHOW]: 'later_today',
      [NEXT_WEEK]: 'not_today',
    });
    const next = (await today.value('eventWindows')).events.find(
      (event) => event.eventId === String(NEXT_WEEK),
    );
    expect(next?.message).toMatch(
      /^Test API Event is not today: it is on \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d; entry opens /,
    );
  });
});
