/**
 * The night report against a known set of scans across two real gate processes sharing one real
 * relay: admissions, denials by reason, per gate and per ticket type (with sold counts), a manual
 * admit, an annulment, an exit, an offline double admission (conflict), and the peak inside with its
 * time. `POST /api/report` on both gates, then `gatehouse gate report` on Door A's database with the
 * gate stopped (JSON and CSV, and --event), must give the figures worked out by hand below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NightReport } from '../../shared/report.js';
import { reportSchema } from '../../shared/report.js';
import {
  addGateToken,
  makeTempDir,
  postDelivery,
  runGatehouse,
  startRelayProcess,
  waitFor,
  type RelayProcess,
  type TempDir,
} from '../relay/support.js';
import { GENERAL, VIP, doorOrderDelivery, eventDelivery, type DoorOrder } from '../ui/door-fixtures.js';
import { gateArgs, startGateProcess, type GateProcess } from './support.js';

const EVENT = '132218';
const T = (tag: string) => `REPORT-${tag}`;
const ORDERS: DoorOrder[] = [
  { orderId: 7001, buyer: buyer('One'), tickets: [{ barcode: T('GA-1') }, { barcode: T('GA-2') }] },
  { orderId: 7002, buyer: buyer('Two'), tickets: [{ barcode: T('VIP-3'), type: VIP }] },
  {
    orderId: 7003,
    buyer: buyer('Three'),
    tickets: [{ barcode: T('GA-4') }, { barcode: T('VIP-5'), type: VIP }],
  },
  { orderId: 7004, buyer: buyer('Four'), tickets: [{ barcode: T('GA-6'), valid: false }] },
  { orderId: 7005, buyer: buyer('Five'), tickets: [{ barcode: T('GA-7') }, { barcode: T('GA-8') }] },
];

function buyer(name: string) {
  return { firstName: name, lastName: 'Buyer', email: `${name.toLowerCase()}@example.com` };
}

let temp: TempDir;
let relay: RelayProcess;
let doorA: GateProcess;
let doorB: GateProcess;
const times: Record<string, string> = {};

async function atOf(gate: GateProcess, barcode: string, scanId: string): Promise<string> {
  const detail = await gate.value('ticket', { barcode });
  const record = detail.history.find((scan) => scan.id === scanId);
  if (!record) throw new Error(`no record ${scanId}`);
  return record.at;
}

async function knows(gate: GateProcess, barcode: string, count: number): Promise<void> {
  await waitFor(async () => (await gate.value('ticket', { barcode })).history.length >= count, {
    message: `${barcode} has ${count} records`,
    timeoutMs: 20_000,
  });
}

beforeAll(async () => {
  temp = makeTempDir('gatehouse-report-');
  relay = await startRelayProcess({ dbPath: temp.file('relay.db') });
  for (const delivery of [eventDelivery(), ...ORDERS.map(doorOrderDelivery)]) {
    expect((await postDelivery(relay.url, delivery)).status).toBeLessThan(300);
  }
  const tokens = {
    a: await addGateToken(temp.file('relay.db'), 'Door A'),
    b: await addGateToken(temp.file('relay.db'), 'Door B'),
  };
  doorA = await startGateProcess(
    gateArgs(temp.file('gate-a'), relay.url, { name: 'Door A', token: tokens.a }),
  );
  doorB = await startGateProcess(
    gateArgs(temp.file('gate-b'), relay.url, { name: 'Door B', token: tokens.b }),
  );
  for (const gate of [doorA, doorB]) {
    await waitFor(async () => (await gate.value('status')).tickets === 8, {
      message: 'gate holds all 8 tickets',
      timeoutMs: 20_000,
    });
  }

  const scan = async (gate: GateProcess, barcode: string, direction?: 'in' | 'out') =>
    gate.value('scan', { barcode, ...(direction ? { direction } : {}) });
  const first = await scan(doorA, T('GA-1'));
  times.first = await atOf(doorA, T('GA-1'), first.scanId);
  await scan(doorA, T('GA-2'));
  await scan(doorA, T('VIP-3'));
  expect((await scan(doorA, T('GA-1'))).reason).toBe('already_admitted');
  expect((await scan(doorA, 'NOPE-1')).reason).toBe('unknown_barcode');
  await knows(doorB, T('GA-2'), 1);
  expect((await scan(doorB, T('GA-2'))).reason).toBe('already_admitted');
  const four = await scan(doorB, T('GA-4'));
  const manual = await doorB.value('manualAdmit', { barcode: T('VIP-5'), note: 'VIP list' });
  times.peak = await atOf(doorB, T('VIP-5'), manual.scanId);
  await doorB.value('annul', { scanId: four.scanId, note: 'wrong person' });
  expect((await scan(doorB, T('VIP-3'), 'out')).reason).toBe('exited');
  expect((await scan(doorB, T('GA-6'))).reason).toBe('not_valid');

  // Both gates offline: each admits GA-7, and the relay, back, shares the clash.
  await knows(doorA, T('GA-6'), 1);
  const port = relay.port;
  await relay.stop();
  for (const gate of [doorA, doorB]) {
    await waitFor(async () => (await gate.value('status')).connection !== 'online', { message: 'offline' });
  }
  await scan(doorA, T('GA-7'));
  const last = await scan(doorB, T('GA-7'));
  times.last = await atOf(doorB, T('GA-7'), last.scanId);
  relay = await startRelayProcess({ dbPath: temp.file('relay.db'), port });
  for (const gate of [doorA, doorB]) {
    await waitFor(
      async () =>
        (await gate.value('status')).conflicts === 1 && (await gate.value('status')).pendingScans === 0,
      {
        message: 'conflict known and every scan uploaded',
        timeoutMs: 30_000,
      },
    );
  }
});
afterAll(async () => {
  await doorA?.stop();
  await doorB?.stop();
  await relay?.stop();
  temp?.remove();
});

function expected(gate: 'A' | 'B'): NightReport {
  return {
    admitted: 5,
    deniedByReason:
      gate === 'A'
        ? { already_admitted: 2, not_valid: 1, unknown_barcode: 1 }
        : { already_admitted: 2, not_valid: 1 },
    byGate: [
      { gate: 'Door A', admitted: 4, denied: gate === 'A' ? 2 : 1 },
      { gate: 'Door B', admitted: 2, denied: 2 },
    ],
    byTicketType: [
      { ticketType: GENERAL.name, admitted: 3, sold: 5 },
      { ticketType: VIP.name, admitted: 2, sold: 2 },
    ],
    manualAdmits: [{ at: times.peak ?? '', gate: 'Door B', note: 'VIP list', barcode: T('VIP-5') }],
    annulments: [expect.objectContaining({ gate: 'Door B', note: 'wrong person', barcode: T('GA-4') })],
    conflicts: [
      {
        barcode: T('GA-7'),
        ticketType: GENERAL.name,
        // In the order the relay heard of them: whichever gate reconnected first.
        admissions: expect.arrayContaining([
          expect.objectContaining({ gate: 'Door A' }),
          { gate: 'Door B', at: times.last ?? '' },
        ]),
        isReviewed: false,
        reviewNote: null,
      },
    ],
    peakInside: { count: 4, at: times.peak ?? '' },
    firstScanAt: times.first ?? '',
    lastScanAt: times.last ?? '',
  };
}

describe('the night report (two real gates, real relay)', () => {
  it('POST /api/report on Door A gives the figures worked out by hand', async () => {
    const report = await doorA.value('report', {});
    expect(Object.keys(report).sort()).toEqual(Object.keys(reportSchema.shape).sort());
    expect(report).toEqual(expected('A'));
  });

  it('Door B agrees, except for the unknown barcode only Door A saw', async () => {
    expect(await doorB.value('report', { eventId: EVENT })).toEqual(expected('B'));
  });

  it('`gatehouse gate report` reads Door A’s database with the gate stopped: JSON, CSV, --event', async () => {
    expect(await doorA.stop()).toBe(0);
    const json = await runGatehouse(['gate', 'report', '--data', temp.file('gate-a')]);
    expect(json.code).toBe(0);
    expect(reportSchema.parse(JSON.parse(json.stdout))).toEqual(expected('A'));

    const csv = await runGatehouse(['gate', 'report', '--data', temp.file('gate-a'), '--format', 'csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe('section,name,admitted,denied,sold,count,at,gate,note');
    expect(lines).toContain('totals,admitted,,,,5,,,');
    expect(lines).toContain(`totals,peak inside,,,,4,${times.peak ?? ''},,`);
    expect(lines).toContain('denied,unknown_barcode,,,,1,,,');
    expect(lines).toContain('gate,Door A,4,2,,,,,');
    expect(lines).toContain(`ticket type,${VIP.name},2,,2,,,,`);
    expect(lines).toContain(`manual admit,${T('VIP-5')},,,,,${times.peak ?? ''},Door B,VIP list`);

    const other = await runGatehouse(['gate', 'report', '--data', temp.file('gate-a'), '--event', '999']);
    expect(other.code).toBe(0);
    expect(JSON.parse(other.stdout)).toMatchObject({ admitted: 0, byGate: [], firstScanAt: null });
  });

  it('says plainly when the directory holds no gate database, or the format is unknown', async () => {
    const empty = await runGatehouse(['gate', 'report', '--data', temp.file('nothing-here')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no gate database in/);
    const format = await runGatehouse(['gate', 'report', '--data', temp.file('gate-a'), '--format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--format must be json or csv/);
  });

  it('a bad flag value on `gatehouse gate` is told in words (Pulse must be at least 50 ms)', async () => {
    const result = await runGatehouse(['gate', '--data', temp.file('gate-c'), '--pulse-ms', '10']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('gatehouse gate: Pulse must be at least 50 ms');
  });
});
