import { describe, expect, it } from 'vitest';
import type { ActivityRow } from '../../../shared/gate-api.js';
import { csvCell, scansToCsv } from './csv.js';

const SCAN: ActivityRow = {
  id: '7b0c4c1e-3f7e-4a52-9a1f-2f5b8f0b7a11',
  barcode: 'GH-1',
  eventId: '101',
  gate: 'Door "A", left',
  at: '2026-11-27T19:42:10.000Z',
  direction: 'in',
  result: 'admit',
  reason: 'manual_admit',
  kind: 'manual',
  note: '=HYPERLINK("http://evil")',
  annuls: null,
  holderName: 'Isla Smith',
  ticketType: null,
};

describe('activity CSV', () => {
  it('quotes commas and quotes, and defuses formula-looking cells', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell(null)).toBe('');
  });

  it('one header line and one line per scan', () => {
    const lines = scansToCsv([SCAN]).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'at,gate,barcode,holderName,ticketType,eventId,direction,result,reason,kind,note,id,annuls',
    );
    expect(lines[1]).toBe(
      `2026-11-27T19:42:10.000Z,"Door ""A"", left",GH-1,Isla Smith,,101,in,admit,manual_admit,manual,"'=HYPERLINK(""http://evil"")",${SCAN.id},`,
    );
  });
});
