// `gatehouse relay import-csv` on a real database file: columns by header name, all or nothing, and
// imported states always ranking below webhook states.
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addGateToken,
  GateTestClient,
  getJson,
  makeTempDir,
  orderDelivery,
  postDelivery,
  runGatehouse,
  startRelayProcess,
  type TempDir,
} from './support.js';

let dir: TempDir;

beforeEach(() => {
  dir = makeTempDir();
});

afterEach(() => dir.remove());

function importCsv(name: string, text: string, event = '132218') {
  writeFileSync(dir.file(name), text);
  return runGatehouse([
    'relay',
    'import-csv',
    '--db',
    dir.file('relay.db'),
    '--event',
    event,
    dir.file(name),
  ]);
}

async function snapshotOf(dbPath: string): Promise<GateTestClient> {
  const relay = await startRelayProcess({ dbPath });
  try {
    const gate = await GateTestClient.connect(relay.url, await addGateToken(dbPath, `Reader ${Date.now()}`), {
      events: ['132218'],
    });
    await gate.waitWelcomed();
    await gate.close();
    return gate;
  } finally {
    await relay.stop();
  }
}

describe('relay import-csv', () => {
  it('imports rows by header name, ignoring unknown columns and handling quoted fields', async () => {
    const csv = [
      'Seat,Ticket Type,"Barcode",First Name,Last Name,Email,Status,Order ID',
      'A1,General Admission,CSV-1,Ann,"Smith, Jr",ann@example.com,Valid,9001',
      'A2,"VIP ""gold""",CSV-2,Bob,Jones,bob@example.com,Cancelled,9002',
      '',
    ].join('\r\n');
    const result = await importCsv('tickets.csv', csv);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('imported 2 rows for event 132218: 2 ticket states changed');
    const gate = await snapshotOf(dir.file('relay.db'));
    expect(gate.tickets.get('CSV-1')).toMatchObject({
      valid: true,
      holderName: 'Ann Smith, Jr',
      email: 'ann@example.com',
      ticketTypeName: 'General Admission',
      orderId: '9001',
      cause: 'sold',
      version: { source: 'csv' },
    });
    expect(gate.tickets.get('CSV-2')).toMatchObject({ valid: false, ticketTypeName: 'VIP "gold"' });
  });

  it('reports every bad row with its line number and imports nothing', async () => {
    const csv = [
      'barcode,valid',
      'GOOD-1,true',
      ',true',
      'GOOD-2,maybe',
      'GOOD-1,false',
      '"MULTI',
      'LINE",yes',
      'LAST,no',
    ].join('\n');
    const result = await importCsv('bad.csv', csv);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nothing imported, 3 bad row(s)');
    expect(result.stderr).toContain('line 3: barcode is empty');
    expect(result.stderr).toContain('line 4: valid must be true/false/yes/no/1/0, got "maybe"');
    expect(result.stderr).toContain('line 5: barcode GOOD-1 already appears on line 2');
    const missingColumn = await importCsv('no-barcode.csv', 'name,email\nAnn,a@example.com\n');
    expect(missingColumn.code).toBe(1);
    expect(missingColumn.stderr).toContain('line 1: no barcode column');
    const relay = await startRelayProcess({ dbPath: dir.file('relay.db') });
    expect(await getJson(`${relay.url}/healthz`)).toEqual({
      status: 'ok',
      deliveries: 0,
      logHead: 0,
      skippedTickets: 0,
    });
    await relay.stop();
  });

  it('never lets a CSV state override a webhook state, before or after', async () => {
    const dbPath = dir.file('relay.db');
    const relay = await startRelayProcess({ dbPath });
    await postDelivery(
      relay.url,
      orderDelivery({ orderId: 1, tickets: [{ barcode: 'HOOK-1', valid: false }] }),
    );
    await relay.stop();
    // The CSV says valid, but Moshtix already said not valid: the webhook state stands.
    const first = await importCsv('first.csv', 'barcode,valid\nHOOK-1,true\nCSV-ONLY,true\n');
    expect(first.stdout).toContain('1 ticket states changed, 1 left alone');
    // A webhook arriving after the import replaces the imported state.
    const again = await startRelayProcess({ dbPath });
    await postDelivery(
      again.url,
      orderDelivery({ orderId: 2, tickets: [{ barcode: 'CSV-ONLY', valid: false }] }),
    );
    await again.stop();
    // A later import of the same barcodes changes neither.
    const second = await importCsv('second.csv', 'barcode,valid\nHOOK-1,true\nCSV-ONLY,true\n');
    expect(second.stdout).toContain('0 ticket states changed, 2 left alone');
    const gate = await snapshotOf(dbPath);
    expect(gate.tickets.get('HOOK-1')).toMatchObject({ valid: false, version: { source: 'webhook' } });
    expect(gate.tickets.get('CSV-ONLY')).toMatchObject({ valid: false, version: { source: 'webhook' } });
  });
});
